"""What core's lifespan opens, reached by handlers as ``request.state.core``."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
import redis.asyncio as aioredis
from starlette.requests import Request

from core.approvals.service import Approvals
from core.audit.trail import AuditTrail
from core.db.pool import Database
from core.keys.registry import KeyRegistry
from core.lifecycle.guard import OutputScanners
from core.lifecycle.sinks import ExchangeSink
from core.pii.masking import Masker
from core.policies.registry import PolicyRegistry
from core.scanning.pipeline import Pipeline
from core.settings import CoreSettings
from core.tools.registry import ToolRegistry
from shared.metrics import HttpMetrics
from shared.relay import Relay
from shared.tasks import Supervisor

__all__ = ["CoreState", "core_state"]


@dataclass(frozen=True, slots=True)
class CoreState:
    settings: CoreSettings
    database: Database
    keys: KeyRegistry
    upstream: Relay
    session: aiohttp.ClientSession
    redis: aioredis.Redis
    metrics: HttpMetrics
    upstream_headers: dict[str, str]
    pipeline: Pipeline
    policies: PolicyRegistry
    masker: Masker
    loops: Supervisor  # the lifespan's background loops: readiness reports a crashed one
    # What reads each finished request's exchange (core.lifecycle.sinks), in order.
    sinks: tuple[ExchangeSink, ...] = ()
    # The output guard's scanners; None with OUTPUT_SCAN_ENABLED=false.
    output: OutputScanners | None = None
    # The audit trail's hasher and writer (also in sinks); None with AUDIT_ENABLED=false.
    audit: AuditTrail | None = None
    # The tool catalogue and its overrides (core.tools); None with TOOL_GATE_ENABLED=false.
    tools: ToolRegistry | None = None
    # The approval workflow (core.approvals); None with APPROVAL_WORKFLOW_ENABLED=false or
    # the tool gate off: HIGH/CRITICAL calls are then let through (and recorded).
    approvals: Approvals | None = None


def core_state(request: Request) -> CoreState:
    state: CoreState = request.state.core
    return state
