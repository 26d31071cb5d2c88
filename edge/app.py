"""The edge's ASGI application: ``create_app(settings)`` and its lifespan."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator

import aiohttp
import structlog
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp

from edge.bypass import BypassRecorder
from edge.forward import CORE_ERRORS, FAIL_OPEN_ERRORS, FailOpenTarget, Forwarder
from edge.guard import EdgeGuard
from edge.health import CorePool
from edge.keys import KeyCache
from edge.metrics import EdgeMetrics
from edge.ratelimit import RateLimiter
from edge.report import BreakerReporter
from edge.routes import API_ROUTES, EdgeState, readiness, service_routes
from edge.settings import CORE_TLS_NAMES, EdgeSettings
from shared import wire
from shared.config import ConfigError
from shared.http import build_app
from shared.metrics import METRICS_PATHS, HttpMetrics
from shared.prefilter import Prefilter
from shared.redisclient import open_redis, slot_prefix
from shared.relay import MODEL_SERVER_KEEPALIVE_S, PASSED_RESPONSE_HEADERS, Relay, open_session
from shared.rulepack import RulePackError
from shared.tasks import Supervisor
from shared.tls import client_context

__all__ = ["create_app"]

_log = structlog.get_logger("aegis.edge")


def create_app(settings: EdgeSettings) -> ASGIApp:
    """Build the edge app; connections open in the lifespan, not here."""
    # On a Redis Cluster every key the edge uses shares one hash tag (shared.redisclient).
    settings = dataclasses.replace(
        settings, redis_prefix=slot_prefix(settings.redis_prefix, settings.redis_url)
    )
    metrics = HttpMetrics("edge")
    edge_metrics = EdgeMetrics(metrics)
    try:
        BypassRecorder.prepare(settings.bypass_spool_dir)
    except OSError as exc:
        raise ConfigError(
            [f"BYPASS_SPOOL_DIR '{settings.bypass_spool_dir}' is not writable: {exc.strerror}"]
        ) from exc
    prefilter: Prefilter | None = None
    if settings.prefilter_enabled:
        # Compiled once, before serving; a broken rule pack stops start-up with one line.
        try:
            prefilter = Prefilter(block_severity=settings.prefilter_block_severity)
        except RulePackError as exc:
            raise ConfigError([f"Rule pack is invalid: {exc}"]) from exc
    # Built before serving, so an unreadable certificate stops start-up (ConfigError).
    core_tls = (
        client_context(settings.core_tls, CORE_TLS_NAMES)
        if any(url.startswith("https://") for url in settings.core_endpoints)
        else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, EdgeState]]:
        redis = open_redis(settings.redis_url, socket_connect_timeout=1.0, socket_timeout=2.0)
        session = open_session(
            max_connections=settings.core_max_connections,
            connect_timeout_ms=settings.core_connect_timeout_ms,
            read_timeout_ms=settings.core_read_timeout_ms,
            ssl_context=core_tls,
        )
        keys = KeyCache(redis, settings.redis_prefix, settings.key_sync_interval_ms / 1000)
        with contextlib.suppress(RedisError, OSError):
            # A first load before serving; if Redis is down, the refresher keeps trying.
            await keys.refresh()
        # Every loop is supervised: one that crashes is restarted and reported as degraded.
        loops = Supervisor(metrics.registry)
        loops.supervise("keyset-refresh", keys.run)
        # The limiter's own client fails fast: a Redis outage must degrade limits
        # (RATE_LIMIT_FAILURE_MODE), never stall requests.
        limiter_redis = open_redis(
            settings.redis_url,
            socket_connect_timeout=settings.redis_timeout_ms / 1000,
            socket_timeout=settings.redis_timeout_ms / 1000,
            # No client-side retry: a retried script could count one request twice.
            retry=Retry(NoBackoff(), 0),
        )
        limiter = (
            RateLimiter(
                limiter_redis,
                settings.redis_prefix,
                failure_mode=settings.rate_limit_failure_mode,
                # Wall time, so it also absorbs event-loop lag on a busy edge.
                timeout_s=settings.redis_timeout_ms / 1000,
                lease_size=settings.rate_limit_lease_size,
                registry=metrics.registry,
            )
            if settings.rate_limit_enabled
            else None
        )
        cores = CorePool(
            settings.core_endpoints,
            failure_threshold=settings.core_failure_threshold,
            recovery_threshold=settings.core_recovery_threshold,
            interval_s=settings.core_health_check_interval_ms / 1000,
            timeout_s=settings.core_health_check_timeout_ms / 1000,
            registry=metrics.registry,
            ssl_context=core_tls,
        )
        fail_open: FailOpenTarget | None = None
        fail_open_session: aiohttp.ClientSession | None = None
        if settings.fail_open_enabled:
            fail_open_session = open_session(
                max_connections=settings.core_max_connections,
                connect_timeout_ms=settings.core_connect_timeout_ms,
                read_timeout_ms=settings.core_read_timeout_ms,
                keepalive_s=MODEL_SERVER_KEEPALIVE_S,
            )
            headers = {}
            if settings.fail_open_api_key:
                headers["authorization"] = "Bearer " + settings.fail_open_api_key.get()
            fail_open = FailOpenTarget(
                Relay(fail_open_session, FAIL_OPEN_ERRORS, observe=metrics.traffic.upstream),
                settings.fail_open_target_url,
                headers,
            )
        bypass = BypassRecorder(
            limiter_redis,
            prefix=settings.redis_prefix,
            instance=settings.instance,
            spool_dir=settings.bypass_spool_dir,
            max_len=settings.bypass_stream_max_len,
            timeout_s=settings.redis_timeout_ms / 1000,
            registry=metrics.registry,
        )
        reporter = BreakerReporter(
            redis,
            settings.redis_prefix,
            settings.instance,
            cores,
            fail_open=settings.fail_open_enabled,
            timeout_s=settings.redis_timeout_ms / 1000,
        )
        loops.supervise("core-health", cores.run)
        loops.supervise("breaker-report", reporter.run)
        loops.supervise("bypass-replay", bypass.run)
        state = EdgeState(
            settings=settings,
            keys=keys,
            forwarder=Forwarder(
                Relay(
                    session,
                    CORE_ERRORS,
                    passed_headers=(*PASSED_RESPONSE_HEADERS, wire.HEADER_MASKED),
                    observe=metrics.traffic.upstream,
                ),
                cores,
                fail_open,
            ),
            cores=cores,
            bypass=bypass,
            redis=redis,
            session=session,
            metrics=metrics,
            guard=EdgeGuard(settings, limiter, prefilter),
            loops=loops,
        )

        async def check_dependencies() -> None:
            await readiness(state)

        metrics.before_scrape.append(check_dependencies)
        edge_metrics.watch_fail_open(settings.fail_open_enabled, lambda: cores.any_available)
        _log.info(
            "edge_started",
            port=settings.port,
            cores=len(settings.core_endpoints),
            fail_open=settings.fail_open_enabled,
        )
        try:
            yield {"edge": state}
        finally:
            metrics.before_scrape.remove(check_dependencies)
            await loops.stop()
            await reporter.withdraw()
            await bypass.close()
            await session.close()
            if fail_open_session is not None:
                await fail_open_session.close()
            await redis.aclose()
            await limiter_redis.aclose()
            _log.info("edge_stopped")

    return build_app(
        api=API_ROUTES,
        # /metrics is among service_routes; the deploy guide's path serves the same.
        service_routes=[
            *service_routes(metrics),
            *(Route(path, metrics.endpoint, methods=["GET"]) for path in METRICS_PATHS[1:]),
        ],
        lifespan=lifespan,
        trusted_proxies=settings.trusted_proxies,
        cors_origins=settings.cors_origins,
        on_response=edge_metrics.observe,
    )
