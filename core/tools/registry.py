"""The tool catalogue of every workspace, held in memory and applied without restart.

:class:`ToolRegistry` keeps the repository's catalogue (``core/tools/catalogue.toml``, with
``TOOL_UNKNOWN_LEVEL``) and every row of ``tool_overrides`` (:mod:`core.tools.store`), reloads
on ``NOTIFY aegis_tools`` and every ``interval`` seconds, and gives each request its
:class:`core.tools.gate.CallGate`: the workspace's catalogue (defaults, then ``*``'s
overrides, then the workspace's), the caller's permissions, the egress allow-list and the
policy's ``tools.allow``. Until the first load succeeds the defaults apply. A stored row that
no longer parses is skipped and logged (``tool_override_skipped``), never silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import asyncpg
import structlog

from core.db.pool import Database
from core.tools.arguments import Egress
from core.tools.catalogue import Catalogue, Level, ToolOverride
from core.tools.gate import CallGate
from core.tools.store import ALL_WORKSPACES, TOOLS_CHANNEL, ToolRow, ToolStore

__all__ = ["ToolRegistry"]

_log = structlog.get_logger("aegis.core.tools")
_MAX_CACHED: Final = 10_000


class ToolRegistry:
    """The defaults and every stored override in memory; a gate per request."""

    def __init__(
        self,
        database: Database | None,
        defaults: Catalogue,
        egress: Egress,
        interval: float = 30.0,
    ) -> None:
        self._database = database
        self.defaults: Final = defaults
        self.egress: Final = egress
        self._interval = interval
        self._overrides: dict[str, dict[str, ToolOverride]] = {}
        self._resolved: dict[str, Catalogue] = {}
        self._invalid: tuple[str, ...] = ()
        self.loaded = False

    def catalogue(self, workspace: str | None) -> Catalogue:
        """The defaults, then the overrides of ``*``, then the workspace's."""
        key = workspace or ""
        cached = self._resolved.get(key)
        if cached is not None:
            return cached
        catalogue = self.defaults.with_overrides(self._overrides.get(ALL_WORKSPACES, {}))
        if workspace and workspace != ALL_WORKSPACES:
            catalogue = catalogue.with_overrides(self._overrides.get(workspace, {}))
        if len(self._resolved) > _MAX_CACHED:
            self._resolved.clear()
        self._resolved[key] = catalogue
        return catalogue

    def gate(
        self,
        workspace: str | None,
        permissions: frozenset[str],
        allow: frozenset[str] | None = None,
        hold_levels: frozenset[Level] = frozenset(),
    ) -> CallGate:
        return CallGate(
            self.catalogue(workspace),
            permissions,
            self.egress,
            allow=allow,
            hold_levels=hold_levels,
        )

    def install(self, rows: Iterable[ToolRow], invalid: Iterable[str] = ()) -> None:
        """Replace what is held by ``rows`` (a full load)."""
        overrides: dict[str, dict[str, ToolOverride]] = {}
        for row in rows:
            overrides.setdefault(row.workspace, {})[row.name] = row.override
        skipped = tuple(sorted(invalid))
        for name in sorted(set(skipped) - set(self._invalid)):
            _log.error("tool_override_skipped", override=name, reason="settings_invalid")
        self._invalid = skipped
        if overrides != self._overrides or not self.loaded:
            _log.info("tool_overrides_loaded", overrides=sum(map(len, overrides.values())))
        self._overrides = overrides
        self._resolved = {}
        self.loaded = True

    @property
    def overrides(self) -> Mapping[str, Mapping[str, ToolOverride]]:
        return self._overrides

    async def run(self) -> None:
        """Keep the overrides current until cancelled, reconnecting after any failure."""
        if self._database is None:
            return
        await self._database.follow(
            TOOLS_CHANNEL,
            self._reload,
            interval=self._interval,
            failure_event="tool_overrides_reload_failed",
        )

    async def _reload(self, pool: asyncpg.Pool) -> None:
        load = await ToolStore(pool).load()
        self.install(load.rows, load.invalid)
