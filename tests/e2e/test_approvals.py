"""The approval workflow end to end: an agent (the official ``openai`` SDK) through edge and
core to the development upstream, real PostgreSQL and Redis. An ai-developer's CRITICAL
``execute_python`` call (its code check dropped by a workspace override, so only the level
holds it) waits for a person: approved through the admin API, or by ``aegis approvals
approve`` in another process, it arrives as the model sent it; rejected, the agent reads the
admin's reason; expired (a core with a short APPROVAL_TIMEOUT), it reads that too. Over
APPROVAL_MAX_PENDING, calls are refused at once; a developer's write_file is refused
without a pending row; every decision is an audit row."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import openai
import orjson
import pytest

from core.app import create_app as create_core
from core.tools.catalogue import ToolOverride
from core.tools.store import ToolStore
from devupstream.app import FIXTURE_MODEL
from tests.conftest import ServerThread, Stack, run_sync
from tests.tcpproxy import TcpProxy


async def _sql(stack: Stack, query: str, *args: Any) -> list[dict[str, Any]]:
    connection = await asyncpg.connect(stack.database_url)
    try:
        return [dict(row) for row in await connection.fetch(query, *args)]
    finally:
        await connection.close()


@pytest.fixture(autouse=True)
def _held_tool(stack: Stack) -> Iterator[None]:
    """execute_python stays CRITICAL in workspace tests, without its code check (the
    fixture's code would be refused by it), and no approval row is left from before."""

    async def setup() -> None:
        connection = await asyncpg.connect(stack.database_url)
        try:
            await connection.execute("DELETE FROM tool_overrides")
            await connection.execute("DELETE FROM approval_requests")
            await ToolStore(connection).put(
                "tests", "execute_python", ToolOverride.parse({"commands": []}), "tests"
            )
        finally:
            await connection.close()

    run_sync(setup)
    admin = stack.create_key("admin", user="boss").key
    deadline = time.monotonic() + 10
    while _tool(stack, admin, "execute_python")["commands"]:
        assert time.monotonic() < deadline, "core never applied the override"
        time.sleep(0.05)
    yield
    run_sync(lambda: _sql(stack, "DELETE FROM tool_overrides"))


def _tool(stack: Stack, admin: str, name: str) -> dict[str, Any]:
    listed = _api(stack.core.url, admin, "GET", "/api/v1/admin/tools").json()
    return next(tool for tool in listed["tools"] if tool["name"] == name)


def _api(url: str, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}", **kwargs.pop("headers", {})}
    return httpx.request(method, url + path, headers=headers, timeout=30, **kwargs)


def _ask(base_url: str, key: str, fixture: str = "tool_execute_python") -> dict[str, Any]:
    client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=60)
    completion = client.chat.completions.create(
        model=FIXTURE_MODEL, messages=[{"role": "user", "content": f"fixture:{fixture}"}]
    )
    choice = completion.choices[0]
    return {
        "text": choice.message.content or "",
        "names": [call.function.name for call in choice.message.tool_calls or []],  # type: ignore[union-attr]
        "arguments": [call.function.arguments for call in choice.message.tool_calls or []],  # type: ignore[union-attr]
        "finish": choice.finish_reason,
        "aegis": (completion.model_extra or {}).get("aegis"),
        "done_at": time.monotonic(),
    }


class _Agent:
    """One agent call in a thread: its answer once it arrives."""

    def __init__(self, ask: Callable[[], dict[str, Any]]) -> None:
        self.answer: dict[str, Any] | None = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.answer = ask()
            except BaseException as exc:
                self.error = exc

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def result(self, within: float = 30.0) -> dict[str, Any]:
        self._thread.join(within)
        assert not self._thread.is_alive(), "the agent's answer never came"
        if self.error is not None:
            raise self.error
        assert self.answer is not None
        return self.answer

    @property
    def waiting(self) -> bool:
        return self._thread.is_alive()


def _pending(url: str, admin: str, count: int = 1, within: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while True:
        found = _api(url, admin, "GET", "/api/approvals", params={"status": "pending"})
        assert found.status_code == 200, found.text
        rows: list[dict[str, Any]] = found.json()["approvals"]
        if len(rows) >= count:
            return rows
        assert time.monotonic() < deadline, f"{len(rows)} pending, expected {count}"
        time.sleep(0.05)


def _audited(stack: Stack, kind: str, within: float = 15.0) -> list[str]:
    deadline = time.monotonic() + within
    while True:
        rows = run_sync(
            lambda: _sql(stack, "SELECT findings FROM audit_logs WHERE action = 'admin'")
        )
        found = [
            f["type"] for row in rows for f in orjson.loads(row["findings"]) if f["scanner"] == kind
        ]
        if found:
            return found
        assert time.monotonic() < deadline, f"no {kind} audit row"
        time.sleep(0.1)


def test_a_critical_call_waits_until_an_admin_approves_it(stack: Stack) -> None:
    key = stack.create_key("ai-developer", user="carol").key
    admin = stack.create_key("admin", user="boss").key
    agent = _Agent(lambda: _ask(stack.base_url, key))
    [row] = _pending(stack.core.url, admin)
    assert row["tool"] == "execute_python" and row["level"] == "CRITICAL"
    assert row["user_id"] == "carol" and row["workspace"] == "tests"
    assert len(row["arguments_sha256"]) == 64 and row["preview"].startswith("execute_python(")
    time.sleep(0.3)
    assert agent.waiting, "the answer went out before any decision"
    # The responder is the key's user, whatever a header says.
    approved = _api(
        stack.core.url,
        admin,
        "POST",
        f"/api/v1/admin/approvals/{row['id']}/approve",
        headers={"x-user-id": "mallory"},
    )
    released = time.monotonic()
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["responded_by"] == "boss"
    answer = agent.result()
    assert answer["names"] == ["execute_python"] and answer["finish"] == "tool_calls"
    assert "rm -rf" in answer["arguments"][0]  # as the model sent it
    assert answer["done_at"] - released < 1.0
    # The first decision wins.
    again = _api(stack.core.url, admin, "POST", f"/api/approvals/{row['id']}/reject", json={})
    assert again.status_code == 409
    assert _audited(stack, "approval_approve")[0].startswith(row["id"])


def test_an_approval_from_the_cli_in_another_process(stack: Stack) -> None:
    key = stack.create_key("ai-developer", user="carol").key
    admin = stack.create_key("admin", user="boss").key
    agent = _Agent(lambda: _ask(stack.base_url, key))
    [row] = _pending(stack.core.url, admin)
    env = {**os.environ, "AEGIS_CORE_URL": stack.core.url, "AEGIS_API_KEY": admin}
    aegis = [os.path.join(os.path.dirname(sys.executable), "aegis"), "approvals"]
    listed = subprocess.run(
        [*aegis, "--list", "--json"], env=env, capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert [item["id"] for item in orjson.loads(listed.stdout)["approvals"]] == [row["id"]]
    done = subprocess.run(
        [*aegis, "approve", row["id"]], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert agent.result()["names"] == ["execute_python"]
    stats = subprocess.run(
        [*aegis, "stats", "--since", "1d", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert stats.returncode == 0, stats.stderr
    figures = orjson.loads(stats.stdout)
    assert figures["approved"] == 1 and figures["tools"][0]["tool"] == "execute_python"


def test_a_rejected_call_arrives_as_a_refusal_naming_the_reason(stack: Stack) -> None:
    key = stack.create_key("ai-developer", user="carol").key
    admin = stack.create_key("admin", user="boss").key
    agent = _Agent(lambda: _ask(stack.base_url, key))
    [row] = _pending(stack.core.url, admin)
    rejected = _api(
        stack.core.url,
        admin,
        "POST",
        f"/api/approvals/{row['id']}/reject",
        json={"reason": "no shell access on Fridays"},
    )
    assert rejected.status_code == 200, rejected.text
    answer = agent.result()
    assert answer["names"] == [] and answer["finish"] == "stop"
    assert "rejected it: no shell access on Fridays" in answer["text"]
    assert answer["aegis"]["type"] == "tool_rejected"
    assert _audited(stack, "approval_reject")


def test_an_expired_call_arrives_as_a_refusal(stack: Stack) -> None:
    core = ServerThread(create_core(replace(stack.core_settings, approval_timeout=1.0))).start()
    try:
        key = stack.create_key("ai-developer", user="carol").key
        answer = _ask(core.url + "/v1", key)
        assert answer["names"] == [] and "(expired)" in answer["text"]
        assert answer["aegis"]["type"] == "tool_approval_expired"
        [row] = run_sync(lambda: _sql(stack, "SELECT status, reason FROM approval_requests"))
        assert row == {"status": "expired", "reason": "expired"}
    finally:
        core.stop()


def test_over_the_pending_limit_calls_are_refused_at_once(stack: Stack) -> None:
    settings = replace(stack.core_settings, approval_timeout=20.0, approval_max_pending=50)
    core = ServerThread(create_core(settings)).start()
    try:
        key = stack.create_key("ai-developer", user="carol").key
        admin = stack.create_key("admin", user="boss").key

        async def ask_all() -> list[dict[str, Any]]:
            async with httpx.AsyncClient(
                timeout=60, limits=httpx.Limits(max_connections=100)
            ) as client:

                async def ask() -> dict[str, Any]:
                    sent = await client.post(
                        core.url + "/v1/chat/completions",
                        headers={"authorization": f"Bearer {key}"},
                        json={
                            "model": FIXTURE_MODEL,
                            "messages": [
                                {"role": "user", "content": "fixture:tool_execute_python"}
                            ],
                        },
                    )
                    answer: dict[str, Any] = sent.json()
                    return answer

                return await asyncio.gather(*(ask() for _ in range(60)))

        answers: list[dict[str, Any]] = []
        asking = threading.Thread(target=lambda: answers.extend(asyncio.run(ask_all())))
        asking.start()
        rows = _pending(core.url, admin, 50)
        time.sleep(0.5)
        assert len(_pending(core.url, admin, 50)) == 50
        for row in rows:
            _api(core.url, admin, "POST", f"/api/approvals/{row['id']}/approve")
        asking.join(30)
        assert not asking.is_alive()
        kinds = sorted((a.get("aegis") or {}).get("type", "kept") for a in answers)
        assert kinds == ["kept"] * 50 + ["tool_approval_limit"] * 10, kinds
        limited = next(a for a in answers if a.get("aegis"))
        assert "too many calls are waiting" in limited["choices"][0]["message"]["content"]
    finally:
        core.stop()


def test_a_developers_write_file_is_refused_without_a_pending_row(stack: Stack) -> None:
    key = stack.create_key("developer", user="dave").key
    answer = _ask(stack.base_url, key, "tool_write_file")
    assert answer["names"] == [] and answer["aegis"]["type"] == "tool_permission"
    assert run_sync(lambda: _sql(stack, "SELECT * FROM approval_requests")) == []


def test_only_admins_decide_and_ready_says_the_workflow_is_on(stack: Stack) -> None:
    developer = stack.create_key("ai-developer", user="carol").key
    listed = _api(stack.core.url, developer, "GET", "/api/approvals")
    assert listed.status_code == 403
    ready = httpx.get(stack.core.url + "/api/v1/ready").json()
    assert ready["checks"]["approval_workflow"] == "enabled"
    off = ServerThread(
        create_core(replace(stack.core_settings, approval_workflow_enabled=False))
    ).start()
    try:
        assert httpx.get(off.url + "/api/v1/ready").json()["checks"]["approval_workflow"] == (
            "disabled"
        )
        assert "aegis_approval_workflow_enabled 0.0" in httpx.get(off.url + "/metrics").text
        # Off: the call is let through (and recorded as a tool_level finding).
        answer = _ask(off.url + "/v1", developer)
        assert answer["names"] == ["execute_python"]
    finally:
        off.stop()


def _stream_raw(url: str, key: str) -> bytes:
    body = b""
    with httpx.stream(
        "POST",
        url + "/v1/chat/completions",
        headers={"authorization": f"Bearer {key}"},
        json={
            "model": FIXTURE_MODEL,
            "messages": [{"role": "user", "content": "fixture:tool_execute_python"}],
            "stream": True,
        },
        timeout=60,
    ) as response:
        for piece in response.iter_bytes():
            body += piece
    return body


def _events(body: bytes) -> list[dict[str, Any]]:
    return [
        orjson.loads(event[5:])
        for event in body.split(b"\n\n")
        if event.startswith(b"data:") and event[5:].strip() != b"[DONE]"
    ]


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_streamed_call_waits_with_keep_alives(stack: Stack, decision: str) -> None:
    """Streamed, only the call waits: keep-alive comments flow meanwhile; approved, the
    call's deltas arrive as the model sent them; rejected, the finish says why."""
    settings = replace(stack.core_settings, approval_keepalive_interval=0.2)
    core = ServerThread(create_core(settings)).start()
    try:
        key = stack.create_key("ai-developer", user="carol").key
        admin = stack.create_key("admin", user="boss").key
        agent = _Agent(lambda: {"body": _stream_raw(core.url, key)})
        [row] = _pending(core.url, admin)
        time.sleep(0.8)
        body = {"reason": "not today"} if decision == "reject" else None
        done = _api(core.url, admin, "POST", f"/api/approvals/{row['id']}/{decision}", json=body)
        assert done.status_code == 200, done.text
        raw = agent.result()["body"]
        assert raw.count(b": keep-alive\n\n") >= 2
        assert raw.rstrip().endswith(b"data: [DONE]")
        events = _events(raw)
        names = [
            call["function"]["name"]
            for event in events
            for choice in event["choices"]
            for call in choice["delta"].get("tool_calls") or []
            if call.get("function", {}).get("name")
        ]
        finish = [c["finish_reason"] for e in events for c in e["choices"] if c["finish_reason"]]
        text = "".join(c["delta"].get("content") or "" for e in events for c in e["choices"])
        if decision == "approve":
            assert names == ["execute_python"] and finish == ["tool_calls"]
        else:
            assert names == [] and finish == ["stop"]
            assert "rejected it: not today" in text
            assert events[-1]["aegis"]["type"] == "tool_rejected"
    finally:
        core.stop()


def test_a_streamed_call_through_the_sdk_is_approved(stack: Stack) -> None:
    key = stack.create_key("ai-developer", user="carol").key
    admin = stack.create_key("admin", user="boss").key

    def ask() -> dict[str, Any]:
        client = openai.OpenAI(base_url=stack.base_url, api_key=key, max_retries=0, timeout=30)
        names: list[str] = []
        finish = None
        for chunk in client.chat.completions.create(
            model=FIXTURE_MODEL,
            messages=[{"role": "user", "content": "fixture:tool_execute_python"}],
            stream=True,
        ):
            for part in chunk.choices:
                names += [
                    c.function.name
                    for c in part.delta.tool_calls or []
                    if c.function and c.function.name
                ]
                finish = part.finish_reason or finish
        return {"names": names, "finish": finish}

    agent = _Agent(ask)
    [row] = _pending(stack.core.url, admin)
    assert _api(stack.core.url, admin, "POST", f"/api/approvals/{row['id']}/approve").is_success
    assert agent.result() == {"names": ["execute_python"], "finish": "tool_calls"}


def test_a_client_that_leaves_closes_its_request(stack: Stack) -> None:
    key = stack.create_key("ai-developer", user="carol").key
    admin = stack.create_key("admin", user="boss").key
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            stack.core.url + "/v1/chat/completions",
            headers={"authorization": f"Bearer {key}"},
            json={
                "model": FIXTURE_MODEL,
                "messages": [{"role": "user", "content": "fixture:tool_execute_python"}],
            },
            timeout=httpx.Timeout(30, read=1.5),
        )
    deadline = time.monotonic() + 10
    while True:
        rows = run_sync(lambda: _sql(stack, "SELECT status, reason FROM approval_requests"))
        if rows and rows[0]["status"] != "pending":
            break
        assert time.monotonic() < deadline, rows
        time.sleep(0.1)
    assert rows == [{"status": "expired", "reason": "client_gone"}]
    assert _pending(stack.core.url, admin, 0) == []


def test_the_preview_masks_pii_and_secrets(stack: Stack) -> None:
    key = stack.create_key("ai-developer", user="carol").key
    admin = stack.create_key("admin", user="boss").key
    agent = _Agent(lambda: _ask(stack.base_url, key, "tool_execute_python_pii"))
    [row] = _pending(stack.core.url, admin)
    preview = row["preview"]
    assert preview.startswith("execute_python(") and "register(" in preview
    for value in ("850315-1478257", "010-4821-7735", "AKIAZ7QF4N2KX9LW3HTD"):
        assert value not in preview, preview
    _api(stack.core.url, admin, "POST", f"/api/approvals/{row['id']}/reject", json={})
    answer = agent.result()
    assert answer["names"] == [] and "rejected it." in answer["text"]


def test_a_streaming_client_that_leaves_closes_its_request(stack: Stack) -> None:
    key = stack.create_key("ai-developer", user="carol").key
    admin = stack.create_key("admin", user="boss").key
    with httpx.stream(
        "POST",
        stack.core.url + "/v1/chat/completions",
        headers={"authorization": f"Bearer {key}"},
        json={
            "model": FIXTURE_MODEL,
            "messages": [{"role": "user", "content": "fixture:tool_execute_python"}],
            "stream": True,
        },
        timeout=30,
    ) as response:
        assert response.status_code == 200
        _pending(stack.core.url, admin)
    # The client closed the stream while the call waited.
    deadline = time.monotonic() + 10
    while True:
        rows = run_sync(lambda: _sql(stack, "SELECT status, reason FROM approval_requests"))
        if rows and rows[0]["status"] != "pending":
            break
        assert time.monotonic() < deadline, rows
        time.sleep(0.1)
    assert rows == [{"status": "expired", "reason": "client_gone"}]


def test_the_interactive_cli_lists_and_rejects_with_a_reason(stack: Stack) -> None:
    """``aegis approvals`` with plain terminal input: the pending call is listed (tool,
    level, user), ``r 1`` asks for a reason and rejects it, ``q`` quits."""
    key = stack.create_key("ai-developer", user="carol").key
    admin = stack.create_key("admin", user="boss").key
    agent = _Agent(lambda: _ask(stack.base_url, key))
    _pending(stack.core.url, admin)
    env = {**os.environ, "AEGIS_CORE_URL": stack.core.url, "AEGIS_API_KEY": admin}
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "aegis"), "approvals"],
        input="r 1\nlooks risky\nq\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 pending" in done.stdout and "execute_python" in done.stdout
    assert "CRITICAL" in done.stdout and "carol" in done.stdout
    assert ": rejected" in done.stdout
    assert "rejected it: looks risky" in agent.result()["text"]


def test_with_postgres_unreachable_a_held_call_is_refused_at_once(stack: Stack) -> None:
    """The approval queue lives in PostgreSQL: when core cannot reach it, a call that needs
    approval is refused at once with a reason the agent can read (never let through, never
    left hanging until the timeout), while calls that need no approval go on."""
    parts = urlsplit(stack.database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.open()
    proxied = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    settings = replace(stack.core_settings, database_url=proxied, approval_timeout=60.0)
    core = ServerThread(create_core(settings)).start()
    try:
        key = stack.create_key("ai-developer", user="carol").key
        admin = stack.create_key("admin", user="boss").key
        deadline = time.monotonic() + 10
        while (
            _api(core.url, key, "GET", "/v1/models").status_code != 200
            or _tool_at(core.url, admin, "execute_python")["commands"]
        ):
            assert time.monotonic() < deadline, "core never loaded the key and the override"
            time.sleep(0.05)
        proxy.close()
        started = time.monotonic()
        answer = _ask(core.url + "/v1", key)
        assert time.monotonic() - started < 10
        assert answer["names"] == [] and answer["finish"] == "stop"
        assert answer["aegis"]["type"] == "tool_approval_unavailable"
        assert "approval queue cannot be reached" in answer["text"]
        plain = _api(
            core.url,
            key,
            "POST",
            "/v1/chat/completions",
            json={
                "model": FIXTURE_MODEL,
                "messages": [{"role": "user", "content": "fixture:clean"}],
            },
        )
        assert plain.status_code == 200, plain.text
        proxy.open()
        rows = run_sync(lambda: _sql(stack, "SELECT status FROM approval_requests"))
        assert rows == []  # nothing half-written to decide later
    finally:
        core.stop()
        proxy.shutdown()


def _tool_at(url: str, admin: str, name: str) -> dict[str, Any]:
    listed = _api(url, admin, "GET", "/api/v1/admin/tools").json()
    return next(tool for tool in listed["tools"] if tool["name"] == name)
