"""The tool gate end to end: client → edge → core → development upstream, real PostgreSQL
and Redis. A developer key's execute_python call is refused and the agent (the official
``openai`` SDK) reads why, JSON and streamed; read_file passes byte for byte; a workspace
override through the admin API changes the outcome, and is an audit row; the CLI goes
through the same API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import openai
import orjson
import pytest

from devupstream.app import FIXTURE_MODEL
from tests.conftest import Stack, run_sync
from tests.e2e.test_admin_api import make_key


@pytest.fixture(autouse=True)
def _no_overrides(stack: Stack) -> Iterator[None]:
    """Each test starts with the repository's catalogue (the database lives for the session)."""

    async def clear() -> None:
        connection = await asyncpg.connect(stack.database_url)
        try:
            await connection.execute("DELETE FROM tool_overrides")
        finally:
            await connection.close()

    run_sync(clear)
    yield
    run_sync(clear)


def _client(stack: Stack, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=stack.base_url, api_key=key, max_retries=0)


def _messages(fixture: str) -> list[Any]:
    return [{"role": "user", "content": f"fixture:{fixture}"}]


def _ask(
    client: openai.OpenAI, fixture: str, stream: bool
) -> tuple[str, list[str], str | None, Any]:
    """What the SDK gives an agent: the text, the calls' names, the finish, and the ``aegis``
    object (on the completion, or the chunk that carries it)."""
    if not stream:
        completion = client.chat.completions.create(
            model=FIXTURE_MODEL, messages=_messages(fixture)
        )
        choice = completion.choices[0]
        names = [call.function.name for call in choice.message.tool_calls or []]  # type: ignore[union-attr]
        return (
            choice.message.content or "",
            names,
            choice.finish_reason,
            (completion.model_extra or {}).get("aegis"),
        )
    text, names, finish, aegis = "", [], None, None
    for chunk in client.chat.completions.create(
        model=FIXTURE_MODEL, messages=_messages(fixture), stream=True
    ):
        aegis = (chunk.model_extra or {}).get("aegis") or aegis
        for part in chunk.choices:
            text += part.delta.content or ""
            names += [
                c.function.name
                for c in part.delta.tool_calls or []
                if c.function and c.function.name
            ]
            finish = part.finish_reason or finish
    return text, names, finish, aegis


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_developers_execute_python_is_refused_and_the_agent_reads_why(
    stack: Stack, stream: bool
) -> None:
    """The call never reaches the agent; the SDK parses an ordinary answer whose text says
    which tool, its level and why, finish ``stop``; the refusal is an audit row."""
    client = _client(stack, stack.create_key("developer", user="dev").key)
    text, names, finish, aegis = _ask(client, "tool_execute_python", stream)
    assert names == [] and finish == "stop"
    assert text.startswith("[Aegis] The tool call execute_python (CRITICAL) was refused")
    assert "tools:call" in text and "os.system" not in text
    assert aegis["type"] == "tool_permission"
    assert aegis["refused"] == [
        {"name": "execute_python", "level": "CRITICAL", "type": "tool_permission"}
    ]
    row = _audit_row(stack, "dev")
    assert row["decision"] == "block"
    assert {
        "stage": "output",
        "scanner": "tool_gate",
        "type": "tool_permission:execute_python",
        "score": 1.0,
        "count": 1,
    } in row["findings"]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_an_ai_developers_destructive_code_is_refused_by_its_arguments(
    stack: Stack, stream: bool
) -> None:
    """An ai-developer may call execute_python, not with ``os.system('rm -rf /')``."""
    client = _client(stack, stack.create_key("ai-developer").key)
    text, names, finish, aegis = _ask(client, "tool_execute_python", stream)
    assert names == [] and finish == "stop" and aegis["type"] == "tool_shell_pattern"
    assert "'code' contains a dangerous command pattern" in text


def _normalised(data: bytes) -> bytes:
    """A stream with its per-request ``id`` and ``created`` values replaced: the rest is
    compared byte for byte."""
    first = orjson.loads(data.split(b"\n\n", 1)[0][len(b"data: ") :])
    ident, created = first["id"].encode(), str(first["created"]).encode()
    return data.replace(ident, b"ID").replace(b'"created":' + created, b'"created":0')


def test_read_file_passes_byte_for_byte(stack: Stack) -> None:
    """A developer's read_file call (LOW) arrives exactly as the model server streamed it,
    and as it answered it in JSON."""
    key = stack.create_key("developer").key
    body = {"model": FIXTURE_MODEL, "messages": _messages("tool_read_file")}
    for stream in (False, True):
        sent = {**body, "stream": stream}
        direct = httpx.post(stack.upstream.url + "/v1/chat/completions", json=sent).content
        through = httpx.post(
            stack.base_url + "/chat/completions",
            json=sent,
            headers={"authorization": f"Bearer {key}"},
        )
        assert through.status_code == 200
        if stream:
            assert b'"name":"read_file"' in through.content
            assert _normalised(through.content) == _normalised(direct)
        else:
            answer, expected = through.json(), orjson.loads(direct)
            for value in (answer, expected):
                value.pop("id"), value.pop("created")
            assert answer == expected


def _audit_row(stack: Stack, user: str, within: float = 15.0) -> dict[str, Any]:
    async def fetch() -> list[Any]:
        connection = await asyncpg.connect(stack.database_url)
        try:
            return await connection.fetch(
                "SELECT decision, findings FROM audit_logs WHERE user_id = $1 "
                "AND findings::text LIKE '%tool_gate%' ORDER BY \"timestamp\" DESC",
                user,
            )
        finally:
            await connection.close()

    deadline = time.monotonic() + within
    while not (rows := run_sync(fetch)):
        assert time.monotonic() < deadline, "no audit row"
        time.sleep(0.1)
    return {"decision": rows[0]["decision"], "findings": orjson.loads(rows[0]["findings"])}


def _admin(stack: Stack, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(
        method,
        stack.core.url + "/api/v1/admin/tools" + path,
        headers={"authorization": f"Bearer {key}"},
        timeout=30,
        **kwargs,
    )


def _until(
    client: openai.OpenAI, finish: str, within: float = 5.0
) -> tuple[str, list[str], str | None, Any]:
    """Ask until the finish is ``finish`` (a change reaches core within moments)."""
    deadline = time.monotonic() + within
    while True:
        answer = _ask(client, "tool_execute_python", stream=False)
        if answer[2] == finish or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_a_workspace_override_through_the_admin_api_changes_the_outcome(stack: Stack) -> None:
    """A workspace admin opens execute_python to developers (and drops its code check) in
    its workspace, at level MEDIUM (HIGH would wait for an approval): the call arrives;
    deleting the override refuses it again. Another
    workspace is not its to change; each change is an audit row naming the admin."""
    admin = stack.create_key("admin", user="boss").key
    client = _client(stack, stack.create_key("developer").key)
    assert _ask(client, "tool_execute_python", stream=False)[2] == "stop"

    stored = _admin(
        stack,
        admin,
        "PUT",
        "/tests/execute_python",
        json={"permission": "llm:call", "level": "MEDIUM", "commands": []},
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["settings"] == {
        "level": "MEDIUM",
        "permission": "llm:call",
        "commands": [],
    }
    _, names, finish, _ = _until(client, "tool_calls")
    assert (names, finish) == (["execute_python"], "tool_calls")
    listed = _admin(stack, admin, "GET", "").json()
    spec = next(tool for tool in listed["tools"] if tool["name"] == "execute_python")
    assert listed["workspace"] == "tests" and spec["level"] == "MEDIUM" and spec["overridden"]

    assert _admin(stack, admin, "PUT", "/payments/execute_python", json={}).status_code == 403
    assert _admin(stack, admin, "PUT", "/tests/bad%20name", json={}).status_code == 400
    bad = _admin(stack, admin, "PUT", "/tests/execute_python", json={"level": "SEVERE"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "level"

    assert _admin(stack, admin, "DELETE", "/tests/execute_python").status_code == 200
    assert _until(client, "stop")[2] == "stop"
    assert _admin(stack, admin, "DELETE", "/tests/execute_python").status_code == 404

    async def changes() -> list[str]:
        connection = await asyncpg.connect(stack.database_url)
        try:
            rows = await connection.fetch(
                "SELECT findings FROM audit_logs WHERE user_id = 'boss' AND action = 'admin'"
            )
        finally:
            await connection.close()
        return [
            f["type"]
            for r in rows
            for f in orjson.loads(r["findings"])
            if f["scanner"] in ("tool_set", "tool_delete")
        ]

    deadline = time.monotonic() + 15
    while len(found := run_sync(changes)) < 2:
        assert time.monotonic() < deadline, found
        time.sleep(0.1)
    assert sorted(found)[0].startswith("tests execute_python")


def test_the_cli_lists_sets_and_deletes_through_core(stack: Stack) -> None:
    """``aegis tools set|list|delete`` act through core's admin API with AEGIS_API_KEY."""
    admin = stack.create_key("admin", user="boss").key
    env = {**os.environ, "AEGIS_CORE_URL": stack.core.url, "AEGIS_API_KEY": admin}

    def aegis(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "core.cli", "tools", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    done = aegis("set", "write_file", "--level", "CRITICAL", "--extension", ".md")
    assert done.returncode == 0, done.stderr
    listed = aegis("list", "--json")
    assert listed.returncode == 0, listed.stderr
    tools = {tool["name"]: tool for tool in orjson.loads(listed.stdout)["tools"]}
    assert tools["write_file"]["level"] == "CRITICAL" and tools["write_file"]["extensions"] == [
        ".md"
    ]
    table = aegis("list")
    assert "write_file" in table.stdout and "CRITICAL" in table.stdout
    assert aegis("delete", "write_file").returncode == 0
    again = aegis("delete", "write_file")
    assert again.returncode == 1 and "No override" in again.stderr
    refused = aegis("set", "write_file", "--level", "SEVERE")
    assert refused.returncode != 0


def test_the_readme_commands_work_for_a_global_admin(stack: Stack) -> None:
    """The README's ``aegis tools`` lines, as ``make run``'s dev key (a global admin) runs
    them: ``*`` by default, ``--workspace payments`` where named."""
    root = make_key(stack, "admin", "root", "*")
    env = {**os.environ, "AEGIS_CORE_URL": stack.core.url, "AEGIS_API_KEY": root.key}

    def aegis(line: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "core.cli", *line.split()[1:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, (line, done.stderr)
        return done.stdout

    assert aegis("aegis tools list").startswith("workspace *; unknown tools MEDIUM")
    aegis("aegis tools set write_file --workspace payments --level CRITICAL --extension .md")
    listed = aegis("aegis tools list --workspace payments")
    line = next(row for row in listed.splitlines() if row.startswith("write_file"))
    assert "CRITICAL" in line and "ext=.md" in line and line.endswith("yes")
    aegis("aegis tools delete write_file --workspace payments")


def test_the_cli_piped_into_a_reader_that_leaves_stops_quietly(stack: Stack) -> None:
    """``aegis tools list | head -1``: the reader closing the pipe is no error to report."""
    admin = stack.create_key("admin", user="boss").key
    env = {**os.environ, "AEGIS_CORE_URL": stack.core.url, "AEGIS_API_KEY": admin}
    process = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "tools", "list"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # gone before aegis writes a line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) != 0
    assert stderr == ""
