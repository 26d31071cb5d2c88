"""Roles and revocations hold at the edge on their own: while core is down, and after it returns."""

from __future__ import annotations

import time

import httpx
import pytest
import redis

from core.cli.main import main as aegis
from devupstream.app import DEFAULT_MODEL
from shared.keyset import keyset_names
from tests.conftest import Stack, free_port

CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def _cli_env(monkeypatch: pytest.MonkeyPatch, stack: Stack, redis_url: str | None = None) -> None:
    """The environment ``aegis`` gets after ``eval "$(python -m devstack env)"``."""
    monkeypatch.setenv("DATABASE_URL", stack.database_url)
    monkeypatch.setenv("REDIS_URL", redis_url or stack.redis_url)
    monkeypatch.setenv("REDIS_KEY_PREFIX", stack.redis_prefix)


def test_fail_open_refuses_an_auditor_and_serves_a_developer(stack: Stack) -> None:
    """Core stopped, failing open: an auditor gets core's 403 at the edge, a developer an answer."""
    auditor = stack.create_key("auditor", user="sec-ann").key
    developer = stack.create_key("developer", user="dev-bo").key
    stack.restart_edge(fail_open_enabled=True)
    stack.stop_core()
    requests_before = stack.upstream.stats.requests

    refused = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=_auth(auditor))
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["type"], error["code"]) == ("permission_error", "permission_denied")
    assert error["message"] == "Role 'auditor' does not have the 'llm:call' permission."
    assert "x-aegis-bypassed" not in refused.headers
    models = httpx.get(stack.base_url + "/models", headers=_auth(auditor))
    assert models.status_code == 403
    validate = httpx.post(
        stack.edge.url + "/api/v1/validate", json={"text": "hi"}, headers=_auth(auditor)
    )
    assert validate.status_code == 403
    assert stack.upstream.stats.requests == requests_before

    answered = httpx.post(stack.base_url + "/chat/completions", json=CHAT, headers=_auth(developer))
    assert answered.status_code == 200
    assert answered.headers["x-aegis-bypassed"] == "true"
    assert stack.upstream.stats.requests == requests_before + 1

    stack.start_core()
    rows = stack.wait_bypass_rows(1)
    time.sleep(0.5)  # a second event, had the auditor's call been bypassed, would be here by now
    assert [row["user_name"] for row in stack.bypass_rows()] == ["dev-bo"]
    assert rows[0]["request_id"] == answered.headers["x-aegis-request-id"]


def test_key_revoked_while_core_is_down_is_refused_within_2s_and_after(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aegis keys revoke --direct`, core stopped: edges refuse within 2 s, and still once
    core is back."""
    created = stack.create_key()
    stack.restart_edge(fail_open_enabled=True)
    stack.stop_core()
    url = stack.base_url + "/chat/completions"
    assert httpx.post(url, json=CHAT, headers=_auth(created.key)).status_code == 200

    _cli_env(monkeypatch, stack)
    assert aegis(["keys", "revoke", "--direct", created.key_id]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[0] == f"revoked {created.key_id}"
    assert "revocation written to Redis" in out.out
    assert out.err == ""
    took = stack.wait_for_key(created.key, accepted=False, within=2.0)
    print(f"revoked key refused by the edge after {took:.2f} s with core stopped")
    assert httpx.post(url, json=CHAT, headers=_auth(created.key)).status_code == 401

    stack.start_core()
    client = redis.Redis.from_url(stack.redis_url)
    try:
        _, version_name = keyset_names(stack.redis_prefix)
        deadline = time.monotonic() + 10
        # The revocation set a version of its own; core's republished set replaces it.
        while (client.get(version_name) or b"revoked-").startswith(b"revoked-"):
            assert time.monotonic() < deadline, "core did not republish the key set"
            time.sleep(0.05)
    finally:
        client.close()
    time.sleep(0.5)  # several edge polls (every 0.1 s)
    for _ in range(3):
        answer = httpx.post(url, json=CHAT, headers=_auth(created.key))
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "invalid_api_key"
    assert stack.bypass_rows()[-1]["key_id"] == created.key_id  # the answer before revoking


def test_revoke_with_redis_unreachable_still_revokes_and_says_so(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No Redis: the key is revoked in PostgreSQL (exit 0); a warning says when edges learn it."""
    created = stack.create_key()
    _cli_env(monkeypatch, stack, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert aegis(["keys", "revoke", "--direct", created.key_id]) == 0
    out = capsys.readouterr()
    assert out.out == f"revoked {created.key_id}\n"
    assert out.err.startswith("aegis: warning: the key is revoked in PostgreSQL, but Redis at ")
    assert "until a core republishes the key set" in out.err
    assert "Traceback" not in out.err
    # Core is running, so it republishes from PostgreSQL and the edge follows.
    stack.wait_for_key(created.key, accepted=False, within=5.0)
