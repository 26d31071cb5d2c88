"""The edge's per-request metrics, read from what the handlers noted on the request.

:class:`EdgeMetrics` is the edge's response hook: it counts the request
(:meth:`shared.metrics.HttpMetrics.observe`), then what the guard noted in the request's
log fields (:class:`edge.guard.EdgeGuard` sets ``prefilter``, the rule ids found, and
``ratelimit``, the reason of a refusal; an error sets ``error_code``):

- ``aegis_blocked_total{service="edge",scanner="prefilter"}`` for a prefilter block (400
  ``aegis_blocked``), ``aegis_threats_detected_total{service="edge",scanner="prefilter",type}``
  per rule found (blocked or not);
- ``aegis_edge_ratelimited_total{reason}``: 429s (``requests``, ``tokens``, ``blocked``) and
  503s of a limiter without Redis failing closed (``unavailable``).

Two gauges read the fail-open state at each scrape: ``aegis_edge_fail_open_enabled`` (the
setting) and ``aegis_edge_failing_open`` (enabled, and no core's breaker lets requests
through: requests go straight to the model server).

    >>> from shared.http import RequestInfo
    >>> from shared.metrics import HttpMetrics
    >>> metrics = EdgeMetrics(HttpMetrics("edge"))
    >>> info = RequestInfo("req-1", "10.0.0.1", 0.0)
    >>> info.log.update(prefilter=["en.ignore_previous"], error_code="aegis_blocked")
    >>> metrics.observe(info, "/v1/chat/completions", 400, 0.002)
    >>> metrics.http.registry.get_sample_value(
    ...     "aegis_blocked_total", {"service": "edge", "scanner": "prefilter"})
    1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from prometheus_client import Counter, Gauge

from shared.errors import BlockedError
from shared.http import RequestInfo
from shared.metrics import HttpMetrics

__all__ = ["EdgeMetrics"]

PREFILTER: Final = "prefilter"
_BLOCKED_CODE: Final = BlockedError.code


class EdgeMetrics:
    """The edge's response hook and its own families, in ``http``'s registry."""

    def __init__(self, http: HttpMetrics) -> None:
        self.http = http
        registry = http.registry
        self._ratelimited = Counter(
            "aegis_edge_ratelimited_total",
            "Requests refused by the rate limiter, by reason (requests, tokens, blocked, "
            "unavailable).",
            ("reason",),
            registry=registry,
        )
        self._ratelimited_children: dict[str, Any] = {}
        self._fail_open = Gauge(
            "aegis_edge_fail_open_enabled",
            "Whether this edge sends requests straight to the model server when no core is up.",
            registry=registry,
        )
        self._failing_open = Gauge(
            "aegis_edge_failing_open",
            "1 while fail-open is enabled and no core is available: requests bypass core.",
            registry=registry,
        )

    def watch_fail_open(self, enabled: bool, core_available: Callable[[], bool]) -> None:
        """Report the fail-open setting and, at each scrape, whether it is in effect."""
        self._fail_open.set(1 if enabled else 0)
        self._failing_open.set_function(lambda: float(enabled and not core_available()))

    def observe(self, info: RequestInfo, route: str, status: int, seconds: float) -> None:
        """Count a finished request and what the guard noted on it."""
        self.http.observe(route, status, seconds)
        log = info.log
        if not log:
            return
        rules = log.get("prefilter")
        if rules:
            traffic = self.http.traffic
            for rule in rules:
                traffic.threat(PREFILTER, rule)
            if log.get("error_code") == _BLOCKED_CODE:
                traffic.block(PREFILTER)
        reason = log.get("ratelimit")
        if reason is not None:
            child = self._ratelimited_children.get(reason)
            if child is None:
                child = self._ratelimited_children[reason] = self._ratelimited.labels(reason)
            child.inc()
