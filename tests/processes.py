"""The real processes as an operator runs them (``python -m edge|core|devupstream``,
``aegis``): what tests that need production's shape start (:func:`process_stack` in
``tests.conftest``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

AEGIS = str(Path(sys.executable).with_name("aegis"))


def run(
    args: list[str], env: dict[str, str], timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class ProcessStack:
    edge_url: str
    core_url: str
    upstream_url: str
    env: dict[str, str]
    logs: dict[str, Path]
    processes: dict[str, subprocess.Popen[bytes]]
    admin_key: str | None = None

    def log_text(self) -> str:
        return "".join(path.read_text() for path in self.logs.values())

    def admin(self) -> str:
        """A global admin key (made once with ``--direct``, as ``make run`` does), once core
        has loaded it."""
        if self.admin_key is None:
            self.admin_key = create_admin_key(self.env["DATABASE_URL"])
            deadline = time.monotonic() + 10
            while (
                httpx.get(
                    self.core_url + "/api/v1/admin/keys",
                    headers={"authorization": f"Bearer {self.admin_key}"},
                ).status_code
                != 200
            ):
                assert time.monotonic() < deadline, "core never loaded the admin key"
                time.sleep(0.05)
        return self.admin_key

    def aegis(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``aegis`` as an operator runs it: through core, with :meth:`admin`'s key."""
        return run([AEGIS, *args], {"AEGIS_CORE_URL": self.core_url, "AEGIS_API_KEY": self.admin()})


def create_admin_key(database_url: str) -> str:
    """A global admin key, made with ``aegis keys create --direct`` as ``make run`` does."""
    command = "keys create --direct --user root --workspace * --role admin --json".split()
    made = run([AEGIS, *command], {"DATABASE_URL": database_url})
    assert made.returncode == 0, made.stderr
    key: str = json.loads(made.stdout)["key"]
    return key


def wait_healthy(
    url: str,
    process: subprocess.Popen[bytes],
    tail: Callable[[], str],
    within: float = 20,
    poll_s: float = 0.05,
) -> None:
    """Until ``url`` answers 200; fails, with ``tail()`` (its log), if ``process`` exits or
    ``within`` seconds pass."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url} exited {process.returncode}: {tail()}")
        try:
            if httpx.get(url, timeout=max(0.5, poll_s * 10)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(poll_s)
    raise AssertionError(f"{url} not healthy: {tail()}")


def create_key(
    stack: ProcessStack, role: str = "developer", workspace: str = "ops"
) -> dict[str, str]:
    result = stack.aegis(
        "keys", "create", "--user", "bob", "--workspace", workspace, "--role", role, "--json"
    )
    assert result.returncode == 0, result.stderr
    created: dict[str, str] = json.loads(result.stdout)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = httpx.get(
            stack.edge_url + "/v1/models", headers={"authorization": f"Bearer {created['key']}"}
        ).status_code
        if status == 200:
            return created
        time.sleep(0.05)
    raise AssertionError("edge never accepted the new key")
