"""Prometheus metrics: one registry per app, so several apps can share a process (tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["DependencyGauge", "HttpMetrics"]

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class HttpMetrics:
    """Request counts and latency by route and status, plus the ``/metrics`` endpoint."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            f"aegis_{service}_requests_total",
            "HTTP requests handled, by route template and status.",
            ("route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            f"aegis_{service}_request_seconds",
            "Time from request start to the handler's return (streams: to the first byte).",
            ("route",),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._counters: dict[tuple[str, int], Any] = {}
        self._histograms: dict[str, Any] = {}
        self.dependencies = DependencyGauge(self.registry)
        # Run before each scrape (the lifespan adds the readiness checks, so the dependency
        # gauge is current whether or not a probe called /ready lately).
        self.before_scrape: list[Callable[[], Awaitable[object]]] = []

    def observe(self, route: str, status: int, seconds: float) -> None:
        # Labelled children are looked up once per (route, status): prometheus-client's
        # labels() validates and locks on every call, on a path every request takes.
        counter = self._counters.get((route, status))
        if counter is None:
            counter = self._counters[(route, status)] = self.requests.labels(route, str(status))
        histogram = self._histograms.get(route)
        if histogram is None:
            histogram = self._histograms[route] = self.latency.labels(route)
        counter.inc()
        histogram.observe(seconds)

    async def endpoint(self, request: Request) -> Response:
        for hook in self.before_scrape:
            await hook()
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class DependencyGauge:
    """``aegis_dependency_up{dependency}``: 1 while a dependency answers, 0 while it does not.

    Readiness says whether a process can serve; a dependency it can serve without (Redis for
    the edge, PostgreSQL for core once its keys are loaded) is reported here, and in the
    ``degraded`` list of the readiness answer, for alerts, rather than taking the pod out.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self._up = Gauge(
            "aegis_dependency_up",
            "Whether a dependency answered at the last check (readiness or scrape): 1 or 0.",
            ("dependency",),
            registry=registry,
        )

    def report(self, up: Mapping[str, bool]) -> list[str]:
        """Set each dependency's gauge; the names of those that are down, in ``up``'s order."""
        for name, ok in up.items():
            self._up.labels(name).set(1 if ok else 0)
        return [name for name, ok in up.items() if not ok]
