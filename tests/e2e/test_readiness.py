"""Readiness is "can serve": a dependency either tier serves without is reported, not a 503."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from structlog.testing import capture_logs

from core.app import create_app as create_core
from devstack.services import Service
from devupstream.app import DEFAULT_MODEL
from tests.conftest import ServerThread, Stack, run_sync
from tests.tcpproxy import TcpProxy

CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture
def redis_url(own_redis: Service) -> str:
    """This module's stacks use a Redis of their own, which the tests stop."""
    return own_redis.url


def _ready(url: str) -> httpx.Response:
    return httpx.get(url + "/api/v1/ready")


def _gauge(metrics: str, name: str, labels: str) -> float:
    match = re.search(rf"^{name}\{{{re.escape(labels)}\}} (\S+)$", metrics, re.MULTILINE)
    assert match is not None, f"{name}{{{labels}}} not in the metrics"
    return float(match[1])


def test_edge_and_core_stay_ready_without_redis(stack: Stack, own_redis: Service) -> None:
    """With Redis stopped both tiers still serve: 200, ``degraded: ["redis"]``, the gauge at
    0 (scraped, without a probe first), and one outage line however many requests pass."""
    key = stack.create_key().key
    own_redis.stop()
    edge_metrics = httpx.get(stack.edge.url + "/metrics").text
    assert _gauge(edge_metrics, "aegis_dependency_up", 'dependency="redis"') == 0
    assert _gauge(edge_metrics, "aegis_dependency_up", 'dependency="core_0"') == 1

    for url in (stack.edge.url, stack.core.url):
        ready = _ready(url)
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ready"
        assert ready.json()["degraded"] == ["redis"]
        assert ready.json()["checks"]["redis"] == "unreachable"

    headers = {"authorization": f"Bearer {key}"}
    with capture_logs() as logs:
        statuses = [
            httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=headers).status_code
            for _ in range(30)
        ]
    assert statuses == [200] * 30
    outage_lines = [line for line in logs if "ratelimit" in line["event"]]
    assert [line["event"] for line in outage_lines] == ["ratelimit_degraded"]
    assert not any("ratelimit_degraded" in line for line in logs if line["event"] == "request")
    edge_metrics = httpx.get(stack.edge.url + "/metrics").text
    assert (
        _gauge(
            edge_metrics,
            "aegis_edge_ratelimit_degraded_decisions_total",
            'failure_mode="local"',
        )
        == 30
    )


def test_the_edge_never_shows_core_addresses(stack: Stack) -> None:
    """The public readiness answer names cores core_0, core_1…: their internal URLs stay in."""
    ready = _ready(stack.edge.url)
    assert ready.json()["cores"] == {"core_0": "closed"}
    assert ready.json()["degraded"] == []
    assert stack.core.url not in ready.text
    assert f":{stack.core.port}" not in ready.text


def test_edge_without_core_is_ready_only_when_failing_open(stack: Stack) -> None:
    """No core and fail-closed: the edge cannot serve (503); with fail-open it can, degraded."""
    stack.stop_core()
    deadline = time.monotonic() + 5
    while (closed := _ready(stack.edge.url)).status_code == 200:
        assert time.monotonic() < deadline, "edge still ready 5 s after core stopped"
        time.sleep(0.05)
    assert closed.status_code == 503
    assert closed.json()["status"] == "not_ready"
    assert closed.json()["checks"]["core"] == "unavailable"
    assert closed.json()["degraded"] == ["core_0"]

    stack.restart_edge(fail_open_enabled=True)
    deadline = time.monotonic() + 5
    while (opened := _ready(stack.edge.url)).json()["checks"]["core"] != "bypassing":
        assert time.monotonic() < deadline, "breaker not open 5 s after the edge started"
        time.sleep(0.05)
    assert opened.status_code == 200
    assert opened.json()["status"] == "ready"
    assert opened.json()["degraded"] == ["core_0"]


def test_core_stays_ready_without_postgres_or_the_model_server(stack: Stack) -> None:
    """Keys and policies loaded, core serves from memory: PostgreSQL and the model server
    going away are reported as degraded, and core answers 200 to readiness."""
    key = stack.create_key().key
    parts = urlsplit(stack.database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.open()
    try:
        proxied = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
        core = ServerThread(create_core(replace(stack.core_settings, database_url=proxied)))
        stack.started.append(core.start())
        assert _ready(core.url).json()["degraded"] == []
        proxy.close()
        stack.upstream.server.stop()
        ready = _ready(core.url)
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ready"
        assert ready.json()["degraded"] == ["database", "upstream"]
        metrics = httpx.get(core.url + "/metrics").text
        assert _gauge(metrics, "aegis_dependency_up", 'dependency="database"') == 0
        assert _gauge(metrics, "aegis_dependency_up", 'dependency="redis"') == 1
        # Serving indeed: the key is known, the model server's absence is the answer's.
        answer = httpx.post(
            core.url + "/v1/chat/completions", json=CHAT, headers={"authorization": f"Bearer {key}"}
        )
        assert answer.json()["error"]["code"] == "upstream_unreachable"
    finally:
        proxy.shutdown()


async def _sql(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def test_a_stored_policy_that_does_not_parse_is_reported(stack: Stack) -> None:
    """A stored policy core cannot read is skipped but never silently: logged once, counted,
    and listed in readiness until it is fixed."""
    # Stored as a release that had a scanner named so might have: no check stops it here.
    insert = (
        "INSERT INTO policies (scope, subject, document, updated_by) VALUES ('workspace', "
        """'payments', '{"thresholds": {"no_such_scanner": 0.5}}', 'test'); """
        "NOTIFY aegis_policies"
    )
    with capture_logs() as logs:
        run_sync(lambda: _sql(stack.database_url, insert))
        deadline = time.monotonic() + 5
        while not (ready := _ready(stack.core.url).json())["degraded"]:
            assert time.monotonic() < deadline, "the skipped policy was not reported"
            time.sleep(0.05)
    assert ready["status"] == "ready"
    assert ready["degraded"] == ["policy:workspace/payments"]
    skipped = [line for line in logs if line["event"] == "policy_skipped"]
    assert [(line["policy"], line["log_level"]) for line in skipped] == [
        ("workspace/payments", "error")
    ]
    metrics = httpx.get(stack.core.url + "/metrics").text
    assert "aegis_core_policies_invalid 1.0" in metrics

    run_sync(
        lambda: _sql(
            stack.database_url,
            "UPDATE policies SET document = '{\"dry_run\": true}' "
            "WHERE subject = 'payments'; NOTIFY aegis_policies",
        )
    )
    deadline = time.monotonic() + 5
    while _ready(stack.core.url).json()["degraded"]:
        assert time.monotonic() < deadline, "the fixed policy is still reported"
        time.sleep(0.05)
    assert "aegis_core_policies_invalid 0.0" in httpx.get(stack.core.url + "/metrics").text


def test_every_loop_is_supervised_and_metered(stack: Stack) -> None:
    """Each lifespan loop of both tiers has its restart counter, at 0 while none crashed."""
    edge = httpx.get(stack.edge.url + "/metrics").text
    for loop in ("keyset-refresh", "core-health", "bypass-replay"):
        assert _gauge(edge, "aegis_loop_restarts_total", f'loop="{loop}"') == 0
        assert _gauge(edge, "aegis_loop_failing", f'loop="{loop}"') == 0
    core = httpx.get(stack.core.url + "/metrics").text
    for loop in ("database-connect", "keys-sync", "policies-sync", "bypass-consumer"):
        assert _gauge(core, "aegis_loop_restarts_total", f'loop="{loop}"') == 0
        assert _gauge(core, "aegis_loop_failing", f'loop="{loop}"') == 0


def test_a_crashed_loop_is_restarted_and_reported(stack: Stack) -> None:
    """A loop that crashes (here: connecting with a DATABASE_URL whose port is not a number,
    an error no retry expects) is restarted with backoff, counted, logged by type only, and
    listed in readiness."""
    parts = urlsplit(stack.database_url)
    typo = urlunsplit(parts._replace(netloc=f"{parts.username}:s3cret-pw@127.0.0.1:fivefour"))
    with capture_logs() as logs:
        core = ServerThread(create_core(replace(stack.core_settings, database_url=typo)))
        stack.started.append(core.start())
        deadline = time.monotonic() + 10
        while "loop:database-connect" not in (ready := _ready(core.url)).json()["degraded"]:
            assert time.monotonic() < deadline, f"the crashed loop is not reported: {ready.text}"
            time.sleep(0.05)
    assert ready.status_code == 503  # no keys without a database: it cannot serve
    assert ready.json()["degraded"] == ["database", "loop:database-connect"]
    crashes = [line for line in logs if line["event"] == "loop_crashed"]
    assert crashes
    assert {(line["loop"], line["error"]) for line in crashes} == {
        ("database-connect", "ValueError")
    }
    assert "s3cret-pw" not in repr(logs)
    metrics = httpx.get(core.url + "/metrics").text
    assert _gauge(metrics, "aegis_loop_restarts_total", 'loop="database-connect"') >= 1
    assert _gauge(metrics, "aegis_loop_failing", 'loop="database-connect"') == 1
