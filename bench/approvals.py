"""``python -m bench.approvals``: time from an admin's approval to the held call's release.

Real PostgreSQL (``DATABASE_URL``; a throwaway database made and dropped). One core's
:class:`core.approvals.service.Approvals` (its shared LISTEN connection running, polling
every ``--polling`` s as in production) holds ``--calls`` calls, ``--concurrent`` at a time;
for each, once its row is pending, an "admin" on another pool (as another core's admin API
would) approves it with :meth:`ApprovalStore.decide`; the figure is from the decision's
commit to the moment ``hold`` returns in the waiting core (NOTIFY, the listener's read of
the decided rows, the waiter woken). The HTTP hops around it (the admin's request, the
answer's way back to the agent) are not in it. ``--no-listen`` measures the polling
fallback alone (a core that missed the NOTIFY).

``--http`` measures the whole way instead: a real core (and the development upstream) on
local ports, an agent's JSON chat call whose CRITICAL ``execute_python`` is held, an admin's
``POST /api/v1/admin/approvals/{id}/approve``; the figure is from the moment the admin's
200 arrives to the moment the agent has its answer (``REDIS_URL`` is needed too).

    python -m bench.approvals --calls 300 --concurrent 10
    python -m bench.approvals --http --calls 100 --concurrent 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import threading
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import uvicorn
from prometheus_client import CollectorRegistry

from core.app import create_app as create_core
from core.approvals.service import ApprovalMetrics, Approvals
from core.approvals.store import ApprovalStore
from core.db.migrate import apply_migrations
from core.db.pool import Database
from core.keys.store import KeyStore
from core.settings import CoreSettings
from core.tools.catalogue import ToolOverride
from core.tools.store import ToolStore
from devupstream.app import FIXTURE_MODEL, UpstreamKnobs
from devupstream.app import create_app as create_upstream


async def _one(approvals: Approvals, admin: ApprovalStore, user: str) -> float:
    """One held call, approved once pending: seconds from the decision to its release."""
    decided_at: list[float] = []
    holding = asyncio.create_task(
        approvals.hold(
            tool="execute_python",
            level="CRITICAL",
            arguments='{"code": "print(1)"}',
            user_id=user,
            workspace="bench",
            exchange_id=user,
        )
    )
    while True:
        rows = [row for row in await admin.list(status="pending") if row.user_id == user]
        if rows:
            break
        await asyncio.sleep(0.005)
    done = await admin.decide(rows[0].request_id, "approved", "bench-admin", None)
    decided_at.append(time.perf_counter())
    assert done.changed  # noqa: S101 - a bench's own check
    held = await holding
    released = time.perf_counter()
    assert held.status == "approved"  # noqa: S101
    return released - decided_at[0]


async def run(server_url: str, calls: int, concurrent: int, polling: float, listen: bool) -> Any:
    name = "aegis_bench_" + secrets.token_hex(4)
    admin_connection = await asyncpg.connect(server_url)
    await admin_connection.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server_url)._replace(path="/" + name))
    try:
        connection = await asyncpg.connect(url)
        await apply_migrations(connection)
        await connection.close()
        database = Database(url, max_size=concurrent + 4)
        await database.run()
        approvals = Approvals(
            database,
            timeout_s=60,
            polling_s=polling,
            max_pending=concurrent * 2,
            preview=lambda text: text,
            metrics=ApprovalMetrics(CollectorRegistry(), True),
        )
        listener = asyncio.create_task(approvals.run() if listen else _poll_only(approvals))
        admin_pool = await asyncpg.create_pool(url, min_size=1, max_size=concurrent + 1)
        admin = ApprovalStore(admin_pool)
        await asyncio.sleep(0.2)  # the listener is up
        slots = asyncio.Semaphore(concurrent)

        async def limited(n: int) -> float:
            async with slots:
                return await _one(approvals, admin, f"u{n}")

        started = time.perf_counter()
        latencies = sorted(await asyncio.gather(*(limited(n) for n in range(calls))))
        wall = time.perf_counter() - started
        listener.cancel()
        await admin_pool.close()
        await database.close()

        def ms(q: float) -> float:
            return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)

        return {
            "calls": calls,
            "concurrent": concurrent,
            "listen": listen,
            "polling_s": polling,
            "release_ms_p50": ms(0.50),
            "release_ms_p99": ms(0.99),
            "release_ms_max": round(latencies[-1] * 1000, 1),
            "release_ms_mean": round(statistics.fmean(latencies) * 1000, 1),
            "wall_s": round(wall, 2),
        }
    finally:
        await admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin_connection.close()


async def _poll_only(approvals: Approvals) -> None:
    """The polling fallback alone: the listener's refresh every interval, no NOTIFY."""
    pool = await approvals._database.wait_pool()
    while True:
        await approvals._refresh(pool)
        await asyncio.sleep(approvals._polling_s)


class _Server:
    """A uvicorn server for an ASGI app in a thread, on a free local port."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self.sock],), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


async def run_http(server_url: str, redis_url: str, calls: int, concurrent: int) -> Any:
    name = "aegis_bench_" + secrets.token_hex(4)
    admin_connection = await asyncpg.connect(server_url)
    await admin_connection.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server_url)._replace(path="/" + name))
    upstream = core = None
    try:
        connection = await asyncpg.connect(url)
        await apply_migrations(connection)
        # One agent (user) per slot: each finds its own held call by its user.
        agent_keys = [
            await KeyStore(connection).create(
                user=f"agent{n}", workspace="bench", role="ai-developer"
            )
            for n in range(concurrent)
        ]
        admin_key = await KeyStore(connection).create(user="boss", workspace="bench", role="admin")
        # Only the level holds the fixture's call (its code would fail the code check).
        await ToolStore(connection).put(
            "bench", "execute_python", ToolOverride.parse({"commands": []}), "bench"
        )
        await connection.close()
        upstream = _Server(create_upstream(UpstreamKnobs()))
        settings = CoreSettings(
            database_url=url,
            redis_url=redis_url,
            redis_prefix="aegis-bench-" + secrets.token_hex(4),
            upstream_url=upstream.url,
            key_sync_interval_ms=200,
            audit_enabled=False,
            bypass_consumer_enabled=False,
            approval_max_pending=max(50, concurrent * 2),
        )
        core = _Server(create_core(settings))
        admin = {"authorization": "Bearer " + admin_key.key}
        body = {
            "model": FIXTURE_MODEL,
            "messages": [{"role": "user", "content": "fixture:tool_execute_python"}],
        }
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
            base = core.url
            while True:  # until core has loaded the keys
                async with http.get(base + "/api/v1/admin/approvals", headers=admin) as answer:
                    if answer.status == 200:
                        break
                await asyncio.sleep(0.1)
            slots: asyncio.Queue[int] = asyncio.Queue()
            for n in range(concurrent):
                slots.put_nowait(n)

            async def one() -> float:
                slot = await slots.get()
                try:
                    return await _held_call(slot)
                finally:
                    slots.put_nowait(slot)

            async def _held_call(slot: int) -> float:
                agent = {"authorization": "Bearer " + agent_keys[slot].key}
                asking = asyncio.create_task(
                    http.post(base + "/v1/chat/completions", json=body, headers=agent)
                )
                while True:
                    async with http.get(
                        base + "/api/v1/admin/approvals",
                        params={"status": "pending"},
                        headers=admin,
                    ) as answer:
                        rows = (await answer.json())["approvals"]
                    mine = [row["id"] for row in rows if row["user_id"] == f"agent{slot}"]
                    if mine:
                        break
                    await asyncio.sleep(0.005)
                async with http.post(
                    f"{base}/api/v1/admin/approvals/{mine[0]}/approve", headers=admin
                ) as answer:
                    assert answer.status == 200  # noqa: S101 - a bench's own check
                approved = time.perf_counter()
                response = await asking
                await response.read()
                released = time.perf_counter()
                response.release()
                return released - approved

            started = time.perf_counter()
            latencies = sorted(await asyncio.gather(*(one() for _ in range(calls))))
            wall = time.perf_counter() - started

        def ms(q: float) -> float:
            return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)

        return {
            "mode": "http",
            "calls": calls,
            "concurrent": concurrent,
            "release_ms_p50": ms(0.50),
            "release_ms_p99": ms(0.99),
            "release_ms_max": round(latencies[-1] * 1000, 1),
            "wall_s": round(wall, 2),
        }
    finally:
        if core is not None:
            core.stop()
        if upstream is not None:
            upstream.stop()
        await admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin_connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrent", type=int, default=10)
    parser.add_argument("--polling", type=float, default=2.0, help="APPROVAL_POLLING_INTERVAL")
    parser.add_argument("--no-listen", action="store_true", help="polling only")
    parser.add_argument("--http", action="store_true", help="through a real core's HTTP API")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    if args.http:
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        print(asyncio.run(run_http(url, redis_url, args.calls, args.concurrent)))
        return
    print(asyncio.run(run(url, args.calls, args.concurrent, args.polling, not args.no_listen)))


if __name__ == "__main__":
    main()
