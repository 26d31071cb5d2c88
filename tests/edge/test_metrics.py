"""What the edge's response hook counts from a finished request's noted fields."""

from __future__ import annotations

from typing import Any

import pytest

from edge.metrics import EdgeMetrics
from shared.http import RequestInfo
from shared.metrics import HttpMetrics

ROUTE = "/v1/chat/completions"


def _observe(status: int, **log: Any) -> EdgeMetrics:
    metrics = EdgeMetrics(HttpMetrics("edge"))
    info = RequestInfo("req-1", "10.0.0.1", 0.0)
    info.log.update(log)
    metrics.observe(info, ROUTE, status, 0.003)
    return metrics


def _value(metrics: EdgeMetrics, name: str, **labels: str) -> float:
    return metrics.http.registry.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("status", "log", "blocked", "threats"),
    [
        pytest.param(
            400,
            {
                "prefilter": ["en.ignore_previous", "en.reveal_prompt"],
                "error_code": "aegis_blocked",
            },
            1,
            2,
            id="prefilter-block",
        ),
        pytest.param(200, {"prefilter": ["en.low_signal"]}, 0, 1, id="finding-below-block"),
        pytest.param(400, {"error_code": "invalid_request_error"}, 0, 0, id="other-400"),
        pytest.param(200, {}, 0, 0, id="clean"),
    ],
)
def test_blocks_and_threats(status: int, log: dict[str, Any], blocked: int, threats: int) -> None:
    """A prefilter block counts once, each rule found as a threat; other 400s are not blocks."""
    metrics = _observe(status, **log)
    assert _value(metrics, "aegis_blocked_total", service="edge", scanner="prefilter") == blocked
    found = sum(
        _value(
            metrics, "aegis_threats_detected_total", service="edge", scanner="prefilter", type=rule
        )
        for rule in log.get("prefilter", ())
    )
    assert found == threats
    assert (
        _value(metrics, "aegis_requests_total", service="edge", route=ROUTE, status=str(status))
        == 1
    )


def test_rate_limited_by_reason() -> None:
    """A rate-limit refusal counts under its reason."""
    metrics = _observe(429, ratelimit="tokens", error_code="rate_limit_exceeded")
    assert _value(metrics, "aegis_edge_ratelimited_total", reason="tokens") == 1
    assert _value(metrics, "aegis_edge_ratelimited_total", reason="requests") == 0


@pytest.mark.parametrize(
    ("enabled", "available", "failing"),
    [
        pytest.param(True, False, 1, id="enabled-no-core"),
        pytest.param(True, True, 0, id="enabled-core-up"),
        pytest.param(False, False, 0, id="disabled-no-core"),
    ],
)
def test_failing_open_is_read_at_scrape(enabled: bool, available: bool, failing: int) -> None:
    """``aegis_edge_failing_open`` is 1 only while fail-open is on and no core is available,
    read when scraped."""
    metrics = EdgeMetrics(HttpMetrics("edge"))
    state = {"available": not available}
    metrics.watch_fail_open(enabled, lambda: state["available"])
    state["available"] = available
    assert _value(metrics, "aegis_edge_failing_open") == failing
    assert _value(metrics, "aegis_edge_fail_open_enabled") == int(enabled)
