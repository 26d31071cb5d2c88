"""The edges' breakers on core, as security staff see them in core's console overview: each
edge reports its own through Redis (shared.edgereport), a real edge with one live and one
dead core shows one breaker open, a stopped edge withdraws, a silent one is marked so."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from edge.health import CorePool
from edge.report import BreakerReporter
from shared.edgereport import encode, reports_key
from tests.conftest import Stack, free_port, run_sync


def _overview(stack: Stack, key: str) -> dict[str, Any]:
    answer = httpx.get(
        stack.core.url + "/api/v1/admin/overview", headers={"authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.text
    breaker: dict[str, Any] = answer.json()["breaker"]
    return breaker


def _until(what: str, check: Any, within: float = 15.0) -> Any:
    deadline = time.monotonic() + within
    while not (result := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.1)
    return result


def test_an_edge_with_a_dead_core_reports_its_breaker_open(stack: Stack) -> None:
    admin = stack.create_key("admin", user="boss")
    dead = f"http://127.0.0.1:{free_port()}"
    first = stack.edge_settings.instance
    _until(
        "the first edge reports",
        lambda: [e["instance"] for e in _overview(stack, admin.key)["edges"]] == [first],
    )
    stack.restart_edge(core_endpoints=(stack.core.url, dead), instance_id="edge-with-a-dead-core")
    instance = stack.edge_settings.instance

    def opened() -> dict[str, Any] | None:
        breaker = _overview(stack, admin.key)
        mine = [e for e in breaker["edges"] if e["instance"] == instance]
        return breaker if mine and mine[0]["cores"].get("core_1") == "open" else None

    breaker = _until("the edge reports core_1's breaker open", opened)
    assert breaker["state"] == "open"
    # The first edge stopped cleanly and withdrew its report: only the running one is listed.
    [edge] = breaker["edges"]
    assert edge["cores"] == {"core_0": "closed", "core_1": "open"}
    assert edge["reporting"] is True
    assert dead not in orjson.dumps(breaker).decode()  # names, never core's addresses

    # The same edge with its dead core gone: the report follows at once, closed.
    stack.restart_edge(core_endpoints=(stack.core.url,))
    closed = _until(
        "the edge reports every breaker closed",
        lambda: (b := _overview(stack, admin.key))["state"] == "closed" and b,
    )
    assert [e["cores"] for e in closed["edges"]] == [{"core_0": "closed"}]


def test_a_silent_edge_is_marked_and_a_forgotten_one_removed(stack: Stack) -> None:
    admin = stack.create_key("admin", user="boss")
    key = reports_key(stack.redis_prefix)

    async def plant() -> None:
        client = aioredis.from_url(stack.redis_url)
        try:
            now = time.time()
            await client.hset(key, "silent-edge", encode({"core_0": "open"}, True, at=now - 60))
            await client.hset(key, "gone-edge", encode({"core_0": "open"}, True, at=now - 2e5))
            await client.hset(key, "garbage", b"\x00not json")
        finally:
            await client.aclose()

    run_sync(plant)
    breaker = _overview(stack, admin.key)
    by_name = {edge["instance"]: edge for edge in breaker["edges"]}
    assert set(by_name) == {"silent-edge", stack.edge_settings.instance}
    assert by_name["silent-edge"]["reporting"] is False
    assert by_name["silent-edge"]["age_s"] >= 60
    # A silent edge's old "open" does not make the state: the live edge's closed does.
    assert breaker["state"] == "closed"

    async def fields() -> set[bytes]:
        client = aioredis.from_url(stack.redis_url)
        try:
            return set(await client.hkeys(key))
        finally:
            await client.aclose()

    assert run_sync(fields) == {b"silent-edge", stack.edge_settings.instance.encode()}


async def test_redis_down_costs_the_report_only() -> None:
    """Against a port where no Redis listens the report fails, in one log line for the
    whole outage, and the edge's breakers are untouched."""
    cores = CorePool(
        ["http://127.0.0.1:9"],
        failure_threshold=1,
        recovery_threshold=1,
        interval_s=1,
        timeout_s=0.2,
        registry=CollectorRegistry(),
    )
    client = aioredis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    reporter = BreakerReporter(
        client, "t:", "edge-x", cores, fail_open=False, timeout_s=0.5, interval_s=0.05
    )
    try:
        with capture_logs() as logs:
            assert await reporter.publish() is False
            assert await reporter.publish() is False
            await reporter.withdraw()  # best effort: no error
        assert [line["event"] for line in logs] == ["breaker_report_failed"]
        assert cores.snapshot() == {"core_0": "closed"}
    finally:
        await client.aclose()
