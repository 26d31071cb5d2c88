"""Core killed (SIGKILL) under load with fail-open on: every request is answered and logged."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from core.keys.store import KeyStore
from devupstream.app import DEFAULT_MODEL
from edge.app import create_app as create_edge
from edge.settings import EdgeSettings
from tests.conftest import ServerThread, Upstream, free_port, run_sync

pytestmark = pytest.mark.slow

TOTAL = 500
CONCURRENCY = 20
# Each answer takes ~60 ms at the model, so the run lasts long enough to kill core in it.
CHAT = {
    "model": DEFAULT_MODEL,
    "messages": [{"role": "user", "content": "hello"}],
    "devupstream": {"delay_ms": 60},
}


@dataclass
class Outcome:
    status: int
    bypassed: bool
    done_at: float


class CoreProcess:
    """``python -m core`` on a fixed port, killable with SIGKILL and startable again."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {**os.environ, **env, "PORT": str(self.port), "LOG_LEVEL": "warning"}
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start and wait until healthy; return the monotonic time it first answered."""
        with self._log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "core"],
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self._log.read_text()[-2000:]
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=0.5).status_code == 200:
                    return time.monotonic()
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "core did not start"
            time.sleep(0.02)

    def kill(self) -> float:
        assert self.process is not None
        killed_at = time.monotonic()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        return killed_at

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture
def core_process(
    upstream: Upstream, database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> Iterator[CoreProcess]:
    core = CoreProcess(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": redis_prefix,
            "UPSTREAM_URL": upstream.url,
            "KEY_SYNC_INTERVAL_MS": "500",
        },
        tmp_path / "core.log",
    )
    core.start()
    try:
        yield core
    finally:
        core.stop()


async def _bypass_count(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM bypass_events"))
    finally:
        await connection.close()


async def _load(url: str, key: str, outcomes: list[Outcome]) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(TOTAL):
        queue.put_nowait(number)
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                answer = await client.post(
                    url, json=CHAT, headers={"authorization": f"Bearer {key}"}
                )
                outcomes.append(
                    Outcome(
                        answer.status_code,
                        answer.headers.get("x-aegis-bypassed") == "true",
                        time.monotonic(),
                    )
                )

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def test_core_killed_under_load_every_request_answered_and_every_bypass_stored(
    core_process: CoreProcess,
    upstream: Upstream,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    tmp_path: Path,
) -> None:
    """500 requests at concurrency 20, core SIGKILLed mid-run: 200s (or a documented 502 for
    requests core had accepted), and as many stored bypass events as bypassed answers."""

    async def create() -> str:
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute("TRUNCATE bypass_events")
            created = await KeyStore(connection).create(
                user="load", workspace="tests", role="developer"
            )
            return created.key
        finally:
            await connection.close()

    key: str = run_sync(create)
    edge = ServerThread(
        create_edge(
            EdgeSettings(
                core_endpoints=(core_process.url,),
                redis_url=redis_url,
                redis_prefix=redis_prefix,
                key_sync_interval_ms=100,
                fail_open_enabled=True,
                fail_open_target_url=upstream.url,
                bypass_spool_dir=tmp_path / "spool",
                rate_limit_max_requests=100_000,
            )
        )
    ).start()
    try:
        headers = {"authorization": f"Bearer {key}"}
        deadline = time.monotonic() + 10
        while httpx.get(edge.url + "/v1/models", headers=headers).status_code != 200:
            assert time.monotonic() < deadline, "edge never accepted the key"
            time.sleep(0.05)

        outcomes: list[Outcome] = []
        load = threading.Thread(
            target=lambda: asyncio.run(_load(edge.url + "/v1/chat/completions", key, outcomes))
        )
        load.start()
        while len(outcomes) < TOTAL // 4:
            time.sleep(0.005)
        killed_at = core_process.kill()
        load.join(120)
        assert not load.is_alive()

        statuses = sorted({o.status for o in outcomes})
        assert len(outcomes) == TOTAL
        assert set(statuses) <= {200, 502}, statuses
        bypassed = [o for o in outcomes if o.bypassed]
        assert bypassed, "no request was bypassed after core died"
        assert all(o.status == 200 for o in bypassed)
        first_bypass_s = min(o.done_at for o in bypassed) - killed_at

        # Core returns: traffic flows through it again, and the events are stored.
        back_at = core_process.start()
        while True:
            answer = httpx.post(edge.url + "/v1/chat/completions", json=CHAT, headers=headers)
            assert answer.status_code == 200
            if "x-aegis-bypassed" not in answer.headers:
                break
            bypassed.append(Outcome(200, True, time.monotonic()))
            assert time.monotonic() - back_at < 10, "traffic never went back through core"
        recovered_s = time.monotonic() - back_at

        deadline = time.monotonic() + 20
        while (stored := run_sync(lambda: _bypass_count(database_url))) < len(bypassed):
            assert time.monotonic() < deadline, f"{stored} stored of {len(bypassed)} bypassed"
            time.sleep(0.1)
        time.sleep(0.5)
        assert run_sync(lambda: _bypass_count(database_url)) == len(bypassed)
        print(  # the figures the issue asks for; `pytest -s` shows them
            f"\nfailover: {len(bypassed)} bypassed, "
            f"{sum(o.status == 502 for o in outcomes)} x 502; "
            f"core death -> first bypassed answer {first_bypass_s * 1000:.0f} ms; "
            f"core back -> first answer through core {recovered_s * 1000:.0f} ms"
        )
        assert first_bypass_s < 2.0
        assert recovered_s < 2.0
    finally:
        edge.stop()
