"""``GET /health`` on the edge and core, the path load balancers ask by default: liveness, no
key, no dependency asked."""

from __future__ import annotations

import time

import httpx

from tests.conftest import Stack


def test_health_on_both_processes_without_a_key(stack: Stack) -> None:
    """Both answer /health with 200 and their name, as /api/v1/health does, with no key."""
    for server, service in ((stack.edge, "edge"), (stack.core, "core")):
        answer = httpx.get(server.url + "/health")
        assert answer.status_code == 200
        assert answer.json() == {"status": "ok", "service": service}
        assert answer.json() == httpx.get(server.url + "/api/v1/health").json()
        assert answer.headers["x-aegis-request-id"]


def test_edge_health_does_not_ask_core(stack: Stack) -> None:
    """With core stopped (and fail-open off) the edge is not ready, yet /health still says 200:
    a load balancer's liveness check must not restart edges for an outage behind them."""
    stack.stop_core()
    deadline = time.monotonic() + 20
    while httpx.get(stack.edge.url + "/api/v1/ready").status_code != 503:
        assert time.monotonic() < deadline, "the edge never noticed core had stopped"
        time.sleep(0.1)
    answer = httpx.get(stack.edge.url + "/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_health_is_get_only(stack: Stack) -> None:
    """/health is read-only: another method is a 405, never routed to an API handler."""
    assert httpx.post(stack.edge.url + "/health").status_code == 405
    assert httpx.post(stack.core.url + "/health").status_code == 405
