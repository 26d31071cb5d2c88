"""Fixtures: real Redis and PostgreSQL, and edge, core and the development upstream as real
uvicorn servers on free ports.

Redis and PostgreSQL are those named by ``REDIS_URL`` / ``DATABASE_URL``, or throwaway
servers started for the session (``devstack.services``). Each session gets its own database;
each test its own Redis key prefix, so tests never see each other's keys.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
import uvicorn

from core.app import create_app as create_core
from core.db.migrate import apply_migrations
from core.keys.store import KeyStore, NewKey
from core.settings import CoreSettings
from devupstream.app import UpstreamKnobs, UpstreamStats
from devupstream.app import create_app as create_upstream
from edge.app import create_app as create_edge
from edge.settings import EdgeSettings
from shared.config import Secret
from shared.logging import configure_logging
from shared.serve import GatewayHttpProtocol
from tests.processes import ProcessStack, wait_healthy

configure_logging("info", service="tests")


# --- Redis and PostgreSQL -----------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis: ``REDIS_URL`` or a throwaway server for this session."""
    given = os.environ.get("REDIS_URL")
    if given:
        yield given
        return
    from devstack.services import start_redis

    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL server: ``DATABASE_URL`` or a throwaway one for this session."""
    given = os.environ.get("DATABASE_URL") or os.environ.get("POSTGRES_URL")
    if given:
        yield given
        return
    from devstack.services import start_postgres

    server = start_postgres(tmp_path_factory.mktemp("pg"))
    try:
        yield server.url
    finally:
        server.stop()


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def run_sync(coro_factory: Callable[[], Any]) -> Any:
    """Run a coroutine to completion on a fresh loop in a worker thread.

    Works from sync tests and from inside a running event loop alike.
    """
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


async def _execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh database for this test session, dropped at the end."""
    name = "aegis_test_" + secrets.token_hex(4)

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(_with_database(postgres_server_url, "postgres"))
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def migrate(url: str) -> None:
        connection = await asyncpg.connect(url)
        try:
            await apply_migrations(connection)
        finally:
            await connection.close()

    run_sync(lambda: admin(f'CREATE DATABASE "{name}"'))
    url = _with_database(postgres_server_url, name)
    # The schema exists before any core starts, as after `aegis db migrate`.
    run_sync(lambda: migrate(url))
    try:
        yield url
    finally:
        run_sync(lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[Any]:
    """A Redis server of this test's own, to stop, restart or read server-wide stats from."""
    from devstack.services import start_redis

    server = start_redis(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A client of the suite's Redis, closed after the test."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own."""
    return "t" + secrets.token_hex(4) + ":"


# The stack's core draws canaries with this secret, so a test can tell which one it sent.
CANARY_SECRET = "tests-canary-secret-0123456789"
# The stack's core keys its audit hashes with this, so a test can match a text it sent.
AUDIT_HASH_KEY = "tests-audit-hash-key-0123456789"


def access_lines(
    logs: list[dict[str, Any]],
    count: int,
    path: str | None = None,
    within: float = 5.0,
    request_ids: str | None = None,
) -> list[dict[str, Any]]:
    """The access lines (``"request"`` events) in ``logs`` captured so far (only ``path``'s,
    and only those whose request id starts with ``request_ids``, when given), once there are
    ``count``: a process writes its line after the answer's last byte, so the client can read
    the answer first (seen with the suite's parallel workers), and a line of a request made
    before the capture began can still come in."""
    deadline = time.monotonic() + within
    while True:
        lines = [
            line
            for line in list(logs)
            if line.get("event") == "request"
            and (path is None or line.get("path") == path)
            and (request_ids is None or str(line.get("request_id", "")).startswith(request_ids))
        ]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.01)


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerThread:
    """A uvicorn server running an ASGI app in a thread, on a socket bound up front, with
    the HTTP protocol ``python -m edge`` and ``python -m core`` serve with
    (:class:`shared.serve.GatewayHttpProtocol`)."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port or 0))
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        config = uvicorn.Config(
            app,
            lifespan="on",
            proxy_headers=False,
            log_config=None,
            access_log=False,
            loop="uvloop",
            http=GatewayHttpProtocol,
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self.sock],), daemon=True)

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.url} failed to start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.request_stop()
        self.wait_stopped()

    def request_stop(self) -> None:
        """Ask the server to stop (it notices within uvicorn's 0.1 s tick) without waiting:
        a stack's servers then shut down together, ~0.2 s instead of ~0.55 s one by one."""
        self.server.should_exit = True

    def wait_stopped(self) -> None:
        self.thread.join(10)
        self.sock.close()


@dataclass
class Upstream:
    server: ServerThread

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def stats(self) -> UpstreamStats:
        stats: UpstreamStats = self.server.app.state.stats
        return stats

    @property
    def knobs(self) -> UpstreamKnobs:
        knobs: UpstreamKnobs = self.server.app.state.knobs
        return knobs


@dataclass
class Stack:
    """Edge → core → development upstream, each a real server, on real Redis/PostgreSQL."""

    upstream: Upstream
    core: ServerThread
    edge: ServerThread
    database_url: str
    redis_url: str
    redis_prefix: str
    core_settings: CoreSettings
    edge_settings: EdgeSettings
    started: list[ServerThread] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.edge.url + "/v1"

    def create_key(
        self, role: str = "developer", *, user: str = "alice", tokens_per_minute: int | None = None
    ) -> NewKey:
        """Create a key in PostgreSQL and wait until the edge accepts it."""

        async def create() -> NewKey:
            connection = await asyncpg.connect(self.database_url)
            try:
                return await KeyStore(connection).create(
                    user=user, workspace="tests", role=role, tokens_per_minute=tokens_per_minute
                )
            finally:
                await connection.close()

        key: NewKey = run_sync(create)
        self.wait_for_key(key.key, accepted=True)
        return key

    def revoke_key(self, key_id: str) -> None:
        async def revoke() -> None:
            connection = await asyncpg.connect(self.database_url)
            try:
                await KeyStore(connection).revoke(key_id)
            finally:
                await connection.close()

        run_sync(revoke)

    def wait_for_key(self, key: str, *, accepted: bool, within: float = 10.0) -> float:
        """Poll the edge until ``key`` is accepted (or refused); return the seconds it took."""
        started = time.monotonic()
        while True:
            status = httpx.get(
                self.edge.url + "/v1/models", headers={"authorization": f"Bearer {key}"}
            ).status_code
            if (status != 401) == accepted and status != 503:
                return time.monotonic() - started
            if time.monotonic() - started > within:
                raise AssertionError(f"edge still answers {status} after {within} s")
            time.sleep(0.05)

    def stop_core(self) -> None:
        """Stop core: its port refuses connections until :meth:`start_core`."""
        self.core.stop()

    def start_core(self) -> None:
        """Start core again on the same port."""
        self.core = ServerThread(create_core(self.core_settings), port=self.core.port).start()
        self.started.append(self.core)

    def bypass_rows(self) -> list[dict[str, Any]]:
        """Every stored bypass event, oldest first."""

        async def fetch() -> list[dict[str, Any]]:
            connection = await asyncpg.connect(self.database_url)
            try:
                rows = await connection.fetch("SELECT * FROM bypass_events ORDER BY id")
                return [dict(row) for row in rows]
            finally:
                await connection.close()

        rows: list[dict[str, Any]] = run_sync(fetch)
        return rows

    def wait_bypass_rows(self, count: int, within: float = 15.0) -> list[dict[str, Any]]:
        """Poll PostgreSQL until ``count`` bypass events are stored (and no more)."""
        deadline = time.monotonic() + within
        while len(rows := self.bypass_rows()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(rows)} bypass events stored, expected {count}")
            time.sleep(0.1)
        return rows

    def restart_edge(self, **changes: Any) -> None:
        self.edge.stop()
        self.edge_settings = replace(self.edge_settings, **changes)
        self.edge = ServerThread(create_edge(self.edge_settings)).start()
        self.started.append(self.edge)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = ServerThread(create_upstream(UpstreamKnobs())).start()
    try:
        yield Upstream(server)
    finally:
        server.stop()


@pytest.fixture
def stack(
    upstream: Upstream, database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> Iterator[Stack]:
    core_settings = CoreSettings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        upstream_url=upstream.url,
        key_sync_interval_ms=500,
        canary_secret=Secret(CANARY_SECRET),
        audit_hash_key=Secret(AUDIT_HASH_KEY),
        audit_spool_dir=tmp_path / "audit",
    )
    # The database lives for the session; bypass events, policies and audit rows are this
    # test's own.
    run_sync(
        lambda: _execute(
            database_url,
            "TRUNCATE bypass_events, policies, audit_logs, audit_chain_heads, audit_dead_letters",
        )
    )
    core = ServerThread(create_core(core_settings)).start()
    edge_settings = EdgeSettings(
        core_endpoints=(core.url,),
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        key_sync_interval_ms=100,
        max_request_bytes=64 * 1024,
        fail_open_target_url=upstream.url,
        bypass_spool_dir=tmp_path / "spool",
    )
    edge = ServerThread(create_edge(edge_settings)).start()
    built = Stack(
        upstream=upstream,
        core=core,
        edge=edge,
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        core_settings=core_settings,
        edge_settings=edge_settings,
        started=[core, edge],
    )
    try:
        yield built
    finally:
        # The upstream fixture stops its server after this: it may begin now.
        for server in (*built.started, built.upstream.server):
            server.request_stop()
        for server in reversed(built.started):
            server.wait_stopped()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# --- the real processes ------------------------------------------------------------------


@pytest.fixture
def process_stack(
    tmp_path: Path, database_url: str, redis_url: str, redis_prefix: str
) -> Iterator[ProcessStack]:
    """The development upstream, core and edge as ``python -m`` processes on this test's
    Redis prefix and the session's database, stopped with SIGTERM at the end."""
    with start_process_stack(tmp_path, database_url, redis_url, redis_prefix) as stack:
        yield stack


@contextlib.contextmanager
def start_process_stack(
    tmp_path: Path,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    settings: dict[str, dict[str, str]] | None = None,
) -> Iterator[ProcessStack]:
    """:func:`process_stack` with more ``settings`` per process (``upstream``, ``core``,
    ``edge``: environment variables)."""
    settings = settings or {}
    ports = {name: free_port() for name in ("upstream", "core", "edge")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    base = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "KEY_SYNC_INTERVAL_MS": "200",
        "LOG_LEVEL": "info",
    }
    commands = {
        "upstream": ({"PORT": str(ports["upstream"])}, "devupstream", "/health"),
        "core": (
            {"PORT": str(ports["core"]), "UPSTREAM_URL": urls["upstream"]},
            "core",
            "/api/v1/health",
        ),
        "edge": (
            # UPSTREAM_URL: where the edge fails open to, when told to (FAIL_OPEN_ENABLED).
            {
                "PORT": str(ports["edge"]),
                "CORE_ENDPOINT": urls["core"],
                "UPSTREAM_URL": urls["upstream"],
            },
            "edge",
            "/api/v1/health",
        ),
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs: dict[str, Path] = {}
    try:
        for name, (env, module, health) in commands.items():
            logs[name] = tmp_path / f"{name}.log"
            with logs[name].open("wb") as out:
                processes[name] = subprocess.Popen(
                    [sys.executable, "-m", module],
                    env={**os.environ, **base, **env, **settings.get(name, {})},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            wait_healthy(
                urls[name] + health,
                processes[name],
                lambda log=logs[name]: log.read_text()[-2000:],
            )
        yield ProcessStack(urls["edge"], urls["core"], urls["upstream"], base, logs, processes)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
