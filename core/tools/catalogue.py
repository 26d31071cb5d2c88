"""The tool catalogue: each tool's security level, required permission and argument rules.

The repository's defaults are ``core/tools/catalogue.toml`` (read once at start-up; a broken
file stops core, naming what is wrong). A workspace's admin overrides any field of any tool,
known or not, with a :class:`ToolOverride` stored in PostgreSQL (:mod:`core.tools.store`);
the override of workspace ``*`` applies to every workspace, a workspace's own over it.
Pure: no I/O but reading the defaults' file.

    >>> catalogue = load_catalogue()
    >>> catalogue.spec("execute_python").level, catalogue.spec("read_file").level
    (<Level.CRITICAL: 'CRITICAL'>, <Level.LOW: 'LOW'>)
    >>> catalogue.spec("summarise").level, catalogue.spec("summarise").permission
    (<Level.MEDIUM: 'MEDIUM'>, 'tools:call')
    >>> looser = catalogue.with_overrides({"execute_python": ToolOverride(level=Level.HIGH)})
    >>> looser.spec("execute_python").level, looser.spec("execute_python").rules.commands
    (<Level.HIGH: 'HIGH'>, ('code', 'script', 'source'))
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from shared.findings import SEVERITY_SCORES
from shared.permissions import LLM_CALL, PERMISSIONS, TOOLS_CALL

__all__ = [
    "CATALOGUE_PATH",
    "MAX_ARGUMENT_NAMES",
    "MAX_EXTENSIONS",
    "ArgumentRules",
    "Catalogue",
    "CatalogueError",
    "Level",
    "ToolOverride",
    "ToolSpec",
    "load_catalogue",
    "valid_tool_name",
]

CATALOGUE_PATH: Final = Path(__file__).resolve().parent / "catalogue.toml"
DEFAULT_MAX_ARGUMENT_BYTES: Final = 65536
MAX_ARGUMENT_NAMES: Final = 32
MAX_EXTENSIONS: Final = 100
MAX_ARGUMENT_BYTES_LIMIT: Final = 16 * 1024 * 1024
# OpenAI's rule for a function name (letters, digits, '_', '-'; 64 at most), and dots, as
# some servers allow them. Checked character by character: never a regex on model text.
_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_RULE_FIELDS: Final = ("paths", "extensions", "commands", "urls", "max_bytes")
_SPEC_FIELDS: Final = frozenset({"level", "permission", *_RULE_FIELDS})


class CatalogueError(ValueError):
    """A catalogue entry or override that is not valid; the message names the field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Level(enum.Enum):
    """How much harm one call can do. HIGH and CRITICAL are what a person approves."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def severity(self) -> str:
        return self.value.lower()

    @property
    def score(self) -> float:
        """A finding's score for a call of this level (the severity scores of findings):
        the audit trail keeps scores, so a row tells the level of the calls it refused."""
        return SEVERITY_SCORES[self.severity]

    @classmethod
    def parse(cls, value: object, field: str = "level") -> Level:
        if isinstance(value, str) and value.upper() in cls.__members__:
            return cls[value.upper()]
        raise CatalogueError(f"'{field}' must be one of {', '.join(cls.__members__)}.", field)


def valid_tool_name(name: str) -> bool:
    """Whether ``name`` is a function name as OpenAI defines it (and dots).

    >>> valid_tool_name("read_file"), valid_tool_name("../x"), valid_tool_name("")
    (True, False, False)
    """
    return 0 < len(name) <= 64 and all(c in _NAME_CHARS for c in name)


@dataclass(frozen=True, slots=True)
class ArgumentRules:
    """What a call's arguments (a JSON object) are checked for (see catalogue.toml)."""

    paths: tuple[str, ...] = ()
    extensions: frozenset[str] | None = None
    commands: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    max_bytes: int = DEFAULT_MAX_ARGUMENT_BYTES

    @property
    def inspects(self) -> bool:
        """Whether any argument is read (else only the size and JSON shape are checked)."""
        return bool(self.paths or self.commands or self.urls)


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool as the gate sees it."""

    name: str
    level: Level
    permission: str
    rules: ArgumentRules = field(default_factory=ArgumentRules)
    known: bool = True  # False: from no catalogue entry nor override (an unknown tool)

    def as_dict(self) -> dict[str, Any]:
        rules = self.rules
        return {
            "name": self.name,
            "level": self.level.value,
            "permission": self.permission,
            "paths": list(rules.paths),
            "extensions": None if rules.extensions is None else sorted(rules.extensions),
            "commands": list(rules.commands),
            "urls": list(rules.urls),
            "max_bytes": rules.max_bytes,
            "known": self.known,
        }


@dataclass(frozen=True, slots=True)
class ToolOverride:
    """A stored change to one tool: each field set replaces the one below it (``None``:
    inherit). Its JSON form is the catalogue's fields, e.g. ``{"level": "HIGH",
    "extensions": [".md"]}``; ``extensions: []`` means no file type at all."""

    level: Level | None = None
    permission: str | None = None
    paths: tuple[str, ...] | None = None
    extensions: frozenset[str] | None = None
    commands: tuple[str, ...] | None = None
    urls: tuple[str, ...] | None = None
    max_bytes: int | None = None

    @classmethod
    def parse(cls, data: object) -> ToolOverride:
        """A client's (or the catalogue file's) JSON; :class:`CatalogueError` names what is
        wrong."""
        if not isinstance(data, Mapping):
            raise CatalogueError("A tool's settings must be an object.")
        unknown = sorted(set(data) - _SPEC_FIELDS)
        if unknown:
            raise CatalogueError(
                f"Unknown tool field '{unknown[0]}'; fields are {', '.join(sorted(_SPEC_FIELDS))}.",
                unknown[0],
            )
        level = data.get("level")
        permission = data.get("permission")
        if permission is not None and permission not in PERMISSIONS:
            raise CatalogueError(
                f"'permission' must be one of {', '.join(PERMISSIONS)}.", "permission"
            )
        max_bytes = data.get("max_bytes")
        if max_bytes is not None and (
            isinstance(max_bytes, bool)
            or not isinstance(max_bytes, int)
            or not 1 <= max_bytes <= MAX_ARGUMENT_BYTES_LIMIT
        ):
            raise CatalogueError(
                f"'max_bytes' must be 1 to {MAX_ARGUMENT_BYTES_LIMIT}.", "max_bytes"
            )
        extensions = _names(data.get("extensions"), "extensions", MAX_EXTENSIONS)
        if extensions is not None:
            for extension in extensions:
                if not (extension.startswith(".") and extension == extension.lower()):
                    raise CatalogueError(
                        "'extensions' are lower case and start with a dot ('.md').",
                        "extensions",
                    )
        return cls(
            level=None if level is None else Level.parse(level),
            permission=permission,
            paths=_names(data.get("paths"), "paths"),
            extensions=None if extensions is None else frozenset(extensions),
            commands=_names(data.get("commands"), "commands"),
            urls=_names(data.get("urls"), "urls"),
            max_bytes=max_bytes,
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "level": None if self.level is None else self.level.value,
            "permission": self.permission,
            "paths": None if self.paths is None else list(self.paths),
            "extensions": None if self.extensions is None else sorted(self.extensions),
            "commands": None if self.commands is None else list(self.commands),
            "urls": None if self.urls is None else list(self.urls),
            "max_bytes": self.max_bytes,
        }
        return {name: value for name, value in data.items() if value is not None}

    def over(self, spec: ToolSpec) -> ToolSpec:
        """``spec`` with this override's fields laid over it (a known tool from now on)."""
        rules = spec.rules
        rules = ArgumentRules(
            paths=rules.paths if self.paths is None else self.paths,
            extensions=rules.extensions if self.extensions is None else self.extensions,
            commands=rules.commands if self.commands is None else self.commands,
            urls=rules.urls if self.urls is None else self.urls,
            max_bytes=rules.max_bytes if self.max_bytes is None else self.max_bytes,
        )
        return ToolSpec(
            spec.name,
            spec.level if self.level is None else self.level,
            spec.permission if self.permission is None else self.permission,
            rules,
        )


def _names(raw: object, field: str, limit: int = MAX_ARGUMENT_NAMES) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, list | tuple)
        or len(raw) > limit
        or not all(isinstance(item, str) and 0 < len(item) <= 64 for item in raw)
    ):
        raise CatalogueError(
            f"'{field}' must be a list of at most {limit} names of 1 to 64 characters.", field
        )
    return tuple(raw)


class Catalogue:
    """The tools of one scope (the defaults, or a workspace's): :meth:`spec` by name."""

    __slots__ = ("_specs", "max_argument_bytes", "unknown_level")

    def __init__(
        self,
        specs: Mapping[str, ToolSpec],
        unknown_level: Level = Level.MEDIUM,
        max_argument_bytes: int = DEFAULT_MAX_ARGUMENT_BYTES,
    ) -> None:
        self._specs = dict(specs)
        self.unknown_level = unknown_level
        self.max_argument_bytes = max_argument_bytes

    def spec(self, name: str) -> ToolSpec:
        """The tool named ``name``; an unknown one gets the unknown level, ``tools:call``
        and the default size limit."""
        spec = self._specs.get(name)
        if spec is not None:
            return spec
        return ToolSpec(
            name,
            self.unknown_level,
            TOOLS_CALL,
            ArgumentRules(max_bytes=self.max_argument_bytes),
            known=False,
        )

    def specs(self) -> list[ToolSpec]:
        """Every known tool, by name."""
        return [self._specs[name] for name in sorted(self._specs)]

    def with_overrides(self, overrides: Mapping[str, ToolOverride]) -> Catalogue:
        """This catalogue with ``overrides`` (by tool name) laid over it."""
        if not overrides:
            return self
        specs = dict(self._specs)
        for name, override in overrides.items():
            specs[name] = override.over(self.spec(name))
        return Catalogue(specs, self.unknown_level, self.max_argument_bytes)

    def with_unknown_level(self, level: Level | None) -> Catalogue:
        if level is None or level is self.unknown_level:
            return self
        return Catalogue(self._specs, level, self.max_argument_bytes)


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """The catalogue file's tools; :class:`CatalogueError` names the tool and field that is
    not valid (core does not start with a broken catalogue)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"tool catalogue {path}: {exc}") from exc
    return parse_catalogue(data, str(path))


def parse_catalogue(data: Mapping[str, Any], source: str = "catalogue") -> Catalogue:
    """A catalogue from its TOML form (see catalogue.toml)."""
    unknown_keys = sorted(set(data) - {"unknown_level", "max_argument_bytes", "tools"})
    if unknown_keys:
        raise CatalogueError(f"{source}: unknown key '{unknown_keys[0]}'")
    try:
        unknown_level = Level.parse(data.get("unknown_level", "MEDIUM"), "unknown_level")
    except CatalogueError as exc:
        raise CatalogueError(f"{source}: {exc}") from None
    max_bytes = data.get("max_argument_bytes", DEFAULT_MAX_ARGUMENT_BYTES)
    if not isinstance(max_bytes, int) or not 1 <= max_bytes <= MAX_ARGUMENT_BYTES_LIMIT:
        raise CatalogueError(
            f"{source}: 'max_argument_bytes' must be 1 to {MAX_ARGUMENT_BYTES_LIMIT}"
        )
    tools = data.get("tools", {})
    if not isinstance(tools, Mapping):
        raise CatalogueError(f"{source}: 'tools' must be a table")
    base = Catalogue({}, unknown_level, max_bytes)
    specs: dict[str, ToolSpec] = {}
    for name, entry in tools.items():
        if not valid_tool_name(name):
            raise CatalogueError(f"{source}: '{name}' is not a tool name")
        try:
            override = ToolOverride.parse(entry)
        except CatalogueError as exc:
            raise CatalogueError(f"{source}: tools.{name}: {exc}") from None
        if override.level is None:
            raise CatalogueError(f"{source}: tools.{name}: 'level' is required")
        if override.permission is None:
            override = replace(override, permission=_default_permission(override.level))
        specs[name] = override.over(base.spec(name))
    return Catalogue(specs, unknown_level, max_bytes)


def _default_permission(level: Level) -> str:
    """A LOW tool may be called by anyone who may call a model; the others need tools:call."""
    return LLM_CALL if level is Level.LOW else TOOLS_CALL


def describe(specs: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    return [spec.as_dict() for spec in specs]
