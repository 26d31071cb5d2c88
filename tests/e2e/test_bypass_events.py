"""Bypass events end to end under hostile input (poison in the stream, forged request ids)
and paging through them. The edge fails open to the model; a second core, which the edge
does not use, runs the consumer that stores the events."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
import redis

from core.app import create_app as create_core
from core.cli.main import main as aegis
from devupstream.app import DEFAULT_MODEL
from shared.bypass import bypass_stream_name
from tests.conftest import ServerThread, Stack, run_sync

MESSAGES = [{"role": "user", "content": "summarise the quarterly report"}]
CHAT = {"model": DEFAULT_MODEL, "messages": MESSAGES}


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _failing_open(stack: Stack) -> ServerThread:
    """Edge failing open (its core stopped) and a consumer-only core; the latter, started."""
    stack.restart_edge(fail_open_enabled=True)
    consumer = ServerThread(
        create_core(replace(stack.core_settings, instance_id="consumer-core"))
    ).start()
    stack.started.append(consumer)
    stack.stop_core()
    return consumer


def _bypassed(stack: Stack, key: str, body: Any = None, **headers: str) -> httpx.Response:
    answer = httpx.post(
        stack.base_url + "/chat/completions",
        content=body if isinstance(body, bytes) else orjson.dumps(body or CHAT),
        headers={**_auth(key), "content-type": "application/json", **headers},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-aegis-bypassed"] == "true"
    return answer


def _dead_letters(stack: Stack) -> list[dict[str, Any]]:
    async def fetch() -> list[dict[str, Any]]:
        connection = await asyncpg.connect(stack.database_url)
        try:
            rows = await connection.fetch(
                "SELECT * FROM bypass_dead_letters WHERE stream = $1 ORDER BY entry_id",
                bypass_stream_name(stack.redis_prefix),
            )
            return [dict(row) for row in rows]
        finally:
            await connection.close()

    rows: list[dict[str, Any]] = run_sync(fetch)
    return rows


def _wait(check: Any, within: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within, f"{what} not within {within} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_poison_in_the_stream_is_dead_lettered_and_later_events_still_stored(
    stack: Stack,
) -> None:
    """Entries PostgreSQL refuses or cannot read are dead-lettered and counted; the six bypass
    events behind them are stored within seconds."""
    key = stack.create_key().key
    consumer = _failing_open(stack)
    stream = bypass_stream_name(stack.redis_prefix)
    client = redis.Redis.from_url(stack.redis_url)
    # As a broken or hostile writer could put them there: not JSON; a NUL PostgreSQL refuses;
    # a status past PostgreSQL's integer.
    event = {
        "occurred_at": time.time(),
        "edge_instance": "edge-x",
        "route": "/v1/chat/completions",
        "reason": "core_unreachable",
        "status": 200,
    }
    try:
        client.xadd(stream, {"event": b"\xff\xfe not json"})
        nul = {**event, "request_id": "poison-nul", "model": "aegis-dev-echo\u0000x"}
        client.xadd(stream, {"event": orjson.dumps(nul)})
        big = {**event, "request_id": "poison-int", "status": 2**40}
        client.xadd(stream, {"event": orjson.dumps(big)})
    finally:
        client.close()
    # The same poison through the door: refused there (400), or bypassed and stored clean.
    nul_model = httpx.post(
        stack.base_url + "/chat/completions",
        json={**CHAT, "model": DEFAULT_MODEL + "\u0000x"},
        headers=_auth(key),
    )
    assert nul_model.status_code in (200, 400), nul_model.text
    ids = [_bypassed(stack, key).headers["x-aegis-request-id"] for _ in range(6)]
    took = _wait(
        lambda: set(ids) <= {row["request_id"] for row in stack.bypass_rows()}, 5.0, "6 events"
    )
    letters = _dead_letters(stack)
    assert [(letter["reason"], letter["request_id"]) for letter in letters] == [
        ("malformed", None),
        ("refused", "poison-nul"),
        ("refused", "poison-int"),
    ]
    assert all(len(letter["entry_sha256"]) == 64 for letter in letters)
    rows = stack.bypass_rows()
    if nul_model.status_code == 200:
        [clean] = [r for r in rows if r["request_id"] == nul_model.headers["x-aegis-request-id"]]
        assert clean["model"] == DEFAULT_MODEL + "x"
    assert len(rows) == 6 + (nul_model.status_code == 200)
    metrics = httpx.get(consumer.url + "/metrics").text
    assert 'aegis_bypass_dead_letters_total{reason="malformed"} 1.0' in metrics
    assert 'aegis_bypass_dead_letters_total{reason="refused"} 2.0' in metrics
    print(f"\npoison: 6 later events stored {took:.2f} s after the last request")


def test_forged_request_id_from_a_trusted_peer_cannot_merge_events(stack: Stack) -> None:
    """Five bypassed requests sharing one X-Aegis-Request-Id are five stored events, each
    with its own event id; naming them by that request id is refused as ambiguous."""
    key = stack.create_key().key
    auditor = stack.create_key("auditor", user="sec-kim").key
    consumer = _failing_open(stack)
    for _ in range(5):
        answer = _bypassed(stack, key, **{"x-aegis-request-id": "nginx-forged-1"})
        assert answer.headers["x-aegis-request-id"] == "nginx-forged-1"
    rows = stack.wait_bypass_rows(5)
    assert [row["request_id"] for row in rows] == ["nginx-forged-1"] * 5
    assert len({row["event_id"] for row in rows}) == 5
    admin = consumer.url + "/api/v1/admin/bypass-events"
    ambiguous = httpx.get(f"{admin}/nginx-forged-1", headers=_auth(auditor))
    assert ambiguous.status_code == 409
    assert ambiguous.json()["error"]["code"] == "conflict"
    by_event = httpx.get(f"{admin}/{rows[0]['event_id']}", headers=_auth(auditor))
    assert by_event.json()["id"] == rows[0]["id"]


def test_bypass_list_pages_through_every_event_once(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Keyset paging: pages of two cover all five events, newest first, none twice, and the
    CLI's --all prints them all."""
    key = stack.create_key().key
    auditor = stack.create_key("auditor", user="sec-kim").key
    consumer = _failing_open(stack)
    for _ in range(5):
        _bypassed(stack, key)
    stored = stack.wait_bypass_rows(5)
    admin = consumer.url + "/api/v1/admin/bypass-events"
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    pages = 0
    while True:
        page = httpx.get(admin, params=params, headers=_auth(auditor)).json()
        pages += 1
        seen.extend(event["id"] for event in page["events"])
        if page["next"] is None:
            break
        _bypassed(stack, key)  # arrives meanwhile: newer, so never in a later page
        params["before_id"] = page["next"]
    assert pages == 3
    newest_first = sorted(stored, key=lambda row: (row["occurred_at"], row["id"]), reverse=True)
    assert seen == [row["id"] for row in newest_first]
    bad = httpx.get(admin, params={"before_id": "\u0663"}, headers=_auth(auditor))
    assert bad.status_code == 400
    stack.wait_bypass_rows(7)
    monkeypatch.setenv("AEGIS_CORE_URL", consumer.url)
    monkeypatch.setenv("AEGIS_API_KEY", auditor)
    capsys.readouterr()
    assert aegis(["bypass", "list", "--all", "--limit", "3", "--json"]) == 0
    listed = orjson.loads(capsys.readouterr().out)
    assert len({event["event_id"] for event in listed}) == len(listed) == 7
    assert aegis(["bypass", "list", "--limit", "3"]) == 0
    assert "more: aegis bypass list --before" in capsys.readouterr().out


@pytest.mark.parametrize("limit", ["0", "1001", "x"])
def test_dead_letter_listing_refuses_a_bad_limit(stack: Stack, limit: str) -> None:
    """The dead-letter listing answers 400 for a limit out of range, 200 with a list otherwise."""
    auditor = stack.create_key("auditor", user="sec-kim").key
    url = stack.core.url + "/api/v1/admin/bypass-dead-letters"
    assert httpx.get(url, params={"limit": limit}, headers=_auth(auditor)).status_code == 400
    listed = httpx.get(url, headers=_auth(auditor))
    assert listed.status_code == 200
    assert isinstance(listed.json()["dead_letters"], list)
