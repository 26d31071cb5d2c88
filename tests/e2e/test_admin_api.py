"""Core's admin API for keys, grants and the audit trail, with workspace isolation."""

from __future__ import annotations

import csv
import io
import secrets
import time
from typing import Any

import asyncpg
import httpx
import orjson

from core.keys.store import KeyStore, NewKey
from devupstream.app import DEFAULT_MODEL
from tests.conftest import Stack, run_sync
from tests.e2e.test_permissions import WITH_TOOLS, audit_rows

CHAT = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}


def _auth(key: str, request_id: str | None = None) -> dict[str, str]:
    headers = {"authorization": f"Bearer {key}"}
    if request_id is not None:
        headers["x-aegis-request-id"] = request_id
    return headers


def make_key(stack: Stack, role: str, user: str, workspace: str) -> NewKey:
    """A key made in PostgreSQL (as a bootstrap would), once core accepts it."""

    async def create() -> NewKey:
        connection = await asyncpg.connect(stack.database_url)
        try:
            return await KeyStore(connection).create(user=user, workspace=workspace, role=role)
        finally:
            await connection.close()

    key: NewKey = run_sync(create)
    deadline = time.monotonic() + 10
    while (
        httpx.get(stack.core.url + "/api/v1/admin/keys", headers=_auth(key.key)).status_code == 401
    ):
        assert time.monotonic() < deadline, "core never loaded the key"
        time.sleep(0.05)
    return key


def _admin(stack: Stack, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(
        method, stack.core.url + "/api/v1/admin" + path, headers=_auth(key), timeout=30, **kwargs
    )


def test_keys_created_listed_limited_and_revoked_through_the_api_are_audited(
    stack: Stack,
) -> None:
    """A global admin creates a key (it works at the edge), sets limits, revokes it (the
    edge refuses it); each change is an audit row naming the admin."""
    root = make_key(stack, "admin", "root", "*")
    created = _admin(
        stack,
        root.key,
        "POST",
        "/keys",
        json={"user": "bob", "workspace": "payments", "role": "developer"},
    )
    assert created.status_code == 200, created.text
    new = created.json()
    assert new["key"].startswith("sk-aegis-") and new["workspace"] == "payments"
    stack.wait_for_key(new["key"], accepted=True)
    listed = _admin(stack, root.key, "GET", "/keys", params={"order": "newest"}).json()["keys"]
    assert new["id"] in {k["id"] for k in listed}
    assert all("key" not in k for k in listed)

    limited = _admin(stack, root.key, "POST", f"/keys/{new['id']}/limits", json={"max_requests": 7})
    assert limited.status_code == 200 and limited.json()["max_requests"] == 7
    bad = _admin(stack, root.key, "POST", f"/keys/{new['id']}/limits", json={"max_requests": -1})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "max_requests"

    revoked = _admin(stack, root.key, "POST", f"/keys/{new['id']}/revoke")
    assert revoked.json() == {"id": new["id"], "revoked": True, "edges_told": True}
    stack.wait_for_key(new["key"], accepted=False, within=3)
    assert _admin(stack, root.key, "POST", f"/keys/{new['id']}/revoke").status_code == 404

    rows = _admin_rows(stack, "root", 3)
    changes = {f["scanner"]: f["type"] for row in rows for f in row["findings"]}
    assert changes["key_create"] == f"{new['id']} user=bob workspace=payments role=developer"
    assert changes["key_revoke"] == new["id"]
    assert "max_requests=7" in changes["key_limits"]
    assert {(r["user_id"], r["key_id"], r["action"]) for r in rows} == {
        ("root", root.key_id, "admin")
    }


def test_keys_are_listed_a_page_at_a_time_each_once_and_within_the_workspace(
    stack: Stack,
) -> None:
    """``GET /keys?limit=N`` pages through every key of the caller's workspace once, oldest
    first (or newest first), by the last key's id (``next``); a cursor that is no key the
    caller can list, a bad limit or order, is a 400 naming the parameter."""
    root = make_key(stack, "admin", "page-root", "*")
    # The session's database holds every test's keys: a workspace of this test's own.
    mine = "pages-" + secrets.token_hex(4)
    local = make_key(stack, "admin", "page-local", mine)
    made = [local.key_id]
    for n in range(8):
        body = {"user": f"pager-{n}", "workspace": mine if n % 4 else "other", "role": "developer"}
        created = _admin(stack, root.key, "POST", "/keys", json=body).json()["id"]
        if n % 4:
            made.append(created)
        else:
            elsewhere = created

    def walk(limit: str, order: str) -> list[str]:
        seen: list[str] = []
        params = {"limit": limit, "all": "true", "order": order}
        while True:
            answer = _admin(stack, local.key, "GET", "/keys", params=params)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            assert len(page["keys"]) <= int(limit)
            assert {key["workspace"] for key in page["keys"]} <= {mine}
            seen += [key["id"] for key in page["keys"]]
            if page["next"] is None:
                return seen
            assert page["next"] == page["keys"][-1]["id"]
            params = {**params, "after": page["next"]}

    assert walk("2", "oldest") == made
    assert walk("3", "newest") == made[::-1]
    assert walk("1000", "oldest") == made
    first = _admin(stack, local.key, "GET", "/keys").json()  # default: 100, oldest first
    assert [key["id"] for key in first["keys"]] == made and first["next"] is None

    for params in ({"after": elsewhere}, {"after": "key_0000000000000000"}, {"after": "a\x00b"}):
        refused = _admin(stack, local.key, "GET", "/keys", params=params)
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "after"
    for name, value in (("limit", "0"), ("limit", "1001"), ("limit", "x"), ("order", "random")):
        refused = _admin(stack, root.key, "GET", "/keys", params={name: value})
        assert refused.status_code == 400 and refused.json()["error"]["param"] == name
    # A global admin's cursor may be any workspace's key.
    assert _admin(stack, root.key, "GET", "/keys", params={"after": elsewhere}).status_code == 200


def _admin_rows(
    stack: Stack, user: str, changes: int, within: float = 15.0
) -> list[dict[str, Any]]:
    """``user``'s admin calls that changed something, once there are ``changes``."""

    async def fetch() -> list[dict[str, Any]]:
        connection = await asyncpg.connect(stack.database_url)
        try:
            rows = await connection.fetch(
                "SELECT * FROM audit_logs WHERE user_id = $1 AND action = 'admin'"
                ' AND findings::text LIKE \'%"admin"%\' ORDER BY "timestamp"',
                user,
            )
        finally:
            await connection.close()
        return [{**dict(r), "findings": orjson.loads(r["findings"])} for r in rows]

    deadline = time.monotonic() + within
    while len(rows := run_sync(fetch)) < changes:
        assert time.monotonic() < deadline, f"{len(rows)} admin rows, expected {changes}"
        time.sleep(0.1)
    return rows  # type: ignore[no-any-return]


def test_grants_through_the_api_take_effect_and_workspace_admins_stay_in_theirs(
    stack: Stack,
) -> None:
    """A payments admin grants tools:call to a payments developer (it takes effect), and
    cannot see, create or revoke keys of another workspace, nor grant admin:manage."""
    pay_admin = make_key(stack, "admin", "pay-admin", "payments")
    dev = make_key(stack, "developer", "pay-dev", "payments")
    other = make_key(stack, "developer", "ops-dev", "ops")

    keys = _admin(stack, pay_admin.key, "GET", "/keys").json()["keys"]
    assert {k["workspace"] for k in keys} == {"payments"}
    users = _admin(stack, pay_admin.key, "GET", "/users").json()["users"]
    assert {"pay-admin", "pay-dev"} <= {u["user"] for u in users}
    assert "ops-dev" not in {u["user"] for u in users}
    elsewhere = _admin(
        stack,
        pay_admin.key,
        "POST",
        "/keys",
        json={"user": "x", "workspace": "ops", "role": "developer"},
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["error"]["code"] == "permission_denied"
    assert _admin(stack, pay_admin.key, "POST", f"/keys/{other.key_id}/revoke").status_code == 404
    assert (
        _admin(
            stack,
            pay_admin.key,
            "POST",
            "/grants",
            json={"user": "ops-dev", "permission": "tools:call"},
        ).status_code
        == 404
    )
    escalate = _admin(
        stack,
        pay_admin.key,
        "POST",
        "/grants",
        json={"user": "pay-dev", "permission": "admin:manage"},
    )
    assert escalate.status_code == 403
    unknown = _admin(
        stack, pay_admin.key, "POST", "/grants", json={"user": "pay-dev", "permission": "root"}
    )
    assert unknown.status_code == 400

    granted = _admin(
        stack,
        pay_admin.key,
        "POST",
        "/grants",
        json={"user": "pay-dev", "permission": "tools:call"},
    )
    assert granted.json() == {"user": "pay-dev", "permission": "tools:call", "granted": True}
    [listed] = _admin(stack, pay_admin.key, "GET", "/grants").json()["grants"]
    assert (listed["user"], listed["granted_by"]) == ("pay-dev", "pay-admin")
    deadline = time.monotonic() + 10
    while (
        httpx.post(
            stack.core.url + "/v1/chat/completions", json=WITH_TOOLS, headers=_auth(dev.key)
        ).status_code
        != 200
    ):
        assert time.monotonic() < deadline, "the grant never took effect"
        time.sleep(0.05)
    taken = _admin(
        stack,
        pay_admin.key,
        "POST",
        "/grants/revoke",
        json={"user": "pay-dev", "permission": "tools:call"},
    )
    assert taken.json()["revoked"] is True
    rows = _admin_rows(stack, "pay-admin", 2)
    assert [f["scanner"] for row in rows for f in row["findings"]] == ["grant", "grant_revoke"]


def test_a_developer_calling_the_admin_api_gets_403_and_an_audit_row(stack: Stack) -> None:
    """Refused admin calls answer OpenAI's 403 and are recorded with who tried."""
    dev = make_key(stack, "developer", "curious", "tests")
    refused = httpx.get(
        stack.core.url + "/api/v1/admin/keys", headers=_auth(dev.key, "deny-admin-1")
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "permission_error"
    [row] = audit_rows(stack, "deny-admin-1")
    assert (row["user_id"], row["action"], row["status"], row["decision"]) == (
        "curious",
        "admin",
        403,
        "error",
    )


def test_audit_search_pages_filters_exports_and_verifies_within_scope(stack: Stack) -> None:
    """Auditors see every workspace, a workspace admin its own; pages walk every row once;
    CSV and JSONL exports hold the same rows; the chain verifies."""
    auditor = make_key(stack, "auditor", "sec", "security")
    pay_admin = make_key(stack, "admin", "pay-admin2", "payments")
    pay = make_key(stack, "developer", "pay-user", "payments")
    ops = make_key(stack, "developer", "ops-user", "ops")
    for i in range(3):
        for key, ws in ((pay, "pay"), (ops, "ops")):
            r = httpx.post(
                stack.core.url + "/v1/chat/completions",
                json=CHAT,
                headers=_auth(key.key, f"search-{ws}-{i}"),
            )
            assert r.status_code == 200
    audit_rows(stack, "search-ops-2")
    audit_rows(stack, "search-pay-2")

    everything = _admin(
        stack, auditor.key, "GET", "/audit", params={"action": "chat", "limit": "100"}
    ).json()
    assert {r["workspace_id"] for r in everything["rows"]} == {"payments", "ops"}
    assert len(everything["rows"]) == 6 and everything["next"] is None
    scoped = _admin(stack, pay_admin.key, "GET", "/audit", params={"workspace": "ops"}).json()
    assert scoped["rows"] == []
    own = _admin(stack, pay_admin.key, "GET", "/audit", params={"action": "chat"}).json()["rows"]
    assert {r["user_id"] for r in own} == {"pay-user"} and len(own) == 3
    [one] = _admin(
        stack, auditor.key, "GET", "/audit", params={"request_id": "search-ops-1"}
    ).json()["rows"]
    assert (one["user_id"], one["decision"], one["status"]) == ("ops-user", "allow", 200)
    assert _admin(
        stack, auditor.key, "GET", "/audit", params={"user": "ops-user", "since": "1h"}
    ).json()["rows"]

    seen: list[str] = []
    params = {"action": "chat", "limit": "4"}
    while True:
        page = _admin(stack, auditor.key, "GET", "/audit", params=params).json()
        seen.extend(r["request_id"] for r in page["rows"])
        if page["next"] is None:
            break
        params["before"] = page["next"]
    assert sorted(seen) == sorted(r["request_id"] for r in everything["rows"])
    for bad in ({"before": "nope"}, {"since": "soon"}, {"limit": "0"}, {"user": "a\x00b"}):
        answer = _admin(stack, auditor.key, "GET", "/audit", params=bad)
        assert answer.status_code == 400, bad
        assert "error" in answer.json()

    jsonl = _admin(
        stack, auditor.key, "GET", "/audit/export", params={"format": "jsonl", "action": "chat"}
    )
    lines = [orjson.loads(line) for line in jsonl.content.splitlines()]
    assert sorted(x["request_id"] for x in lines) == sorted(seen)
    csv_text = _admin(
        stack, auditor.key, "GET", "/audit/export", params={"format": "csv", "action": "chat"}
    ).text
    table = list(csv.DictReader(io.StringIO(csv_text)))
    assert sorted(x["request_id"] for x in table) == sorted(seen)
    assert table[0]["instruction_hash"] == lines[0]["instruction_hash"]
    assert (
        _admin(stack, auditor.key, "GET", "/audit/export", params={"format": "xml"}).status_code
        == 400
    )

    report = _admin(stack, auditor.key, "GET", "/audit/verify").json()
    assert report["ok"] is True and report["rows"] >= 6
    assert (
        _admin(stack, auditor.key, "POST", "/audit/prune", json={"dry_run": True}).status_code
        == 403
    )


def test_aegis_keys_and_users_go_through_the_api(
    stack: Stack, monkeypatch: Any, capsys: Any
) -> None:
    """`aegis keys …` and `aegis users …` with AEGIS_CORE_URL/AEGIS_API_KEY only: the key
    created works, grants show who made them, a revoked key is refused."""
    from core.cli.main import main as aegis
    from core.keys import cli as keys_cli

    root = make_key(stack, "admin", "cli-admin", "*")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("AEGIS_CORE_URL", stack.core.url)
    monkeypatch.setenv("AEGIS_API_KEY", root.key)
    args = ["keys", "create", "--user", "cli-bob", "--workspace", "w1", "--role", "developer"]
    assert aegis([*args, "--json"]) == 0
    created = orjson.loads(capsys.readouterr().out)
    stack.wait_for_key(created["key"], accepted=True)
    assert aegis(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    line = next(x for x in listing.splitlines() if created["id"] in x)
    assert "cli-bob" in line and "active" in line and created["key"] not in line
    # A page of one key per request to core: the same listing, every key once.
    monkeypatch.setattr(keys_cli, "LIST_PAGE", 1)
    assert aegis(["keys", "list"]) == 0
    assert capsys.readouterr().out == listing
    assert aegis(["keys", "list", "--json"]) == 0
    ids = [key["id"] for key in orjson.loads(capsys.readouterr().out)]
    assert len(ids) == len(set(ids)) >= 2 and {created["id"], root.key_id} <= set(ids)
    assert aegis(["keys", "limits", created["id"], "--max-requests", "5"]) == 0
    assert capsys.readouterr().out.startswith(f"{created['id']}: max_requests 5")
    assert aegis(["users", "grant", "cli-bob", "tools:call"]) == 0
    assert capsys.readouterr().out == "granted tools:call to cli-bob\n"
    assert aegis(["users", "grants"]) == 0
    assert "by cli-admin" in capsys.readouterr().out
    assert aegis(["users", "list", "--json"]) == 0
    bob = next(u for u in orjson.loads(capsys.readouterr().out) if u["user"] == "cli-bob")
    assert (bob["roles"], bob["workspaces"], bob["grants"]) == (
        ["developer"],
        ["w1"],
        ["tools:call"],
    )
    assert aegis(["users", "revoke", "cli-bob", "tools:call"]) == 0
    capsys.readouterr()
    assert aegis(["keys", "revoke", created["id"]]) == 0
    assert capsys.readouterr().out.startswith(f"revoked {created['id']}\n")
    stack.wait_for_key(created["key"], accepted=False, within=3)
    assert aegis(["keys", "create", "--user", "x", "--role", "developer"]) == 1
    assert "'workspace' must be text" in capsys.readouterr().err
    monkeypatch.delenv("AEGIS_API_KEY")
    assert aegis(["keys", "list"]) == 1
    assert capsys.readouterr().err == "aegis: set AEGIS_API_KEY to an admin key\n"


HOSTILE_BODIES = [
    b"[]",
    b"not json",
    b'{"user": 5, "role": "developer", "workspace": "w"}',
    b'{"user": "a\\u0000b", "role": "developer", "workspace": "w"}',
    b'{"user": "u", "role": "root", "workspace": "w"}',
    b'{"user": "u", "role": "developer", "workspace": "w", "max_requests": 1e400}',
    b'{"user": "u", "role": "developer", "workspace": "w", "tokens_per_minute": 99999999999}',
    b'{"user": "\\ud800", "permission": "tools:call"}',
    b'{"max_requests": true}',
    b'{"text": 7, "limit": 0}',
    b'{"retention_days": "x", "dry_run": "yes"}',
]
HOSTILE_PATHS = [
    ("POST", "/keys"),
    ("POST", "/keys/key_nope/revoke"),
    ("POST", "/keys/%00/limits"),
    ("POST", "/keys/key_nope/limits"),
    ("POST", "/grants"),
    ("POST", "/grants/revoke"),
    ("POST", "/audit/match"),
]


def test_hostile_admin_input_gets_a_4xx_in_openai_shape_never_a_500(stack: Stack) -> None:
    """Bad bodies, paths and queries on every new admin route: a 4xx with an error object."""
    root = make_key(stack, "admin", "fuzz-root", "*")
    for method, path in HOSTILE_PATHS:
        for body in HOSTILE_BODIES:
            answer = httpx.request(
                method,
                stack.core.url + "/api/v1/admin" + path,
                content=body,
                headers={**_auth(root.key), "content-type": "application/json"},
            )
            assert 400 <= answer.status_code < 500, (path, body, answer.text)
            assert answer.json()["error"]["message"], (path, body)
    for body in (b"[]", b"not json", b'{"retention_days": "x"}', b'{"dry_run": "yes"}'):
        answer = _admin(stack, root.key, "POST", "/audit/prune", content=body)
        assert answer.status_code == 400, (body, answer.text)
    for query in (
        {"since": "9999999d"},
        {"until": "0001-01-01T00:00:00"},
        {"limit": "1001"},
        {"before": "99999999999999999999:00000000-0000-0000-0000-000000000000"},
        {"request_id": "x" * 300},
        {"decision": "a\x00b"},
    ):
        for path in ("/audit", "/audit/export"):
            answer = _admin(stack, root.key, "GET", path, params=query)
            assert 400 <= answer.status_code < 500 or answer.status_code == 200, (
                query,
                answer.text,
            )
            assert answer.status_code != 200 or path == "/audit/export" or "rows" in answer.json()


def test_policy_changes_are_audit_rows_naming_who_made_them(stack: Stack) -> None:
    """A policy set and delete through the API are audit rows with the change as findings."""
    root = make_key(stack, "admin", "policy-root", "*")
    path = "/policies/workspace/payments"
    assert _admin(stack, root.key, "PUT", path, json={"dry_run": True}).status_code == 200
    assert _admin(stack, root.key, "DELETE", path).status_code == 200
    rows = _admin_rows(stack, "policy-root", 2)
    assert [(f["scanner"], f["type"]) for r in rows for f in r["findings"]] == [
        ("policy_set", "workspace payments"),
        ("policy_delete", "workspace payments"),
    ]
