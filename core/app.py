"""Core's ASGI application: ``create_app(settings)`` and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import sys
from collections.abc import AsyncIterator

import structlog
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.types import ASGIApp

from core.approvals.service import ApprovalMetrics, Approvals
from core.audit.trail import build_trail
from core.bypass.backlog import BypassBacklog
from core.bypass.consumer import BypassConsumer
from core.console import routes as console
from core.db.pool import Database
from core.keys.registry import KeyRegistry
from core.lifecycle.guard import OutputScanners
from core.lifecycle.sinks import ExchangeMetrics
from core.model.classifier import ModelLoadError, load_classifier
from core.pii.analyzer import PiiAnalyzer, build_analyzer
from core.pii.masking import Masker
from core.policies.registry import PolicyRegistry
from core.routes import (
    admin,
    admin_keys,
    audit,
    inspect,
    openai,
    policies,
    service,
    tools,
)
from core.routes import (
    approvals as approval_routes,
)
from core.routes.output import ROUTES as OUTPUT_ROUTES
from core.scanning.base import CpuRunner, Scanner
from core.scanning.input.injection import InjectionScanner
from core.scanning.input.pii import PiiScanner
from core.scanning.input.regex_rules import RegexScanner
from core.scanning.output.canary import CanaryMaker
from core.scanning.output.injection import OutputInjection
from core.scanning.output.leakage import LeakageGuard
from core.scanning.output.pii import OutputPiiGuard
from core.scanning.pipeline import Pipeline
from core.scanning.policy import DEFAULT_POLICY, Policy
from core.settings import CoreSettings
from core.state import CoreState
from core.tools.arguments import Egress
from core.tools.catalogue import CatalogueError, Level, load_catalogue
from core.tools.registry import ToolRegistry
from shared.config import ConfigError
from shared.errors import UpstreamError, UpstreamTimeoutError, UpstreamUnreachableError
from shared.findings import Finding
from shared.http import build_app
from shared.metrics import HttpMetrics
from shared.prefilter import Prefilter
from shared.redisclient import open_redis, slot_prefix
from shared.relay import MODEL_SERVER_KEEPALIVE_S, Relay, RelayErrors, open_session
from shared.tasks import Supervisor

__all__ = ["build_pipeline", "create_app"]

_log = structlog.get_logger("aegis.core")
SWITCH_INTERVAL_S = 0.001

UPSTREAM_ERRORS = RelayErrors(
    unreachable=UpstreamUnreachableError,
    timeout=UpstreamTimeoutError,
    broken=UpstreamError,
    hop="upstream",
)


def build_pipeline(
    settings: CoreSettings, registry: CollectorRegistry, analyzer: PiiAnalyzer | None = None
) -> Pipeline:
    """The input scanners this configuration asks for; ``ConfigError`` for an unusable model.
    ``analyzer``: the PII analyzer to share (the output guard's), built here if none."""
    # One runner for every scanner: its worker thread, its heavy-scan slots. The output
    # guard's long answers run there too, also where no input scanner does.
    runner = CpuRunner(
        heavy_chars=settings.heavy_scan_chars,
        heavy_scans=settings.heavy_scan_concurrency,
        heavy_wait_s=settings.heavy_scan_wait_ms / 1000,
    )
    if not settings.input_scan_enabled:
        return Pipeline([], DEFAULT_POLICY, runner)
    scanners: list[Scanner] = [RegexScanner(runner=runner)]
    if settings.pii_scan_enabled:
        scanners.append(PiiScanner(analyzer or build_analyzer(), registry, runner=runner))
    defaults = DEFAULT_POLICY
    if settings.classifier_enabled:
        try:
            classifier = load_classifier(settings.onnx_model_path or None)
        except ModelLoadError as exc:
            shown = settings.onnx_model_path or "(the committed model)"
            raise ConfigError([f"Config 'ONNX_MODEL_PATH' has value '{shown}'. {exc}."]) from None
        scanners.append(InjectionScanner(classifier, runner=runner))
        # The model's own threshold, unless the repository's defaults name one.
        defaults = Policy(
            {"classifier": classifier.threshold, **DEFAULT_POLICY.thresholds},
            actions=DEFAULT_POLICY.actions,
        )
    return Pipeline(scanners, defaults, runner)


def build_output(
    settings: CoreSettings, analyzer: PiiAnalyzer, masker: Masker, pipeline: Pipeline
) -> OutputScanners | None:
    """The output guard's scanners, with the input's PII analyzer, masker and classifier."""
    if not settings.output_scan_enabled:
        return None
    secret = settings.canary_secret.get().encode() or None
    classifier = next(
        (s.classifier for s in pipeline.scanners if isinstance(s, InjectionScanner)), None
    )
    return OutputScanners(
        injection=OutputInjection(
            Prefilter(),
            classifier,
            classifier.threshold if classifier is not None else 1.0,
        ),
        pii=OutputPiiGuard(analyzer, masker),
        window=settings.output_stream_window,
        leakage=LeakageGuard(min_run=settings.leakage_min_run),
        canaries=CanaryMaker(secret) if settings.canary_enabled else None,
    )


def build_tools(settings: CoreSettings, database: Database | None) -> ToolRegistry | None:
    """The tool catalogue (``ConfigError`` for a broken one) and its overrides' registry."""
    if not settings.tool_gate_enabled:
        return None
    try:
        catalogue = load_catalogue()
    except CatalogueError as exc:
        raise ConfigError([str(exc)]) from None
    if settings.tool_unknown_level:
        catalogue = catalogue.with_unknown_level(Level.parse(settings.tool_unknown_level))
    return ToolRegistry(
        database,
        catalogue,
        Egress.parse(settings.tool_egress_allow),
        settings.policy_sync_interval_ms / 1000,
    )


def build_approvals(
    settings: CoreSettings,
    database: Database,
    output: OutputScanners | None,
    masker: Masker,
    registry: CollectorRegistry,
) -> Approvals | None:
    """The approval workflow (None when APPROVAL_WORKFLOW_ENABLED=false); its previews are
    masked with the output guard's PII and secrets check (withheld when the guard is off)."""
    enabled = settings.approval_workflow_enabled and settings.tool_gate_enabled
    metrics = ApprovalMetrics(registry, enabled)
    if not enabled:
        return None

    def preview(text: str) -> str:
        # Every PII and secret value the output guard finds is masked (its masker's "mask",
        # whatever the policy's answer action): the preview is for a person, not the agent.
        if output is None:
            return "[withheld: OUTPUT_SCAN_ENABLED=false, nothing could mask it]"
        scan = output.pii.finder.scan(text)
        if scan.stopped_at is not None:
            text = text[: scan.stopped_at] + "[…not scanned]"
        found = [
            (Finding("pii", r.entity_type, r.score, r.start, r.end), "mask")
            for r in scan.results
            if scan.stopped_at is None or r.end <= scan.stopped_at
        ]
        return masker.apply(text, found)

    return Approvals(
        database,
        timeout_s=settings.approval_timeout,
        polling_s=settings.approval_polling_interval,
        max_pending=settings.approval_max_pending,
        preview=preview,
        metrics=metrics,
    )


def create_app(settings: CoreSettings) -> ASGIApp:
    """Build the core app; connections open in the lifespan, not here."""
    # On a Redis Cluster every key core uses shares one hash tag (shared.redisclient).
    settings = dataclasses.replace(
        settings, redis_prefix=slot_prefix(settings.redis_prefix, settings.redis_url)
    )
    metrics = HttpMetrics("core")
    # Scanners are built once, before serving (rules compiled, models loaded and warmed).
    # One PII analyzer and one masker for requests and answers alike.
    analyzer = (
        build_analyzer() if settings.pii_scan_enabled or settings.output_scan_enabled else None
    )
    masker = Masker(settings.pii_hash_salt.get().encode() or None)
    pipeline = build_pipeline(settings, metrics.registry, analyzer)
    output = build_output(settings, analyzer, masker, pipeline) if analyzer is not None else None
    exchange_metrics = ExchangeMetrics(metrics.registry, metrics.traffic)
    build_tools(settings, None)  # a broken catalogue stops start-up here, not in the lifespan
    # A scan thread holding the GIL keeps it up to the switch interval each time the event
    # loop asks for it, and one health check asks several times: at CPython's 5 ms, core's
    # health p99 reached 52-87 ms while it scanned megabytes (tests/e2e/test_heavy_scan.py);
    # at 1 ms the loop gets its turn five times sooner, the scan threads lose little.
    sys.setswitchinterval(SWITCH_INTERVAL_S)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, CoreState]]:
        # What was built (models, rule sets, Presidio) lives as long as the app: a full
        # garbage collection need not walk it again (it took 50 ms, the GIL held, in the middle
        # of a megabyte's scan, and health checks waited for it). Garbage is collected first,
        # not frozen with it; the app's end unfreezes, or every app a process ever served
        # (tests start hundreds) would be kept: frozen cycles are never collected, and a
        # stopped core's models then leaked ~175 MB per test until the machine swapped.
        gc.collect()
        gc.freeze()
        redis = open_redis(settings.redis_url, socket_connect_timeout=1.0, socket_timeout=2.0)
        session = open_session(
            max_connections=settings.upstream_max_connections,
            connect_timeout_ms=settings.upstream_connect_timeout_ms,
            read_timeout_ms=settings.upstream_read_timeout_ms,
            keepalive_s=MODEL_SERVER_KEEPALIVE_S,
        )
        database = Database(settings.database_url, max_size=settings.db_pool_max)
        keys = KeyRegistry(
            database, redis, settings.redis_prefix, settings.key_sync_interval_ms / 1000
        )
        policies = PolicyRegistry(
            database,
            pipeline.policy,
            settings.policy_sync_interval_ms / 1000,
            registry=metrics.registry,
        )
        audit = build_trail(settings, database, metrics.registry)
        backlog = BypassBacklog(database, metrics.registry)
        tool_registry = build_tools(settings, database)
        approvals = build_approvals(settings, database, output, masker, metrics.registry)
        # Every loop is supervised: one that crashes is restarted and reported as degraded.
        loops = Supervisor(metrics.registry)
        loops.supervise("database-connect", database.run)
        if audit is not None:
            loops.supervise("audit-writer", audit.writer.run)
        loops.supervise("keys-sync", keys.run)
        loops.supervise("policies-sync", policies.run)
        if tool_registry is not None:
            loops.supervise("tools-sync", tool_registry.run)
        if approvals is not None:
            loops.supervise("approvals-listen", approvals.run)
        else:
            _log.warning(
                "approval_workflow_disabled",
                detail="HIGH and CRITICAL tool calls are let through without a person's approval",
            )
        if settings.bypass_consumer_enabled:
            consumer = BypassConsumer(
                redis,
                database,
                prefix=settings.redis_prefix,
                consumer=settings.instance,
                registry=metrics.registry,
                audit=audit.writer.submit if audit is not None else None,
                retention_days=settings.audit_retention_days,
            )
            loops.supervise("bypass-consumer", consumer.run)
        upstream_headers: dict[str, str] = {}
        if settings.upstream_api_key:
            upstream_headers["authorization"] = "Bearer " + settings.upstream_api_key.get()
        state = CoreState(
            settings=settings,
            database=database,
            keys=keys,
            upstream=Relay(session, UPSTREAM_ERRORS, observe=metrics.traffic.upstream),
            session=session,
            redis=redis,
            metrics=metrics,
            upstream_headers=upstream_headers,
            pipeline=pipeline,
            policies=policies,
            masker=masker,
            loops=loops,
            sinks=(exchange_metrics,) if audit is None else (exchange_metrics, audit.writer),
            output=output,
            audit=audit,
            tools=tool_registry,
            approvals=approvals,
        )

        async def check_dependencies() -> None:
            await service.readiness(state)

        metrics.before_scrape.append(check_dependencies)
        metrics.before_scrape.append(backlog.refresh)
        # Serve once keys are loaded, or after a short wait (readiness tells the rest).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5.0):
                await keys.wait_loaded()
                await policies.wait_loaded()
        _log.info(
            "core_started",
            port=settings.port,
            keys_loaded=keys.loaded,
            policies_loaded=policies.loaded,
            scanners=[scanner.name for scanner in pipeline.scanners],
            approval_workflow="enabled" if approvals is not None else "disabled",
            admin_allow_from=[str(net) for net in settings.admin_allow_from] or "any",
        )
        try:
            yield {"core": state}
        finally:
            metrics.before_scrape.remove(check_dependencies)
            metrics.before_scrape.remove(backlog.refresh)
            await loops.stop()
            if audit is not None:
                # Requests are over: what is queued is stored, or spooled.
                await audit.writer.close()
            await session.close()
            await redis.aclose()
            await database.close()
            pipeline.close()
            # Back to the collector: the next full collection (or the next app's start, in a
            # process that starts another) frees what this app was.
            gc.unfreeze()
            _log.info("core_stopped")

    app = build_app(
        api=openai.API_ROUTES,
        service_routes=[
            *service.routes(metrics),
            *admin.ROUTES,
            *admin_keys.ROUTES,
            *audit.ROUTES,
            *policies.ROUTES,
            *tools.ROUTES,
            *approval_routes.ROUTES,
            *inspect.ROUTES,
            *OUTPUT_ROUTES,
            *console.ROUTES,
        ],
        lifespan=lifespan,
        trusted_proxies=settings.trusted_proxies,
        cors_origins=settings.cors_origins,
        on_response=metrics.on_response,
    )
    # The console's session reaches the admin API under /console/api/ (core.console.routes).
    return console.ConsoleGate(app, admin_allow_from=settings.admin_allow_from)
