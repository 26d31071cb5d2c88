"""Prometheus metrics: one registry per app, so several apps can share a process (tests).

Both processes export the same families, told apart by their ``service`` label (``edge``,
``core``), so that one dashboard query splits or sums them:

- ``aegis_requests_total{service,route,status}`` and the histogram
  ``aegis_request_duration_seconds{service,route}`` (0.5 ms to 60 s): every HTTP request, by
  route *template* (``/api/v1/admin/keys/{key_id}``, never the raw path; ``unmatched`` for a
  404) and status code;
- ``aegis_blocked_total{service,scanner}``: requests (or answers) refused by a guard, under the
  scanner that decided; ``aegis_threats_detected_total{service,scanner,type}``: what the input
  scanners found (rule ids, entity types, classifier labels: bounded sets);
- ``aegis_upstream_duration_seconds{service,upstream}`` (to the next hop's response headers)
  and ``aegis_upstream_requests_total{service,upstream,outcome}`` (status class, or
  ``unreachable``/``timeout``/``broken``): edge → core, edge → model server when failing
  open (``fail_open``), core → model server (``upstream``);
- ``aegis_dependency_up{dependency}``, the ``process_*`` family (CPU, memory, open fds), and
  what the allocators hold in use (:class:`HeapCollector`): ``aegis_heap_in_use_bytes`` and
  ``aegis_python_allocated_blocks``.

The per-request cost is a few dictionary look-ups: labelled children are resolved once and
kept (prometheus-client's ``labels()`` validates and locks on every call).

    >>> metrics = HttpMetrics("edge")
    >>> metrics.observe("/v1/chat/completions", 200, 0.004)
    >>> metrics.traffic.block("prefilter")
    >>> sample = metrics.registry.get_sample_value
    >>> sample("aegis_requests_total", {"service": "edge", "route": "/v1/chat/completions",
    ...                                 "status": "200"})
    1.0
    >>> sample("aegis_blocked_total", {"service": "edge", "scanner": "prefilter"})
    1.0
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

if TYPE_CHECKING:
    from shared.http import RequestInfo

__all__ = [
    "DURATION_BUCKETS",
    "METRICS_PATHS",
    "DependencyGauge",
    "HeapCollector",
    "HttpMetrics",
    "TrafficMetrics",
    "UpstreamObserver",
]

# A gateway's requests take from half a millisecond (a refusal, a health check) to a minute
# (a long generation relayed whole).
DURATION_BUCKETS: Final = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)
# The exposition, under Prometheus' usual path and the deploy guide's.
METRICS_PATHS: Final = ("/metrics", "/api/v1/metrics")
# Each counter's and histogram's ``*_created`` series (its creation time) would double the
# exposition for what Prometheus 2 ignores: none is exported.
disable_created_metrics()  # type: ignore[no-untyped-call]
# Labelled children kept per family; past it the cache starts over (the series stay).
_MAX_CHILDREN: Final = 10_000

# Called by shared.relay.Relay once a next hop answered or failed: (hop, outcome, seconds).
UpstreamObserver = Callable[[str, str, float], None]


class _Children:
    """Labelled children of one family, resolved once per label values."""

    __slots__ = ("_children", "_family")

    def __init__(self, family: Any) -> None:
        self._family = family
        self._children: dict[Hashable, Any] = {}

    def get(self, *labels: str) -> Any:
        child = self._children.get(labels)
        if child is None:
            if len(self._children) >= _MAX_CHILDREN:
                self._children.clear()
            child = self._children[labels] = self._family.labels(*labels)
        return child


class TrafficMetrics:
    """What a process's requests carried and met: blocks, threats, next-hop calls.

    ``service`` is fixed per process; each method takes the other labels. Core calls these
    from its end-of-request sink (:class:`core.lifecycle.sinks.ExchangeMetrics`), the edge
    from its response hook (:class:`edge.metrics.EdgeMetrics`), the relays on each call.
    """

    def __init__(self, service: str, registry: CollectorRegistry) -> None:
        self.service = service
        blocked = Counter(
            "aegis_blocked_total",
            "Requests or answers refused by a guard, by the scanner that decided.",
            ("service", "scanner"),
            registry=registry,
        )
        threats = Counter(
            "aegis_threats_detected_total",
            "Findings of the input scanners (a dry run's too), by scanner and type.",
            ("service", "scanner", "type"),
            registry=registry,
        )
        upstream_seconds = Histogram(
            "aegis_upstream_duration_seconds",
            "Time from sending to a next hop until its response headers (streams: first byte).",
            ("service", "upstream"),
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        upstream_calls = Counter(
            "aegis_upstream_requests_total",
            "Calls to a next hop, by outcome: status class, or unreachable, timeout, broken.",
            ("service", "upstream", "outcome"),
            registry=registry,
        )
        self._threats = _Children(threats)
        self._blocked = _Children(blocked)
        self._upstream_seconds = _Children(upstream_seconds)
        self._upstream_calls = _Children(upstream_calls)

    def block(self, scanner: str) -> None:
        """One request (or answer) refused, on ``scanner``'s finding."""
        self._blocked.get(self.service, scanner).inc()

    def threat(self, scanner: str, kind: str, count: int = 1) -> None:
        """``count`` findings of ``scanner`` of type ``kind``."""
        self._threats.get(self.service, scanner, kind).inc(count)

    def upstream(self, hop: str, outcome: str, seconds: float) -> None:
        """One call to the next hop ``hop``: how it ended and how long it took to answer."""
        self._upstream_calls.get(self.service, hop, outcome).inc()
        self._upstream_seconds.get(self.service, hop).observe(seconds)


class HttpMetrics:
    """A process's registry: request counts and latency by route and status, the traffic
    families (:class:`TrafficMetrics`), dependencies, process metrics, and the endpoint."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        self.registry.register(HeapCollector())
        self.requests = Counter(
            "aegis_requests_total",
            "HTTP requests handled, by service, route template and status code.",
            ("service", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "aegis_request_duration_seconds",
            "Time from request start to the response's end (streams: to the last byte).",
            ("service", "route"),
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.traffic = TrafficMetrics(service, self.registry)
        self._counters: dict[tuple[str, int], Any] = {}
        self._histograms: dict[str, Any] = {}
        self.dependencies = DependencyGauge(self.registry)
        # Run before each scrape (the lifespan adds the readiness checks, so the dependency
        # gauge is current whether or not a probe called /ready lately).
        self.before_scrape: list[Callable[[], Awaitable[object]]] = []

    def observe(self, route: str, status: int, seconds: float) -> None:
        """One finished request; ``route`` is the template that matched, or ``unmatched``."""
        counter = self._counters.get((route, status))
        if counter is None:
            counter = self._counters[(route, status)] = self.requests.labels(
                self.service, route, str(status)
            )
        histogram = self._histograms.get(route)
        if histogram is None:
            histogram = self._histograms[route] = self.latency.labels(self.service, route)
        counter.inc()
        histogram.observe(seconds)

    def on_response(self, info: RequestInfo, route: str, status: int, seconds: float) -> None:
        """:meth:`observe`, as :func:`shared.http.build_app`'s response hook."""
        self.observe(route, status, seconds)

    async def endpoint(self, request: Request) -> Response:
        for hook in self.before_scrape:
            await hook()
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

    def routes(self) -> list[Route]:
        """The exposition under each of :data:`METRICS_PATHS`."""
        return [Route(path, self.endpoint, methods=["GET"]) for path in METRICS_PATHS]


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def _mallinfo2() -> Callable[[], _MallInfo2] | None:
    """glibc's ``mallinfo2`` (2.33 and later), or None where the C library has none."""
    try:
        function = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return None
    function.argtypes = []
    function.restype = _MallInfo2
    return function


class HeapCollector(Collector):
    """What the process's allocators hold in use, read at each scrape:
    ``aegis_heap_in_use_bytes``, the C heap's bytes in use (glibc's ``mallinfo2``: chunks in
    its arenas and blocks it mapped; absent with another C library), and
    ``aegis_python_allocated_blocks``, the objects' blocks Python's own allocator holds
    (``sys.getallocatedblocks``).

    Resident memory hides a leak for a long time: the allocators give freed space out again
    before they grow. In ``tests/e2e/test_memory.py``, 1.6 MB leaked by core in 1 KB pieces
    moved its resident memory by 36 KB; these two figures move by what was leaked. Reading
    them walks the heap's free lists (well under a millisecond here), once a scrape."""

    def __init__(self) -> None:
        self._mallinfo = _mallinfo2()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self._mallinfo is not None:
            info = self._mallinfo()
            yield GaugeMetricFamily(
                "aegis_heap_in_use_bytes",
                "Bytes the C heap (malloc) holds in use: chunks in its arenas and mapped blocks.",
                value=info.uordblks + info.hblkhd,
            )
        yield GaugeMetricFamily(
            "aegis_python_allocated_blocks",
            "Memory blocks Python's object allocator holds in use (sys.getallocatedblocks).",
            value=sys.getallocatedblocks(),
        )


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
