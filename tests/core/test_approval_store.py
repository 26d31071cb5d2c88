"""The approval store on real PostgreSQL, as several cores use it: the pending limit holds
across pools created at once, the first decision wins, an expired row cannot be approved,
a workspace admin reaches its own workspace's rows only, and a decision is notified."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from core.approvals.store import APPROVALS_CHANNEL, ApprovalStore


@pytest.fixture
async def pools(database_url: str) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Pool]]:
    first = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
    second = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
    await first.execute("DELETE FROM approval_requests")
    try:
        yield first, second
    finally:
        await first.execute("DELETE FROM approval_requests")
        await first.close()
        await second.close()


async def _create(
    store: ApprovalStore, request_id: str, *, limit: int = 50, timeout_s: float = 60.0
) -> bool:
    row = await store.create(
        request_id,
        exchange_id="req",
        tool="execute_python",
        level="CRITICAL",
        user_id="carol",
        workspace="tests",
        arguments='{"code": "print(1)"}',
        preview="execute_python(...)",
        timeout_s=timeout_s,
        max_pending=limit,
    )
    return row is not None


async def test_the_pending_limit_holds_across_cores(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    stores = [ApprovalStore(pool) for pool in pools]
    made = await asyncio.gather(*(_create(stores[n % 2], f"apr_{n}", limit=5) for n in range(16)))
    assert sum(made) == 5
    assert await stores[0].pending_count() == 5


async def test_the_first_decision_wins(pools: tuple[asyncpg.Pool, asyncpg.Pool]) -> None:
    first, second = (ApprovalStore(pool) for pool in pools)
    assert await _create(first, "apr_race")
    approved, rejected = await asyncio.gather(
        first.decide("apr_race", "approved", "boss", None),
        second.decide("apr_race", "rejected", "eve", "no"),
    )
    assert [approved.changed, rejected.changed].count(True) == 1
    winner = approved if approved.changed else rejected
    assert approved.row is not None and rejected.row is not None
    assert approved.row.status == rejected.row.status == winner.row.status  # type: ignore[union-attr]
    again = await first.decide("apr_race", "expired", "", "expired")
    assert not again.changed and again.row is not None and again.row.status != "expired"


async def test_an_overdue_row_expires_and_cannot_be_approved(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    store = ApprovalStore(pools[0])
    assert await _create(store, "apr_late", timeout_s=0.05)
    await asyncio.sleep(0.1)
    done = await store.decide("apr_late", "approved", "boss", None)
    assert not done.changed and done.row is not None and done.row.status == "pending"
    assert await store.expire_overdue() == ["apr_late"]
    row = await store.get("apr_late")
    assert row is not None and (row.status, row.reason) == ("expired", "expired")


async def test_a_workspace_admin_reaches_its_workspace_only(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    store = ApprovalStore(pools[0])
    assert await _create(store, "apr_ws")
    elsewhere = await store.decide("apr_ws", "approved", "mallory", None, workspace="payments")
    assert elsewhere.row is None and not elsewhere.changed
    assert await store.list(workspace="payments") == []
    mine = await store.decide("apr_ws", "approved", "boss", None, workspace="tests")
    assert mine.changed and mine.row is not None and mine.row.responded_by == "boss"


async def test_a_decision_is_notified_with_its_id(
    pools: tuple[asyncpg.Pool, asyncpg.Pool], database_url: str
) -> None:
    store = ApprovalStore(pools[0])
    assert await _create(store, "apr_told")
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(database_url)
    try:
        await listener.add_listener(APPROVALS_CHANNEL, lambda *args: heard.put_nowait(args[3]))
        await store.decide("apr_told", "rejected", "boss", "no")
        async with asyncio.timeout(5):
            assert await heard.get() == "apr_told"
    finally:
        await listener.close()
