"""A Redis outage is told in a few lines and metered, never logged once per request."""

from __future__ import annotations

import socket

import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from edge.ratelimit import RateLimiter, RateLimits

LIMITS = RateLimits(requests=1_000_000, window_ms=60_000, block_ms=0, tokens_per_minute=None)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _refused_url() -> str:
    """A Redis URL whose port refuses connections: a Redis that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


async def test_an_outage_logs_its_start_a_summary_per_interval_and_meters_each_decision() -> None:
    """With Redis down for 150 s of steady traffic: one ``ratelimit_degraded`` line, one
    summary a minute with its count, every decision counted in the metric, and the gauge up."""
    registry = CollectorRegistry()
    clock = Clock()
    client = aioredis.Redis.from_url(_refused_url(), socket_connect_timeout=0.25)
    limiter = RateLimiter(
        client, "t:", failure_mode="local", clock=clock, registry=registry, summary_interval_s=60
    )
    try:
        with capture_logs() as logs:
            for _ in range(600):  # four a second for 150 s
                decision = await limiter.check(
                    key_id="k", client_ip="10.0.0.1", key_limits=LIMITS, ip_limits=LIMITS,
                    prompt_tokens=0,
                )  # fmt: skip
                assert decision.allowed and decision.degraded
                clock.now += 0.25
        events = [line["event"] for line in logs]
        assert events.count("ratelimit_degraded") == 1
        summaries = [line for line in logs if line["event"] == "ratelimit_degraded_summary"]
        assert len(summaries) == 2
        # The first at 60 s (decisions 0 to 240), the next at 120 s (the 240 since).
        assert [line["degraded_decisions"] for line in summaries] == [241, 240]
        assert summaries[1]["degraded_decisions_in_outage"] == 481
        assert [line["down_s"] for line in summaries] == [60.0, 120.0]
        assert summaries[0]["failure_mode"] == "local"
        assert len(logs) == 3  # nothing else, whatever the traffic
        assert (
            registry.get_sample_value(
                "aegis_edge_ratelimit_degraded_decisions_total", {"failure_mode": "local"}
            )
            == 600
        )
        assert registry.get_sample_value("aegis_edge_ratelimit_outage") == 1
    finally:
        await client.aclose()


async def test_the_gauge_is_down_while_redis_answers(redis_url: str) -> None:
    """With Redis up nothing is degraded: no line, no count, the gauge at 0."""
    registry = CollectorRegistry()
    client = aioredis.Redis.from_url(redis_url)
    limiter = RateLimiter(client, "t-outage-logs:", registry=registry)
    try:
        with capture_logs() as logs:
            decision = await limiter.check(
                key_id="k", client_ip="10.0.0.1", key_limits=LIMITS, ip_limits=LIMITS,
                prompt_tokens=0,
            )  # fmt: skip
        assert decision.allowed and not decision.degraded
        assert logs == []
        assert registry.get_sample_value("aegis_edge_ratelimit_outage") == 0
        assert (
            registry.get_sample_value(
                "aegis_edge_ratelimit_degraded_decisions_total", {"failure_mode": "local"}
            )
            == 0
        )
    finally:
        await client.aclose()
