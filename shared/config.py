"""Typed reading of environment variables, shared by the edge and core settings.

Each process reads its environment once at start-up into a frozen settings object. Reading
goes through :class:`EnvReader`, which converts every value and *collects* every problem, so
a misconfigured deployment learns all its mistakes in one start-up, each naming the variable:

    >>> env = EnvReader({"PORT": "eighty"})
    >>> env.integer("PORT", 8080)
    8080
    >>> env.finish()
    Traceback (most recent call last):
    ...
    shared.config.ConfigError: Config 'PORT' has value 'eighty'. Not a valid integer (>= 0).

Values marked secret are held in :class:`Secret`, whose ``repr`` is masked and which is never
echoed in an error message.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from typing import Final, TypeVar
from urllib.parse import urlsplit

__all__ = ["LOOPBACK", "ConfigError", "EnvReader", "IPNetwork", "Secret"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK: Final[tuple[IPNetwork, ...]] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off", ""})
_T = TypeVar("_T")


class ConfigError(ValueError):
    """One or more environment variables have unusable values; the message lists them all."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class Secret:
    """A string that must not be printed: its ``repr`` and ``str`` are masked.

    >>> Secret("hunter2")
    Secret('**********')
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class EnvReader:
    """Reads typed values from an environment mapping, collecting errors until :meth:`finish`."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._problems: list[str] = []

    def raw(self, *names: str) -> tuple[str, str] | None:
        """The first of ``names`` that is set (non-empty), with its value."""
        for name in names:
            value = self._environ.get(name)
            if value is not None and value.strip() != "":
                return name, value.strip()
        return None

    def _convert(
        self,
        names: tuple[str, ...],
        default: _T,
        convert: Callable[[str], _T],
        what: str,
        *,
        secret: bool = False,
        shown: Callable[[str], str] | None = None,
    ) -> _T:
        found = self.raw(*names)
        if found is None:
            return default
        name, value = found
        try:
            return convert(value)
        except (ValueError, TypeError):
            if secret:
                display = "**********"
            elif shown is not None:
                display = shown(value)
            else:
                display = value
            self._problems.append(f"Config '{name}' has value '{display}'. Not a valid {what}.")
            return default

    def string(self, *names: str, default: str) -> str:
        return self._convert(names, default, lambda v: v, "string")

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        def convert(value: str) -> int:
            number = int(value)
            if number < minimum:
                raise ValueError(value)
            return number

        what = f"integer (>= {minimum})"
        return self._convert((name,), default, convert, what)

    def number(self, name: str, default: float, *, minimum: float = 0.0) -> float:
        def convert(value: str) -> float:
            number = float(value)
            if number < minimum or number != number:
                raise ValueError(value)
            return number

        return self._convert((name,), default, convert, f"number (>= {minimum})")

    def flag(self, name: str, default: bool) -> bool:
        def convert(value: str) -> bool:
            lowered = value.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(value)

        return self._convert((name,), default, convert, "bool")

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        def convert(value: str) -> str:
            if value.lower() not in choices:
                raise ValueError(value)
            return value.lower()

        return self._convert((name,), default, convert, "choice (" + "|".join(choices) + ")")

    def url(self, *names: str, default: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
        """A URL with one of ``schemes`` and a host; the trailing slash is dropped."""

        def convert(value: str) -> str:
            parts = urlsplit(value)
            if parts.scheme not in schemes or not parts.hostname:
                raise ValueError(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
            return value.rstrip("/")

        what = "URL (" + "|".join(schemes) + "://host[:port])"
        # A URL may carry a password (redis://:pw@host, postgresql://u:pw@host): never echo it.
        return self._convert(names, default, convert, what, shown=_without_password)

    def urls(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """A comma-separated list of http(s) URLs."""

        def convert(value: str) -> tuple[str, ...]:
            items = tuple(item.strip().rstrip("/") for item in value.split(",") if item.strip())
            for item in items:
                parts = urlsplit(item)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    raise ValueError(item)
                parts.port  # noqa: B018 - raises ValueError on a bad port
            if not items:
                raise ValueError(value)
            return items

        return self._convert((name,), default, convert, "comma-separated list of http(s) URLs")

    def words(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """A comma-separated list of non-empty words."""
        return self._convert(
            (name,),
            default,
            lambda v: tuple(item.strip() for item in v.split(",") if item.strip()),
            "comma-separated list",
        )

    def networks(self, name: str, default: tuple[IPNetwork, ...]) -> tuple[IPNetwork, ...]:
        """A comma-separated list of IP addresses or CIDR networks."""

        def convert(value: str) -> tuple[IPNetwork, ...]:
            return tuple(
                ipaddress.ip_network(item.strip(), strict=False)
                for item in value.split(",")
                if item.strip()
            )

        return self._convert((name,), default, convert, "comma-separated list of IPs/CIDRs")

    def limits(
        self, name: str, default: tuple[tuple[str, int], ...]
    ) -> tuple[tuple[str, int], ...]:
        """Comma-separated ``name=number`` pairs, e.g. ``admin=1200,auditor=0``."""

        def convert(value: str) -> tuple[tuple[str, int], ...]:
            pairs = []
            for item in value.split(","):
                if not item.strip():
                    continue
                key, sep, number = item.partition("=")
                if not sep or not key.strip() or int(number) < 0:
                    raise ValueError(item)
                pairs.append((key.strip(), int(number)))
            return tuple(pairs)

        return self._convert((name,), default, convert, "list of name=number pairs")

    def secret(self, name: str, *, min_length: int = 0) -> Secret:
        """A secret (never shown in an error); shorter than ``min_length`` is an error."""
        found = self.raw(name)
        if found is not None and len(found[1].encode()) < min_length:
            self._problems.append(
                f"Config '{name}' has value '**********'. "
                f"Not a valid secret (at least {min_length} bytes)."
            )
            return Secret("")
        return Secret("" if found is None else found[1])

    def finish(self) -> None:
        """Raise :class:`ConfigError` listing every problem seen, if any."""
        if self._problems:
            raise ConfigError(list(self._problems))


def _without_password(url: str) -> str:
    """``url`` with any password masked, for error messages.

    >>> _without_password("postgresql://u:hunter2@db:5432/x")
    'postgresql://u:****@db:5432/x'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return url
    user, colon, _ = userinfo.partition(":")
    return f"{scheme}://{user}{':****' if colon else ''}@{host}"
