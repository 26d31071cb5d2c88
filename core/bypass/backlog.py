"""The review backlog of bypass events, as gauges read at each scrape.

Requests an edge sent past core wait in ``bypass_events`` until security staff review them;
an alert on their age ("unreviewed for a day", ``deploy/observability/rules``) needs:

- ``aegis_bypass_events_unreviewed``: how many wait;
- ``aegis_bypass_oldest_unreviewed_timestamp_seconds``: when the oldest waiting one occurred
  (Unix time; 0 when none waits), so ``time() - …`` is its age.

Read from PostgreSQL before each scrape, within a second; while PostgreSQL does not answer
the gauges keep their last values (``aegis_dependency_up{dependency="database"}`` says why).
"""

from __future__ import annotations

import asyncio
from typing import Final

from prometheus_client import CollectorRegistry, Gauge

from core.bypass.store import BypassStore
from core.db.pool import DB_ERRORS, Database

__all__ = ["BypassBacklog"]

_QUERY_TIMEOUT_S: Final = 1.0


class BypassBacklog:
    """The two backlog gauges, refreshed by :meth:`refresh` (a scrape hook)."""

    def __init__(self, database: Database, registry: CollectorRegistry) -> None:
        self._database = database
        self._waiting = Gauge(
            "aegis_bypass_events_unreviewed",
            "Bypass events (requests sent past core) waiting for a review.",
            registry=registry,
        )
        self._oldest = Gauge(
            "aegis_bypass_oldest_unreviewed_timestamp_seconds",
            "When the oldest unreviewed bypass event occurred (Unix time; 0 when none waits).",
            registry=registry,
        )

    async def refresh(self) -> None:
        """Read the backlog; a database that does not answer leaves the last values."""
        pool = self._database.pool
        if pool is None:
            return
        try:
            async with asyncio.timeout(_QUERY_TIMEOUT_S):
                waiting, oldest = await BypassStore(pool).backlog()
        except DB_ERRORS:
            return
        self._waiting.set(waiting)
        self._oldest.set(oldest.timestamp() if oldest is not None else 0)
