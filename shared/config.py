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

__all__ = [
    "LOG_LEVELS",
    "LOOPBACK",
    "ConfigError",
    "EnvReader",
    "IPNetwork",
    "Secret",
    "model_server_base",
]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK: Final[tuple[IPNetwork, ...]] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
LOG_LEVELS: Final = ("debug", "info", "warning", "error", "critical")
# Spellings other tools use for the same levels (deploy guides, Go and Node loggers).
_LOG_LEVEL_ALIASES: Final = {"warn": "warning", "fatal": "critical"}
# The OpenAI API's root and the endpoint an operator may copy from a model server's docs;
# what the processes need is the URL before them, to which they add /v1/... themselves.
_API_ROOT: Final = "/v1"
_CHAT_ENDPOINT: Final = "/v1/chat/completions"
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

    def choice(
        self,
        name: str,
        default: str,
        choices: tuple[str, ...],
        aliases: Mapping[str, str] | None = None,
    ) -> str:
        """One of ``choices`` (any case); ``aliases`` maps other spellings to one of them."""

        def convert(value: str) -> str:
            lowered = value.lower()
            lowered = (aliases or {}).get(lowered, lowered)
            if lowered not in choices:
                raise ValueError(value)
            return lowered

        return self._convert((name,), default, convert, "choice (" + "|".join(choices) + ")")

    def log_level(self, name: str, default: str) -> str:
        """One of :data:`LOG_LEVELS`; ``warn`` and ``fatal`` are read as warning and critical.

        >>> EnvReader({"LOG_LEVEL": "WARN"}).log_level("LOG_LEVEL", "info")
        'warning'
        """
        return self.choice(name, default, LOG_LEVELS, _LOG_LEVEL_ALIASES)

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

    def database_url(self, *names: str, default: str) -> str:
        """A PostgreSQL URL, with one host or several:
        ``postgresql://[user[:password]@]host[:port][,host[:port]…]/database[?…]``.

        asyncpg tries the hosts in order; with ``?target_session_attrs=read-write`` it skips
        standbys, so after a primary switch-over (Patroni, a cloud's HA) new connections find
        the new primary.
        """

        def convert(value: str) -> str:
            parts = urlsplit(value)
            hosts = parts.netloc.rpartition("@")[2]
            if parts.scheme not in ("postgresql", "postgres") or not hosts:
                raise ValueError(value)
            for host in hosts.split(","):
                where = urlsplit("//" + host)
                if not where.hostname:
                    raise ValueError(value)
                where.port  # noqa: B018 - raises ValueError on a bad port
            return value.rstrip("/")

        what = "URL (postgresql://host[:port][,host[:port]...]/database)"
        return self._convert(names, default, convert, what, shown=_without_password)

    def model_server_url(self, *names: str, default: str) -> str:
        """A model server's OpenAI API, normalised by :func:`model_server_base`."""
        what = (
            "model server URL (http|https://host[:port], optionally ending in /v1"
            " or /v1/chat/completions)"
        )
        return self._convert(names, default, model_server_base, what, shown=_without_password)

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


def model_server_base(url: str) -> str:
    """The URL to which ``/v1/chat/completions``, ``/v1/models`` and ``/health`` are added.

    A model server is named the way its documentation shows it: a base URL, the OpenAI API
    root (``…/v1``, what an OpenAI SDK's ``base_url`` takes) or the chat endpoint itself. A
    path before them is kept (a model server behind a reverse proxy, ``https://gw/llm``). A
    ``/v1`` anywhere else (another endpoint, ``/v1/v1``), a query or a fragment raises
    ``ValueError``: guessing which part of it to keep would send every request somewhere the
    operator did not mean. The result is a valid value with the same meaning.

    >>> model_server_base("http://vllm:8000/")
    'http://vllm:8000'
    >>> model_server_base("http://vllm:8000/v1")
    'http://vllm:8000'
    >>> model_server_base("https://gpu.internal/llm/v1/chat/completions")
    'https://gpu.internal/llm'
    >>> model_server_base("http://vllm:8000/v1/models")
    Traceback (most recent call last):
    ...
    ValueError: http://vllm:8000/v1/models
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(url)
    parts.port  # noqa: B018 - raises ValueError on a bad port
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise ValueError(url)
    path = parts.path.rstrip("/")
    for suffix in (_CHAT_ENDPOINT, _API_ROOT):
        if path.endswith(suffix):
            path = path.removesuffix(suffix)
            break
    if _API_ROOT + "/" in path + "/":
        raise ValueError(url)
    return f"{parts.scheme}://{parts.netloc}{path}"


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
