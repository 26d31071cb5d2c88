"""Watching the core instances: active health checks and live outcomes feed one breaker each.

Each endpoint in ``CORE_ENDPOINT`` has a :class:`edge.breaker.CircuitBreaker`. Two things
feed it:

- active checks: ``GET /api/v1/health`` every ``CORE_HEALTH_CHECK_INTERVAL_MS``, failing
  after ``CORE_HEALTH_CHECK_TIMEOUT_MS``; these are also the probes of an open breaker;
- live traffic (passive): the forwarder reports each request's outcome — connection
  refused, reset or timed out count as failures. A 5xx that core itself produced (not one it
  relayed from the model server) may be the fault of the request, so it counts only once
  several distinct keys saw one within a short window (:class:`edge.breaker.DistinctKeyWindow`):
  one client sending bodies core fails on cannot open the breaker.

:meth:`CorePool.choose` balances live traffic round-robin over the cores whose breaker is
closed, so a dead instance is ejected on its own while the others keep serving.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import aiohttp
import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge

from edge.breaker import BreakerState, CircuitBreaker, DistinctKeyWindow, Transition

__all__ = ["CoreEndpoint", "CorePool"]

_log = structlog.get_logger("aegis.edge.health")

HEALTH_PATH: Final = "/api/v1/health"


@dataclass(slots=True)
class CoreEndpoint:
    """One core instance, its breaker, and who saw it fail a request lately.

    ``name`` (``core_0``, ``core_1``, … in ``CORE_ENDPOINT``'s order) is what the edge shows
    in public answers such as readiness: core's internal address is not for the DMZ's clients.
    """

    url: str
    name: str
    breaker: CircuitBreaker
    errors: DistinctKeyWindow


class CorePool:
    """The core instances, their breakers, and the task that checks them."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        failure_threshold: int,
        recovery_threshold: int,
        interval_s: float,
        timeout_s: float,
        registry: CollectorRegistry,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``ssl_context``: the one live traffic uses towards ``https://`` cores, so a check
        passes only where a request would (the same CA, the same client certificate)."""
        now = time.monotonic()
        self._ssl: ssl.SSLContext | bool = True if ssl_context is None else ssl_context
        self.endpoints = tuple(
            CoreEndpoint(
                url,
                f"core_{index}",
                CircuitBreaker(failure_threshold, recovery_threshold, now),
                DistinctKeyWindow(),
            )
            for index, url in enumerate(urls)
        )
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._next = 0
        # Set on every breaker transition (edge.report wakes on it).
        self.changed = asyncio.Event()
        self._state = Gauge(
            "aegis_edge_core_breaker_state",
            "Circuit breaker state per core instance: 0 closed, 1 half-open, 2 open.",
            ("core",),
            registry=registry,
        )
        self._request_errors = Counter(
            "aegis_edge_core_request_errors_total",
            "5xx answers core produced itself, by whether they counted against its breaker "
            "(only when several distinct keys saw one lately).",
            ("core", "counted"),
            registry=registry,
        )
        for endpoint in self.endpoints:
            self._state.labels(endpoint.url).set(BreakerState.CLOSED)

    @property
    def any_available(self) -> bool:
        return any(endpoint.breaker.available for endpoint in self.endpoints)

    def choose(self, tried: Sequence[CoreEndpoint] = ()) -> CoreEndpoint | None:
        """The next core with a closed breaker, not in ``tried``; None when there is none."""
        count = len(self.endpoints)
        for step in range(count):
            endpoint = self.endpoints[(self._next + step) % count]
            if endpoint.breaker.available and endpoint not in tried:
                self._next = (self._next + step + 1) % count
                return endpoint
        return None

    def succeeded(self, endpoint: CoreEndpoint) -> None:
        self._note(endpoint, endpoint.breaker.record_success(time.monotonic()), None)

    def failed(self, endpoint: CoreEndpoint, reason: str) -> None:
        """Core itself failed (no connection, a timeout, a failed check): counts at once."""
        self._note(endpoint, endpoint.breaker.record_failure(time.monotonic()), reason)

    def request_failed(self, endpoint: CoreEndpoint, key_id: str, reason: str) -> bool:
        """Core answered one request with a 5xx of its own: counts against core only when
        several distinct keys saw one lately; returns whether it counted."""
        now = time.monotonic()
        counted = endpoint.errors.record(key_id, now)
        self._request_errors.labels(endpoint.url, "true" if counted else "false").inc()
        if counted:
            self._note(endpoint, endpoint.breaker.record_failure(now), reason)
        return counted

    def _note(self, endpoint: CoreEndpoint, change: Transition | None, reason: str | None) -> None:
        if change is None:
            return
        self.changed.set()
        self._state.labels(endpoint.url).set(change.after)
        _log.warning(
            "core_breaker_" + change.after.name.lower(),
            core=endpoint.url,
            core_name=endpoint.name,
            previous=change.before.name.lower(),
            previous_lasted_s=round(change.lasted_s, 3),
            reason=reason,
        )

    def snapshot(self) -> dict[str, str]:
        """Each core's breaker state by its name (``core_0``: never its address), for the
        readiness endpoint."""
        return {e.name: e.breaker.state.name.lower() for e in self.endpoints}

    async def run(self) -> None:
        """Check every core each interval, until cancelled."""
        connector = aiohttp.TCPConnector(limit=max(4, 2 * len(self.endpoints)), ssl=self._ssl)
        timeout = aiohttp.ClientTimeout(total=self._timeout_s)
        # A session of its own: checks must not queue behind live traffic's connections.
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            while True:
                started = time.monotonic()
                await asyncio.gather(*(self._check(session, e) for e in self.endpoints))
                await asyncio.sleep(max(0.0, self._interval_s - (time.monotonic() - started)))

    async def _check(self, session: aiohttp.ClientSession, endpoint: CoreEndpoint) -> None:
        reason = "health_check"
        try:
            async with session.get(endpoint.url + HEALTH_PATH) as response:
                await response.read()
                healthy = response.status == 200
        except aiohttp.ClientSSLError:
            # A certificate that does not verify, or core refusing ours: not a core that is
            # down, a configuration to fix; the breaker's log line says which.
            healthy, reason = False, "tls_handshake"
        except (aiohttp.ClientError, TimeoutError):
            healthy = False
        if healthy:
            self.succeeded(endpoint)
        else:
            self.failed(endpoint, reason)
