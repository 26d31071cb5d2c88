"""Scanning policy overrides held in memory and applied without restart.

:class:`PolicyRegistry` keeps every row of the ``policies`` table (:mod:`core.policies.store`)
in memory (no query per request), reloads on ``NOTIFY aegis_policies`` and every
``interval`` seconds as a safety net, and resolves the policy of a request: the defaults,
then the ``global`` row, then the workspace's, then the key's.

Until the first load succeeds (PostgreSQL down at start) the defaults apply, and
``loaded`` says so: core's readiness reports it. A stored document that no longer parses
(say, a scanner it names was removed) is skipped, so one stale row cannot stop every policy
loading, but never silently: it is logged (``policy_skipped``, once per change), counted in
``aegis_core_policies_invalid`` and listed in core's readiness as ``policy:SCOPE/SUBJECT``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Final

import asyncpg
import structlog
from prometheus_client import CollectorRegistry, Gauge

from core.db.pool import Database
from core.policies.store import GLOBAL_SUBJECT, POLICIES_CHANNEL, PolicyRow, PolicyStore
from core.scanning.policy import Policy, PolicyDocument

__all__ = ["PolicyRegistry"]

_log = structlog.get_logger("aegis.core.policies")


class PolicyRegistry:
    """Every stored override in memory; resolves a request's effective policy."""

    def __init__(
        self,
        database: Database,
        defaults: Policy,
        interval: float,
        *,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._database = database
        self.defaults: Final = defaults
        self._interval = interval
        self._rows: Mapping[tuple[str, str], PolicyDocument] = {}
        self._resolved: dict[tuple[str | None, str | None], Policy] = {}
        self._loaded = asyncio.Event()
        self._invalid: tuple[str, ...] = ()
        self._invalid_gauge = (
            None
            if registry is None
            else Gauge(
                "aegis_core_policies_invalid",
                "Stored policies skipped because their document no longer parses.",
                registry=registry,
            )
        )
        self.version = 0

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    @property
    def invalid(self) -> tuple[str, ...]:
        """The stored policies skipped at the last load (``scope/subject``), sorted."""
        return self._invalid

    async def wait_loaded(self) -> None:
        await self._loaded.wait()

    def resolve(self, key_id: str | None, workspace: str | None) -> Policy:
        """The defaults, then the global, workspace and key overrides that exist."""
        cached = self._resolved.get((key_id, workspace))
        if cached is not None:
            return cached
        policy = self.defaults
        for scope, subject in (
            ("global", GLOBAL_SUBJECT),
            ("workspace", workspace),
            ("key", key_id),
        ):
            if subject is not None and (document := self._rows.get((scope, subject))):
                policy = policy.apply(document)
        if len(self._resolved) > 10_000:
            self._resolved.clear()
        self._resolved[(key_id, workspace)] = policy
        return policy

    def install(self, rows: list[PolicyRow], invalid: Iterable[str] = ()) -> None:
        """Replace what is held by ``rows`` (a full load); ``invalid`` names the stored
        policies that were skipped, reported until a load has none."""
        new = {(row.scope, row.subject): row.document for row in rows}
        if new != self._rows or not self.loaded:
            _log.info("policies_loaded", policies=len(new))
            self.version += 1
        skipped = tuple(sorted(invalid))
        if skipped != self._invalid:
            for name in sorted(set(skipped) - set(self._invalid)):
                _log.error("policy_skipped", policy=name, reason="document_invalid")
            if not skipped:
                _log.info("policies_all_valid")
        self._invalid = skipped
        if self._invalid_gauge is not None:
            self._invalid_gauge.set(len(skipped))
        self._rows = new
        self._resolved = {}
        self._loaded.set()

    async def run(self) -> None:
        """Keep the overrides current until cancelled, reconnecting after any failure."""
        await self._database.follow(
            POLICIES_CHANNEL,
            self._reload,
            interval=self._interval,
            failure_event="policies_reload_failed",
        )

    async def _reload(self, pool: asyncpg.Pool) -> None:
        load = await PolicyStore(pool).load()
        self.install(load.rows, load.invalid)
