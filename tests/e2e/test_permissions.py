"""Roles, per-user grants and denials: enforced by core and, failing open, by the edge."""

from __future__ import annotations

import time
from typing import Any

import asyncpg
import httpx
import redis

from core.keys.store import KeyStore
from devupstream.app import DEFAULT_MODEL
from shared.keyset import decode_identity, keyset_names
from shared.permissions import TOOLS_CALL
from tests.conftest import Stack, run_sync

TOOL = {"type": "function", "function": {"name": "read_file", "parameters": {"type": "object"}}}
CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}
WITH_TOOLS = {**CHAT, "tools": [TOOL]}


def _auth(key: str, request_id: str | None = None) -> dict[str, str]:
    headers = {"authorization": f"Bearer {key}"}
    if request_id is not None:
        headers["x-aegis-request-id"] = request_id
    return headers


async def _fetch(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    connection = await asyncpg.connect(url)
    try:
        return [dict(row) for row in await connection.fetch(sql, *args)]
    finally:
        await connection.close()


def audit_rows(stack: Stack, request_id: str, within: float = 15.0) -> list[dict[str, Any]]:
    """The audit rows of ``request_id``, waiting until there is one."""
    sql = "SELECT * FROM audit_logs WHERE request_id = $1"
    deadline = time.monotonic() + within
    while not (rows := run_sync(lambda: _fetch(stack.database_url, sql, request_id))):
        if time.monotonic() > deadline:
            raise AssertionError(f"no audit row for {request_id}")
        time.sleep(0.1)
    return rows  # type: ignore[no-any-return]


def _grant(stack: Stack, user: str, permission: str) -> None:
    async def grant() -> None:
        connection = await asyncpg.connect(stack.database_url)
        try:
            await KeyStore(connection).grant(user, permission, granted_by="test")
        finally:
            await connection.close()

    run_sync(grant)


def _published_permissions(stack: Stack, key_id: str) -> set[str]:
    client = redis.Redis.from_url(stack.redis_url)
    try:
        entries = client.hgetall(keyset_names(stack.redis_prefix)[0])
    finally:
        client.close()
    for raw in entries.values():
        identity = decode_identity(raw)
        if identity.key_id == key_id:
            return set(identity.permissions)
    raise AssertionError(f"{key_id} is not in the published key set")


def _wait_published(stack: Stack, key_id: str, permission: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while permission not in _published_permissions(stack, key_id):
        if time.monotonic() > deadline:
            raise AssertionError(f"{permission} never published for {key_id}")
        time.sleep(0.05)


def test_tools_need_tools_call_and_a_denial_is_an_openai_403_and_an_audit_row(
    stack: Stack,
) -> None:
    """A developer offering tools gets 403 permission_denied (recorded); ai-developer may."""
    developer = stack.create_key("developer", user="dev-tools")
    ai_developer = stack.create_key("ai-developer", user="ai-dev")
    plain = httpx.post(
        stack.base_url + "/chat/completions", json=CHAT, headers=_auth(developer.key)
    )
    assert plain.status_code == 200

    refused = httpx.post(
        stack.core.url + "/v1/chat/completions",
        json=WITH_TOOLS,
        headers=_auth(developer.key, "perm-denied-1"),
    )
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["type"], error["code"]) == ("permission_error", "permission_denied")
    assert error["message"] == "Role 'developer' does not have the 'tools:call' permission."
    [row] = audit_rows(stack, "perm-denied-1")
    assert (row["user_id"], row["key_id"], row["role"]) == (
        "dev-tools",
        developer.key_id,
        "developer",
    )
    assert (row["action"], row["decision"], row["status"]) == ("chat", "error", 403)

    via_edge = httpx.post(
        stack.base_url + "/chat/completions", json=WITH_TOOLS, headers=_auth(developer.key)
    )
    assert via_edge.status_code == 403
    allowed = httpx.post(
        stack.base_url + "/chat/completions", json=WITH_TOOLS, headers=_auth(ai_developer.key)
    )
    assert allowed.status_code == 200


def test_a_grant_adds_to_the_role_at_core_and_in_the_published_key_set(stack: Stack) -> None:
    """After ``tools:call`` is granted to a developer, their key may offer tools."""
    developer = stack.create_key("developer", user="dev-granted")
    assert TOOLS_CALL not in _published_permissions(stack, developer.key_id)
    _grant(stack, "dev-granted", TOOLS_CALL)
    _wait_published(stack, developer.key_id, TOOLS_CALL)
    deadline = time.monotonic() + 10
    while True:
        answer = httpx.post(
            stack.core.url + "/v1/chat/completions", json=WITH_TOOLS, headers=_auth(developer.key)
        )
        if answer.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert answer.status_code == 200


def test_failing_open_the_edge_enforces_published_permissions(stack: Stack) -> None:
    """Core stopped: an auditor key and a developer offering tools are refused at the edge
    (nothing reaches the model); a granted developer and plain chat are bypassed."""
    auditor = stack.create_key("auditor", user="sec-perm").key
    developer = stack.create_key("developer", user="dev-open")
    granted = stack.create_key("developer", user="dev-open-granted")
    _grant(stack, "dev-open-granted", TOOLS_CALL)
    _wait_published(stack, granted.key_id, TOOLS_CALL)
    stack.restart_edge(fail_open_enabled=True, key_sync_interval_ms=100)
    stack.stop_core()
    before = stack.upstream.stats.requests

    for key, body, message in (
        (auditor, CHAT, "Role 'auditor' does not have the 'llm:call' permission."),
        (developer.key, WITH_TOOLS, "Role 'developer' does not have the 'tools:call' permission."),
    ):
        refused = httpx.post(stack.base_url + "/chat/completions", json=body, headers=_auth(key))
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["message"] == message
        assert "x-aegis-bypassed" not in refused.headers
    assert stack.upstream.stats.requests == before

    for key, body in ((developer.key, CHAT), (granted.key, WITH_TOOLS)):
        answered = httpx.post(stack.base_url + "/chat/completions", json=body, headers=_auth(key))
        assert answered.status_code == 200
        assert answered.headers["x-aegis-bypassed"] == "true"
    assert stack.upstream.stats.requests == before + 2


def test_a_bypassed_request_becomes_an_audit_row_marked_bypassed(stack: Stack) -> None:
    """Core learns of a bypass from the edge's stream when it returns and records it once,
    ``bypassed`` true, with who sent it and the status the client got."""
    developer = stack.create_key("developer", user="dev-bypass")
    stack.restart_edge(fail_open_enabled=True)
    stack.stop_core()
    answered = httpx.post(
        stack.base_url + "/chat/completions", json=CHAT, headers=_auth(developer.key)
    )
    assert answered.headers["x-aegis-bypassed"] == "true"
    request_id = answered.headers["x-aegis-request-id"]
    stack.start_core()
    stack.wait_bypass_rows(1)
    [row] = audit_rows(stack, request_id)
    assert row["bypassed"] is True
    assert (row["user_id"], row["key_id"], row["workspace_id"]) == (
        "dev-bypass",
        developer.key_id,
        "tests",
    )
    assert (row["action"], row["decision"], row["status"], row["model"]) == (
        "chat",
        "allow",
        200,
        DEFAULT_MODEL,
    )
    assert row["instruction_hash"] is None
    time.sleep(1.0)
    assert len(audit_rows(stack, request_id)) == 1
