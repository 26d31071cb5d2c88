"""Dependencies that are down at start or go away: core waits, then recovers by itself."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

import httpx

from core.app import create_app as create_core
from core.settings import CoreSettings
from tests.conftest import ServerThread, Stack
from tests.tcpproxy import TcpProxy

CHAT = {"model": "aegis-dev-echo", "messages": [{"role": "user", "content": "hello"}]}


def test_core_started_without_postgres_recovers_when_it_appears(stack: Stack) -> None:
    """Core starts with PostgreSQL unreachable, says so, and serves once it is reachable."""
    key = stack.create_key().key
    parts = urlsplit(stack.database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxied = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    settings = CoreSettings(
        database_url=proxied,
        redis_url=stack.redis_url,
        redis_prefix=stack.redis_prefix,
        upstream_url=stack.upstream.url,
        key_sync_interval_ms=500,
    )
    core = ServerThread(create_core(settings)).start()
    try:
        ready = httpx.get(core.url + "/api/v1/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "unreachable"
        refused = httpx.post(
            core.url + "/v1/chat/completions", json=CHAT, headers={"authorization": f"Bearer {key}"}
        )
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "key_store_unavailable"

        proxy.open()
        deadline = time.monotonic() + 15
        while httpx.get(core.url + "/api/v1/ready").status_code != 200:
            assert time.monotonic() < deadline, "core did not recover"
            time.sleep(0.1)
        served = httpx.post(
            core.url + "/v1/chat/completions", json=CHAT, headers={"authorization": f"Bearer {key}"}
        )
        assert served.status_code == 200
    finally:
        core.stop()
        proxy.shutdown()


def test_keys_survive_a_postgres_outage(stack: Stack) -> None:
    """Known keys keep working while PostgreSQL is unreachable; readiness reports it."""
    key = stack.create_key().key
    parts = urlsplit(stack.database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.open()
    proxied = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    settings = CoreSettings(
        database_url=proxied,
        redis_url=stack.redis_url,
        redis_prefix=stack.redis_prefix,
        upstream_url=stack.upstream.url,
        key_sync_interval_ms=200,
    )
    core = ServerThread(create_core(settings)).start()
    try:
        assert httpx.get(core.url + "/api/v1/ready").status_code == 200
        proxy.close()
        time.sleep(0.6)  # a few failed reloads
        assert httpx.get(core.url + "/api/v1/ready").json()["checks"]["database"] == "unreachable"
        served = httpx.post(
            core.url + "/v1/chat/completions", json=CHAT, headers={"authorization": f"Bearer {key}"}
        )
        assert served.status_code == 200
    finally:
        core.stop()
        proxy.shutdown()
