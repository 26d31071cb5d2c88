"""The real processes as an operator runs them: ``python -m edge|core|devupstream``, ``aegis``."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx
import openai
import pytest

from devstack.procs import pid_alive
from devupstream.app import DEFAULT_MODEL
from tests.conftest import free_port
from tests.processes import AEGIS, ProcessStack
from tests.processes import create_key as _create_key
from tests.processes import run as _run

PROCESS_NAMES = ("devupstream", "core", "edge")


@pytest.mark.parametrize(
    ("module", "env", "named"),
    [
        pytest.param(
            "edge", {"PORT": "eighty", "REDIS_URL": "ftp://x"}, ["PORT", "REDIS_URL"], id="edge"
        ),
        pytest.param(
            "core",
            {"DATABASE_URL": "mysql://db/x", "LOG_LEVEL": "loud", "UPSTREAM_URL": "vllm"},
            ["DATABASE_URL", "LOG_LEVEL", "UPSTREAM_URL"],
            id="core",
        ),
        pytest.param(
            "edge", {"TRUSTED_PROXIES": "10.0.0.0/40"}, ["TRUSTED_PROXIES"], id="bad-cidr"
        ),
    ],
)
def test_bad_settings_stop_start_up_with_one_line_each(
    module: str, env: dict[str, str], named: list[str]
) -> None:
    """A bad value stops start-up with exit 2 and one clear line per variable, no traceback."""
    result = _run([sys.executable, "-m", module], env, timeout=20)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(named)
    assert all(line.startswith(f"{module}: Config '") for line in lines)
    assert sorted(line.split("'")[1] for line in lines) == sorted(named)
    assert "Traceback" not in result.stderr


def test_secret_in_database_url_is_not_echoed() -> None:
    """A malformed URL with a password is reported without the password."""
    result = _run(
        [sys.executable, "-m", "core"], {"DATABASE_URL": "postgresql://u:hunter2@h:notaport/db"}
    )
    assert result.returncode == 2
    assert "hunter2" not in result.stderr
    assert "postgresql://u:****@h:notaport/db" in result.stderr


def test_prompts_responses_and_keys_never_reach_the_logs(process_stack: ProcessStack) -> None:
    """Real log output has the request id on every request line, and never text or keys."""
    created = _create_key(process_stack)
    canary = "canary-" + secrets.token_hex(8)
    client = openai.OpenAI(
        base_url=process_stack.edge_url + "/v1", api_key=created["key"], max_retries=0
    )
    raw = client.chat.completions.with_raw_response.create(
        model=DEFAULT_MODEL, messages=[{"role": "user", "content": f"my note says {canary}"}]
    )
    assert canary in (raw.parse().choices[0].message.content or "")
    # Called a secret, it is one: refused (secrets never pass), and still not logged.
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(
            model=DEFAULT_MODEL, messages=[{"role": "user", "content": f"my secret is {canary}"}]
        )
    assert refused.value.code == "aegis_blocked"
    streamed = client.chat.completions.create(
        model=DEFAULT_MODEL, messages=[{"role": "user", "content": canary}], stream=True
    )
    assert canary in "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    client.embeddings.create(model=DEFAULT_MODEL, input=canary)
    request_id = raw.headers["x-aegis-request-id"]
    time.sleep(0.2)
    text = process_stack.log_text()
    assert canary not in text
    assert created["key"] not in text
    assert created["key"][9:] not in text  # not even without its prefix
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    for service in ("edge", "core"):
        mine = [
            line
            for line in lines
            if line.get("service") == service and line.get("request_id") == request_id
        ]
        assert len(mine) == 1, service
        assert mine[0]["event"] == "request"
        assert mine[0]["status"] == 200
        assert mine[0]["key_id"] == created["id"]
        assert mine[0]["latency_ms"] > 0


def test_cli_lists_without_keys_and_revokes(process_stack: ProcessStack) -> None:
    """`aegis keys list` never shows a key; `aegis keys revoke` makes the edge refuse it."""
    created = _create_key(process_stack)
    listing = process_stack.aegis("keys", "list", "--json")
    assert listing.returncode == 0
    assert created["key"] not in listing.stdout
    rows = {row["id"]: row for row in json.loads(listing.stdout)}
    assert rows[created["id"]]["user"] == "bob"
    assert rows[created["id"]]["role"] == "developer"

    revoked = process_stack.aegis("keys", "revoke", created["id"])
    assert revoked.returncode == 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status = httpx.get(
            process_stack.edge_url + "/v1/models",
            headers={"authorization": f"Bearer {created['key']}"},
        ).status_code
        if status == 401:
            break
        time.sleep(0.05)
    assert status == 401
    again = process_stack.aegis("keys", "revoke", created["id"])
    assert again.returncode == 1
    assert again.stderr.strip() == f"aegis: core answered 404: No active key '{created['id']}'."


def test_cli_reports_unreachable_database_in_one_line() -> None:
    """The CLI says where it could not connect, with no traceback."""
    port = free_port()
    result = _run(
        [AEGIS, "keys", "list", "--direct"],
        {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/x"},
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"aegis: cannot reach PostgreSQL at 127.0.0.1:{port}")
    assert "Traceback" not in result.stderr


def test_processes_stop_cleanly_on_sigterm(process_stack: ProcessStack) -> None:
    """SIGTERM runs a graceful shutdown; uvicorn then re-raises the signal, as it should."""
    for process in process_stack.processes.values():
        process.send_signal(signal.SIGTERM)
    for name, process in process_stack.processes.items():
        assert process.wait(10) in (0, -signal.SIGTERM), (
            name,
            process_stack.logs[name].read_text()[-3000:],
        )
    text = process_stack.log_text()
    assert '"event":"edge_stopped"' in text
    assert '"event":"core_stopped"' in text


class _Output:
    """A process's merged output, read line by line in a thread (the pipe never fills)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stdout is not None
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def text(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, needle: str, process: subprocess.Popen[str], within: float) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = next((line for line in self.lines if needle in line), None)
            if found is not None:
                return found
            if process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {needle!r} in the output within {within} s:\n{self.text()}")


@pytest.mark.slow
def test_make_run_restarts_a_dead_core_and_fails_open_meanwhile(
    tmp_path: Path, database_url: str, redis_url: str, redis_prefix: str
) -> None:
    """`devstack run` keeps edge and upstream up when core dies, fails open, brings core back."""
    run_dir = tmp_path / "run"
    ports = {var: str(free_port()) for var in ("UPSTREAM_PORT", "CORE_PORT", "EDGE_PORT")}
    env = {
        **os.environ,
        **ports,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "FAIL_OPEN_ENABLED": "true",
    }
    devstack = [sys.executable, "-m", "devstack", "--run-dir", str(run_dir)]
    runner = subprocess.Popen(
        [*devstack, "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = _Output(runner)
    try:
        output.wait_for("Aegis is running.", runner, within=90)
        assert f"kill $(cat {run_dir / 'core.pid'})" in output.text()
        # The banner's export lines, as pasted, are all `aegis` needs (no DATABASE_URL).
        exported = dict(
            line.strip().removeprefix("export ").split("=", 1)
            for line in output.lines
            if line.strip().startswith("export AEGIS_")
        )
        assert exported["AEGIS_CORE_URL"] == f"http://127.0.0.1:{ports['CORE_PORT']}"
        listed = _run([AEGIS, "keys", "list", "--json"], {**exported, "DATABASE_URL": "unset://"})
        assert listed.returncode == 0, listed.stderr
        assert "dev" in [k["user"] for k in json.loads(listed.stdout)]
        searched = _run([AEGIS, "audit", "search", "--action", "admin", "--json"], exported)
        assert searched.returncode == 0, searched.stderr
        pids = {name: int((run_dir / f"{name}.pid").read_text()) for name in PROCESS_NAMES}
        edge_url = f"http://127.0.0.1:{ports['EDGE_PORT']}"
        chat = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}
        auth = {"authorization": f"Bearer {(run_dir / 'dev-key').read_text().strip()}"}

        os.kill(pids["core"], signal.SIGTERM)
        output.wait_for("core (pid", runner, within=10)
        bypassed = httpx.post(edge_url + "/v1/chat/completions", json=chat, headers=auth)
        assert bypassed.status_code == 200
        assert bypassed.headers["x-aegis-bypassed"] == "true"
        death = output.wait_for("core (pid", runner, within=1)
        assert death == (
            f"devstack: core (pid {pids['core']}) was stopped by SIGTERM; devupstream, edge keep"
            f" running; restarting core in 5s (log {run_dir / 'logs' / 'core.log'})"
        )
        assert all(pid_alive(pids[name]) for name in ("devupstream", "edge"))

        output.wait_for("devstack: core is back", runner, within=60)
        new_core = int((run_dir / "core.pid").read_text())
        assert new_core != pids["core"]
        assert pid_alive(new_core)
        deadline = time.monotonic() + 10
        while True:
            answer = httpx.post(edge_url + "/v1/chat/completions", json=chat, headers=auth)
            if "x-aegis-bypassed" not in answer.headers or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.status_code == 200
        assert "x-aegis-bypassed" not in answer.headers
        assert [int((run_dir / f"{n}.pid").read_text()) for n in ("devupstream", "edge")] == [
            pids["devupstream"],
            pids["edge"],
        ]

        stopped = _run([*devstack, "stop"], env, timeout=30)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert runner.wait(20) == 0
        assert "stopped; nothing left running" in output.text()
        assert not any(pid_alive(pid) for pid in (new_core, pids["devupstream"], pids["edge"]))
    finally:
        if runner.poll() is None:
            runner.send_signal(signal.SIGINT)
            try:
                runner.wait(20)
            except subprocess.TimeoutExpired:
                runner.kill()
                runner.wait()
