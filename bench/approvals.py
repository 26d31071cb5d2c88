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

    python -m bench.approvals --calls 300 --concurrent 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from prometheus_client import CollectorRegistry

from core.approvals.service import ApprovalMetrics, Approvals
from core.approvals.store import ApprovalStore
from core.db.migrate import apply_migrations
from core.db.pool import Database


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrent", type=int, default=10)
    parser.add_argument("--polling", type=float, default=2.0, help="APPROVAL_POLLING_INTERVAL")
    parser.add_argument("--no-listen", action="store_true", help="polling only")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    print(asyncio.run(run(url, args.calls, args.concurrent, args.polling, not args.no_listen)))


if __name__ == "__main__":
    main()
