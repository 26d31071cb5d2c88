"""A trusted peer's client-IP headers reach logs, Redis and PostgreSQL only as IP addresses."""

from __future__ import annotations

import httpx
import pytest
import redis
from structlog.testing import capture_logs

from devupstream.app import DEFAULT_MODEL
from shared.logging import add_request_context
from tests.conftest import Stack, access_lines

CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}
INJECTION = "6.6.6.6' OR '1'='1 <script>"


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param({"x-aegis-client-ip": INJECTION}, id="client-ip-injection"),
        pytest.param({"x-aegis-client-ip": "fe80::1%<script>"}, id="client-ip-zone-text"),
        pytest.param({"x-forwarded-for": "fe80::1%<script>"}, id="forwarded-for-zone-text"),
    ],
)
def test_invalid_client_ip_from_trusted_peer_is_the_peer(
    stack: Stack, forged: dict[str, str]
) -> None:
    """The edge (whose peer, 127.0.0.1, is trusted) and core log the peer, never the text."""
    key = stack.create_key().key
    with capture_logs(processors=[add_request_context]) as logs:
        response = httpx.post(
            stack.base_url + "/chat/completions", json=CHAT, headers={**_auth(key), **forged}
        )
        request_lines = access_lines(logs, 2, "/v1/chat/completions")
    assert response.status_code == 200
    assert len(request_lines) == 2  # the edge's and core's
    assert {line["client_ip"] for line in request_lines} == {"127.0.0.1"}
    rejected = [line for line in logs if line["event"] == "client_ip_header_rejected"]
    assert [line["header"] for line in rejected] == list(forged)
    assert "<script>" not in repr(logs)
    # The rate limiter counted the request under the peer's address, not the forged text.
    client = redis.Redis.from_url(stack.redis_url)
    try:
        keys = [k.decode() for k in client.scan_iter(match=f"{stack.redis_prefix}*ip:*")]
    finally:
        client.close()
    assert keys
    assert all(k.endswith("ip:127.0.0.1") for k in keys), keys


def test_bypass_event_stores_the_peer_for_an_invalid_client_ip(stack: Stack) -> None:
    """A forged X-Aegis-Client-Ip on a bypassed request is stored as the peer's address."""
    key = stack.create_key().key
    stack.restart_edge(fail_open_enabled=True)
    stack.stop_core()
    answer = httpx.post(
        stack.base_url + "/chat/completions",
        json=CHAT,
        headers={**_auth(key), "x-aegis-client-ip": INJECTION},
    )
    assert answer.headers["x-aegis-bypassed"] == "true"
    stack.start_core()
    [row] = stack.wait_bypass_rows(1)
    assert row["client_ip"] == "127.0.0.1"
