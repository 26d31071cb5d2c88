"""Holding a tool call until a person decides: one :class:`Approvals` per core.

:meth:`Approvals.hold` stores a pending row (:class:`core.approvals.store.ApprovalStore`)
and waits for its decision. Every waiting call of the core shares one listener
(:meth:`core.db.pool.Database.follow` on ``aegis_approvals``): on each NOTIFY, and every
``APPROVAL_POLLING_INTERVAL`` seconds as a safety net (a NOTIFY missed while the listener
reconnected), it reads which of the waited-for rows are decided and wakes their waiters,
and expires overdue rows, so a row whose core restarted mid-wait does not stay pending.
A wait that reaches ``APPROVAL_TIMEOUT`` expires its row (unless a decision won the race,
which then counts). Metrics: ``aegis_approvals_pending``, ``aegis_approval_decisions_total
{outcome}``, ``aegis_approval_decision_seconds``, ``aegis_approval_workflow_enabled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import asyncpg
import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from core.approvals.store import APPROVALS_CHANNEL, ApprovalRow, ApprovalStore
from core.db.pool import DB_ERRORS, Database

__all__ = ["PREVIEW_CHARS", "ApprovalMetrics", "Approvals", "Held"]

_log = structlog.get_logger("aegis.core.approvals")
PREVIEW_CHARS: Final = 500


class ApprovalMetrics:
    def __init__(self, registry: CollectorRegistry, enabled: bool) -> None:
        self.enabled = Gauge(
            "aegis_approval_workflow_enabled",
            "1 when HIGH/CRITICAL tool calls wait for a person (APPROVAL_WORKFLOW_ENABLED)",
            registry=registry,
        )
        self.enabled.set(1 if enabled else 0)
        self.pending = Gauge(
            "aegis_approvals_pending", "approval requests pending (every core)", registry=registry
        )
        self.decisions = Counter(
            "aegis_approval_decisions_total",
            "approval requests decided, by outcome (approved, rejected, expired, refused: over "
            "APPROVAL_MAX_PENDING)",
            ["outcome"],
            registry=registry,
        )
        self.seconds = Histogram(
            "aegis_approval_decision_seconds",
            "time from a request to a person's decision",
            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800),
            registry=registry,
        )

    def decided(self, row: ApprovalRow) -> None:
        self.decisions.labels(row.status).inc()
        if row.responded_at is not None and row.status in ("approved", "rejected"):
            self.seconds.observe((row.responded_at - row.requested_at).total_seconds())


@dataclass(frozen=True, slots=True)
class Held:
    """A held call's end: ``status`` approved, rejected, expired, or ``limit`` (refused at
    once: too many pending) or ``unavailable`` (PostgreSQL away); the admin's reason."""

    status: str
    request_id: str | None = None
    reason: str | None = None
    responded_by: str | None = None


class Approvals:
    """The core's approval waits (see the module doc)."""

    def __init__(
        self,
        database: Database,
        *,
        timeout_s: float,
        polling_s: float,
        max_pending: int,
        preview: Callable[[str], str],
        metrics: ApprovalMetrics,
    ) -> None:
        self._database = database
        self.timeout_s = timeout_s
        self._polling_s = polling_s
        self.max_pending = max_pending
        self._preview = preview
        self.metrics = metrics
        self._waiters: dict[str, asyncio.Future[ApprovalRow]] = {}

    async def run(self) -> None:
        """The shared listener, until cancelled."""
        await self._database.follow(
            APPROVALS_CHANNEL,
            self._refresh,
            interval=self._polling_s,
            failure_event="approvals_listen_failed",
        )

    async def _refresh(self, pool: asyncpg.Pool) -> None:
        store = ApprovalStore(pool)
        if self._waiters:
            for row in await store.decided(list(self._waiters)):
                self._wake(row)
        await store.expire_overdue()
        self.metrics.pending.set(await store.pending_count())

    def _wake(self, row: ApprovalRow) -> None:
        waiter = self._waiters.get(row.request_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(row)

    def preview(self, name: str, arguments: str) -> str:
        """The call as an admin sees it: PII and secrets masked, at most PREVIEW_CHARS."""
        text = self._preview(arguments[: PREVIEW_CHARS * 2])
        shown = f"{name}({text})"
        if len(shown) > PREVIEW_CHARS:
            shown = shown[: PREVIEW_CHARS - 1] + "…"
        return shown

    async def hold(
        self,
        *,
        tool: str,
        level: str,
        arguments: str,
        user_id: str,
        workspace: str,
        exchange_id: str,
    ) -> Held:
        """Store the request and wait for its decision (or its expiry)."""
        pool = self._database.pool
        if pool is None:
            return Held("unavailable")
        request_id = "apr_" + uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[ApprovalRow] = loop.create_future()
        self._waiters[request_id] = waiter
        store = ApprovalStore(pool)
        try:
            try:
                row = await store.create(
                    request_id,
                    exchange_id=exchange_id,
                    tool=tool,
                    level=level,
                    user_id=user_id,
                    workspace=workspace,
                    arguments=arguments,
                    preview=self.preview(tool, arguments),
                    timeout_s=self.timeout_s,
                    max_pending=self.max_pending,
                )
            except DB_ERRORS as exc:
                _log.warning("approval_store_failed", error=type(exc).__name__)
                return Held("unavailable")
            if row is None:
                self.metrics.decisions.labels("refused").inc()
                _log.warning("approval_limit", tool=tool, max_pending=self.max_pending)
                return Held("limit")
            self.metrics.pending.inc()
            _log.info("approval_pending", approval=request_id, tool=tool, level=level)
            try:
                async with asyncio.timeout(self.timeout_s):
                    decided = await waiter
            except TimeoutError:
                decided = await self._expire(store, request_id, "expired")
            return Held(decided.status, request_id, decided.reason, decided.responded_by)
        except asyncio.CancelledError:
            # The client went away (or core is stopping): the request is closed, not left
            # pending for an admin to approve a call nobody waits for.
            with contextlib.suppress(*DB_ERRORS):
                await asyncio.shield(self._expire(store, request_id, "client_gone"))
            raise
        finally:
            self._waiters.pop(request_id, None)

    async def _expire(self, store: ApprovalStore, request_id: str, reason: str) -> ApprovalRow:
        done = await store.decide(request_id, "expired", "", reason)
        row = done.row
        if row is None:  # never happens: the row was created
            raise RuntimeError("approval row vanished")
        if done.changed:
            self.metrics.decided(row)
            _log.info("approval_expired", approval=request_id, reason=reason)
        return row
