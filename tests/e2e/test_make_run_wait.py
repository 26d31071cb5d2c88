"""``make run`` with an ``UPSTREAM_URL`` that does not answer yet (vLLM loading its model) keeps
running, says it waits for the model server, and serves as soon as it answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from devstack.stack import KEY_TIMEOUT_S
from devupstream.app import DEFAULT_MODEL
from tests.conftest import free_port


class _Lines:
    """A process's merged output, read in a thread so its pipe never fills."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        assert process.stdout is not None
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, needle: str, within: float) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = next((line for line in self.lines if needle in line), None)
            if found is not None:
                return found
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        text = "\n".join(self.lines)
        raise AssertionError(f"no {needle!r} in the output within {within} s:\n{text}")


def _stop(process: subprocess.Popen[str], sig: int = signal.SIGINT) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@pytest.mark.slow
def test_make_run_waits_for_a_model_server_that_is_not_up_yet(
    tmp_path: Path, database_url: str, redis_url: str, redis_prefix: str
) -> None:
    """With nothing on UPSTREAM_URL's port the run outlives the old 15 s limit, saying it
    waits; once a model server listens there the banner appears and the edge serves."""
    upstream_port = free_port()
    ports = {var: str(free_port()) for var in ("CORE_PORT", "EDGE_PORT")}
    # The OpenAI root, as an SDK's base_url is written: core and devstack take it as the base.
    upstream_url = f"http://127.0.0.1:{upstream_port}/v1"
    env = {
        **os.environ,
        **ports,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "UPSTREAM_URL": upstream_url,
    }
    run_dir = tmp_path / "run"
    runner = subprocess.Popen(
        [sys.executable, "-m", "devstack", "--run-dir", str(run_dir), "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = _Lines(runner)
    upstream: subprocess.Popen[str] | None = None
    try:
        waiting = output.wait_for("waiting for the model server", within=120)
        began = time.monotonic()
        assert waiting.startswith(f"devstack: waiting for the model server at {upstream_url}")
        edge_url = f"http://127.0.0.1:{ports['EDGE_PORT']}"
        auth = {"authorization": f"Bearer {(run_dir / 'dev-key').read_text().strip()}"}
        chat = {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "hello"}]}
        # The gateway is up meanwhile and says what is missing.
        assert httpx.get(edge_url + "/health").status_code == 200
        missing = httpx.post(edge_url + "/v1/chat/completions", json=chat, headers=auth)
        assert missing.status_code == 502
        assert missing.json()["error"]["code"] == "upstream_unreachable"
        # Before, the run gave up KEY_TIMEOUT_S after the key was made.
        time.sleep(max(0.0, KEY_TIMEOUT_S + 2 - (time.monotonic() - began)))
        assert runner.poll() is None, "\n".join(output.lines)
        assert not any("Aegis is running." in line for line in output.lines)

        upstream = subprocess.Popen(
            [sys.executable, "-m", "devupstream"],
            env={**os.environ, "HOST": "127.0.0.1", "PORT": str(upstream_port)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        output.wait_for("Aegis is running.", within=60)
        answered = output.wait_for("answers (after", within=1)
        assert answered.startswith(f"devstack: the model server at {upstream_url} answers")
        assert any(f"Model      {DEFAULT_MODEL}" in line for line in output.lines)
        served = httpx.post(edge_url + "/v1/chat/completions", json=chat, headers=auth)
        assert served.status_code == 200
        assert served.json()["choices"][0]["message"]["content"] == "echo: hello"
        assert _stop(runner) == 0
        assert "stopped; nothing left running" in "\n".join(output.lines)
    finally:
        _stop(runner)
        if upstream is not None:
            _stop(upstream, signal.SIGTERM)
