"""Dependencies that are down at start or go away: core waits, then recovers by itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from core.app import create_app as create_core
from core.settings import CoreSettings
from tests.conftest import ServerThread, Stack
from tests.tcpproxy import TcpProxy

CHAT = {"model": "aegis-dev-echo", "messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture
def core_behind_proxy(stack: Stack) -> Iterator[tuple[TcpProxy, Callable[[], ServerThread]]]:
    """A TCP proxy in front of PostgreSQL, and a factory for a core that reaches it only so."""
    parts = urlsplit(stack.database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxied = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    started: list[ServerThread] = []

    def start_core() -> ServerThread:
        settings = CoreSettings(
            database_url=proxied,
            redis_url=stack.redis_url,
            redis_prefix=stack.redis_prefix,
            upstream_url=stack.upstream.url,
            key_sync_interval_ms=200,
            # The audit spool and key of this test's stack, not the working tree's .run/.
            audit_hash_key=stack.core_settings.audit_hash_key,
            audit_spool_dir=stack.core_settings.audit_spool_dir,
        )
        started.append(ServerThread(create_core(settings)).start())
        return started[-1]

    try:
        yield proxy, start_core
    finally:
        for core in started:
            core.stop()
        proxy.shutdown()


def _chat(core: ServerThread, key: str) -> httpx.Response:
    return httpx.post(
        core.url + "/v1/chat/completions", json=CHAT, headers={"authorization": f"Bearer {key}"}
    )


def test_core_started_without_postgres_recovers_when_it_appears(
    stack: Stack, core_behind_proxy
) -> None:
    """Core starts with PostgreSQL unreachable, says so, and serves once it is reachable."""
    key = stack.create_key().key
    proxy, start_core = core_behind_proxy
    core = start_core()
    ready = httpx.get(core.url + "/api/v1/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unreachable"
    assert ready.json()["checks"]["policies"] == "not_loaded"  # only defaults known yet
    refused = _chat(core, key)
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "key_store_unavailable"

    proxy.open()
    deadline = time.monotonic() + 15
    while httpx.get(core.url + "/api/v1/ready").status_code != 200:
        assert time.monotonic() < deadline, "core did not recover"
        time.sleep(0.1)
    assert _chat(core, key).status_code == 200


def test_keys_survive_a_postgres_outage(stack: Stack, core_behind_proxy) -> None:
    """Known keys keep working while PostgreSQL is unreachable; readiness reports it."""
    key = stack.create_key().key
    proxy, start_core = core_behind_proxy
    proxy.open()
    core = start_core()
    assert httpx.get(core.url + "/api/v1/ready").status_code == 200
    proxy.close()
    time.sleep(0.6)  # a few failed reloads
    assert httpx.get(core.url + "/api/v1/ready").json()["checks"]["database"] == "unreachable"
    assert _chat(core, key).status_code == 200
