"""Behaviours of the request path a security team relies on: cancellation, revocation, trust."""

from __future__ import annotations

import ipaddress
import time

import httpx
import pytest
from structlog.testing import capture_logs

from devupstream.app import DEFAULT_MODEL
from shared.logging import add_request_context
from tests.conftest import Stack, access_lines

CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _wait_until(predicate, within: float = 5.0) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > within:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)
    return time.monotonic() - started


def test_disconnect_mid_stream_cancels_upstream(stack: Stack) -> None:
    """A client that leaves mid-stream makes the model server's generation stop."""
    key = stack.create_key().key
    body = {**CHAT, "stream": True, "devupstream": {"chunks": 40, "delay_ms": 100}}
    with (
        httpx.Client(timeout=10) as client,
        client.stream(
            "POST", stack.base_url + "/chat/completions", json=body, headers=_auth(key)
        ) as response,
    ):
        assert response.status_code == 200
        lines = response.iter_lines()
        received = [line for _, line in zip(range(4), lines, strict=False) if line]
        assert received[0].startswith("data: ")
        assert stack.upstream.stats.active == 1
    # The client closed its connection after a few chunks of forty.
    _wait_until(lambda: stack.upstream.stats.cancelled == 1, within=3.0)
    assert stack.upstream.stats.active == 0
    assert stack.upstream.stats.completed == 0


def test_disconnect_while_waiting_cancels_upstream(stack: Stack) -> None:
    """A client that gives up on a slow non-streamed call cancels it upstream too."""
    key = stack.create_key().key
    body = {**CHAT, "devupstream": {"delay_ms": 5000}}
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(stack.base_url + "/chat/completions", json=body, headers=_auth(key), timeout=0.5)
    _wait_until(lambda: stack.upstream.stats.cancelled == 1, within=3.0)
    assert stack.upstream.stats.completed == 0


def test_revoked_key_is_refused_at_the_edge_within_seconds(stack: Stack) -> None:
    """After `revoke`, the edge refuses the key within a couple of seconds."""
    key = stack.create_key()
    assert (
        httpx.post(
            stack.base_url + "/chat/completions", json=CHAT, headers=_auth(key.key)
        ).status_code
        == 200
    )
    stack.revoke_key(key.key_id)
    took = stack.wait_for_key(key.key, accepted=False, within=5.0)
    assert took < 3.0
    response = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=_auth(key.key))
    assert response.status_code == 401


def test_edge_rejects_unknown_keys_without_core(stack: Stack) -> None:
    """The edge decides on keys itself: with core down, a bad key is 401 and a good one 503."""
    key = stack.create_key().key
    stack.core.stop()
    bad = httpx.post(
        stack.base_url + "/chat/completions", json=CHAT, headers=_auth("sk-aegis-nope")
    )
    good = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=_auth(key))
    assert bad.status_code == 401
    assert good.status_code == 503


def test_new_key_accepted_after_edge_restart_without_postgres_access(stack: Stack) -> None:
    """A fresh edge loads the key set from Redis alone (it has no PostgreSQL settings at all)."""
    key = stack.create_key().key
    stack.restart_edge()
    response = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=_auth(key))
    assert response.status_code == 200


def test_request_id_from_trusted_caller_is_adopted(stack: Stack) -> None:
    """A trusted proxy's X-Aegis-Request-Id is kept end to end."""
    key = stack.create_key().key
    headers = {**_auth(key), "x-aegis-request-id": "nginx-abc123"}
    response = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=headers)
    assert response.headers["x-aegis-request-id"] == "nginx-abc123"
    assert stack.upstream.stats.last_headers["x-aegis-request-id"] == "nginx-abc123"


def test_request_id_from_untrusted_caller_is_replaced(stack: Stack) -> None:
    """An untrusted client cannot choose its request id (it would forge audit trails)."""
    key = stack.create_key().key
    stack.restart_edge(trusted_proxies=(ipaddress.ip_network("192.0.2.0/24"),))
    headers = {**_auth(key), "x-aegis-request-id": "forged-id"}
    response = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=headers)
    assert response.status_code == 200
    request_id = response.headers["x-aegis-request-id"]
    assert request_id != "forged-id"
    assert stack.upstream.stats.last_headers["x-aegis-request-id"] == request_id


@pytest.mark.parametrize(
    ("trusted", "expected_ip"),
    [
        pytest.param(True, "203.0.113.7", id="trusted-proxy"),
        pytest.param(False, "127.0.0.1", id="untrusted-peer"),
    ],
)
def test_client_ip_from_forwarded_for_only_behind_trusted_proxy(
    stack: Stack, trusted: bool, expected_ip: str
) -> None:
    """X-Forwarded-For sets the client IP only when the peer is a trusted proxy."""
    key = stack.create_key().key
    if not trusted:
        stack.restart_edge(trusted_proxies=())
    headers = {**_auth(key), "x-forwarded-for": "203.0.113.7"}
    with capture_logs(processors=[add_request_context]) as logs:
        response = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=headers)
        request_lines = access_lines(logs, 2, "/v1/chat/completions")
    assert response.status_code == 200
    # One line from the edge and one from core, both with the same client IP and request id.
    assert len(request_lines) == 2
    assert {line["client_ip"] for line in request_lines} == {expected_ip}
    assert {line["request_id"] for line in request_lines} == {
        response.headers["x-aegis-request-id"]
    }


def test_ready_reports_dependencies(stack: Stack) -> None:
    """Readiness is 200 with everything up, 200 naming a dependency it serves without, and
    503 only when it cannot serve."""
    assert httpx.get(stack.edge.url + "/api/v1/ready").json()["status"] == "ready"
    assert httpx.get(stack.core.url + "/api/v1/ready").json()["status"] == "ready"
    stack.upstream.server.stop()
    core_ready = httpx.get(stack.core.url + "/api/v1/ready")
    assert core_ready.status_code == 200  # the model server is every core's: degraded
    assert core_ready.json()["degraded"] == ["upstream"]
    assert core_ready.json()["checks"]["upstream"] == "unreachable"
    stack.core.stop()
    # The edge learns it from its health checks: the breaker opens after 3 failed checks.
    deadline = time.monotonic() + 5
    while (edge_ready := httpx.get(stack.edge.url + "/api/v1/ready")).status_code == 200:
        assert time.monotonic() < deadline, "edge still ready 5 s after core stopped"
        time.sleep(0.1)
    assert edge_ready.status_code == 503
    assert edge_ready.json()["checks"]["core"] == "unavailable"
    assert edge_ready.json()["cores"] == {"core_0": "open"}
    assert httpx.get(stack.edge.url + "/api/v1/health").status_code == 200


def test_metrics_count_requests(stack: Stack) -> None:
    """/metrics exposes request counts by route and status."""
    key = stack.create_key().key
    httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=_auth(key))
    text = httpx.get(stack.edge.url + "/metrics").text
    assert (
        'aegis_requests_total{route="/v1/chat/completions",service="edge",status="200"} 1.0' in text
    )
