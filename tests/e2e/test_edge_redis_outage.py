"""Redis stopped mid-run: the edge keeps serving on its last key set and local limits."""

from __future__ import annotations

import time

import httpx
import pytest
from structlog.testing import capture_logs

from devstack.services import Service
from devupstream.app import DEFAULT_MODEL
from tests.conftest import Stack

CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture
def redis_url(own_redis: Service) -> str:
    """This module's stacks use a Redis of their own, which the tests stop."""
    return own_redis.url


def test_edge_keeps_serving_with_local_limits_when_redis_stops(
    stack: Stack, own_redis: Service
) -> None:
    """With Redis gone, known keys still work and limits fall back to the edge's own, logged."""
    key = stack.create_key().key
    stack.restart_edge(rate_limit_max_requests=5, rate_limit_failure_mode="local")
    headers = {"authorization": f"Bearer {key}"}
    assert (
        httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=headers).status_code
        == 200
    )
    own_redis.stop()
    with capture_logs() as logs:
        started = time.monotonic()
        statuses = [
            httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=headers).status_code
            for _ in range(7)
        ]
        took = time.monotonic() - started
    # The local limiter starts counting afresh: 5 allowed, then refused.
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
    assert took < 5, "requests must not stall on a dead Redis"
    assert any(line["event"] == "ratelimit_degraded" for line in logs)
