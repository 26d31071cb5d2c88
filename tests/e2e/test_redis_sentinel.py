"""``REDIS_URL=redis+sentinel://…``: the client asks a real Sentinel for the primary, and the
rate limiter (its batched scripts on the Sentinel-managed pool) stays exact through it."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from edge.ratelimit import RateLimiter, RateLimits
from shared.redisclient import open_redis
from tests.conftest import free_port

SERVICE = "aegis-primary"


@pytest.fixture
def sentinel(own_redis: Any, tmp_path: Path) -> Iterator[int]:
    """A Sentinel (``redis-server --sentinel``) watching ``own_redis`` as ``SERVICE``; its port."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found: install the redis-server package")
    primary_port = int(own_redis.url.rsplit(":", 1)[1].split("/")[0])
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {SERVICE} 127.0.0.1 {primary_port} 1\n"
        f"sentinel down-after-milliseconds {SERVICE} 5000\n"
    )
    log = (tmp_path / "sentinel.log").open("wb")
    process = subprocess.Popen(
        [binary, str(conf), "--sentinel"], stdout=log, stderr=subprocess.STDOUT
    )
    log.close()
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                masters = redis.Redis(port=port).sentinel_masters()
                if SERVICE in masters:
                    break
            except redis.RedisError:
                pass
            assert time.monotonic() < deadline, "sentinel did not start"
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(10)


async def test_limits_are_exact_through_a_sentinel_managed_primary(
    sentinel: int, own_redis: Any
) -> None:
    """With a limit of 3, four checks through the Sentinel URL admit three, none degraded,
    and the logs are on the primary the Sentinel named."""
    client = open_redis(f"redis+sentinel://127.0.0.1:{sentinel}/{SERVICE}/0", socket_timeout=2.0)
    limiter = RateLimiter(client, "sentinel-test:")
    limits = RateLimits(requests=3, window_ms=60_000, block_ms=0, tokens_per_minute=None)
    try:
        decisions = [
            await limiter.check(
                key_id="k1",
                client_ip="10.0.0.1",
                key_limits=limits,
                ip_limits=limits,
                prompt_tokens=0,
            )
            for _ in range(4)
        ]
    finally:
        await client.aclose()
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert limiter.degraded_total == 0
    primary = redis.Redis.from_url(own_redis.url)
    assert primary.zcard("sentinel-test:rl:key:k1") == 3
