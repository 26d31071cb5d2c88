"""``bypass_events`` and ``bypass_dead_letters`` in real PostgreSQL: paging, lookups, and
that whatever the edge writes is storable."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest

from core.bypass.store import AmbiguousReference, BypassStore, DeadLetter
from shared.bypass import BypassEvent


def _event(request_id: str, occurred_at: float = 1_700_000_000.0, **changes: object) -> BypassEvent:
    fields: dict[str, object] = {
        "request_id": request_id,
        "occurred_at": occurred_at,
        "edge_instance": "edge-1:8080",
        "route": "/v1/chat/completions",
        "reason": "core_unreachable",
        "status": 200,
    }
    fields.update(changes)
    return BypassEvent(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[BypassStore]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    await pool.execute("TRUNCATE bypass_events")
    try:
        yield BypassStore(pool)
    finally:
        await pool.close()


async def test_pages_cover_every_event_once_newest_first(store: BypassStore) -> None:
    """Following ``next`` lists each event once, by occurrence, even one stored late (a
    replayed spool) with an old time."""
    await store.insert([_event(f"req-{n}", 1_700_000_000.0 + n) for n in range(250)])
    await store.insert([_event("req-late", 1_700_000_000.5)])  # stored last, occurred early
    seen: list[str] = []
    before_id = None
    pages = 0
    while True:
        page = await store.page(limit=100, before_id=before_id)
        pages += 1
        seen.extend(record.request_id for record in page.events)
        if page.next is None:
            break
        before_id = page.next
    assert pages == 3
    expected = [f"req-{n}" for n in range(249, 0, -1)] + ["req-late", "req-0"]
    assert seen == expected


async def test_a_page_filters_by_time_and_review(store: BypassStore) -> None:
    """``since`` and ``unreviewed`` narrow the pages; the last page has no ``next``."""
    await store.insert([_event(f"req-{n}", 1_700_000_000.0 + n) for n in range(5)])
    await store.review("req-4", reviewer="sec-kim", note="checked")
    since = dt.datetime.fromtimestamp(1_700_000_002.0, dt.UTC)
    page = await store.page(since=since, unreviewed=True, limit=10)
    assert [record.request_id for record in page.events] == ["req-3", "req-2"]
    assert page.next is None


async def test_a_request_id_shared_by_several_events_is_ambiguous(store: BypassStore) -> None:
    """Looking up a request id several events share raises; the number or event id finds one."""
    first, second = _event("nginx-1"), _event("nginx-1")
    assert await store.insert([first, second]) == 2
    with pytest.raises(AmbiguousReference):
        await store.get("nginx-1")
    found = await store.get(second.event_id)
    assert found is not None
    assert found.event_id == second.event_id
    by_number = await store.get(str(found.id))
    assert by_number == found


@pytest.mark.parametrize("ref", ["a\x00b", "x" * 1000, "\ud800", "\u0663"])
async def test_a_ref_no_event_could_have_is_not_found(store: BypassStore, ref: str) -> None:
    """A ref with a NUL, a lone surrogate or past any id's length is no event, not a query error."""
    assert await store.get(ref) is None


async def test_the_written_form_of_a_hostile_event_is_stored(store: BypassStore) -> None:
    """Whatever a client put in the fields the edge copies, the event the edge writes is stored."""
    hostile = _event(
        "req-hostile",
        model="aegis-dev-echo\x00x" + secrets.token_hex(8000),
        user="\ud800 user",
        edge_findings=("a\x00b", "\x1f", *("f" * 200 for _ in range(100))),
        status=2**40,
        completion_tokens=-(2**40),
        key_id="k\x00",
    )
    written = BypassEvent.decode(hostile.encode())
    assert await store.insert([written]) == 1
    record = await store.get("req-hostile")
    assert record is not None
    assert record.model is not None
    assert record.model.startswith("aegis-dev-echox")


async def test_a_dead_letter_is_recorded_once_per_entry(store: BypassStore) -> None:
    """A dead letter delivered again (core died before acknowledging) is one row."""
    stream = "t" + secrets.token_hex(4) + ":bypass"
    letter = DeadLetter(
        stream=stream,
        entry_id="1-0",
        event_id=None,
        request_id="req-1",
        reason="refused",
        error="CharacterNotInRepertoireError",
        entry_sha256="ab" * 32,
        entry_bytes=42,
    )
    assert await store.insert_dead(letter) is True
    assert await store.insert_dead(letter) is False
    listed = [row for row in await store.dead_letters(limit=1000) if row["stream"] == stream]
    assert [row["entry_id"] for row in listed] == ["1-0"]
