"""``python -m bench.ratelimit``: wall and CPU time per rate-limit check, alone and concurrent.

Uses ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) under a throwaway key prefix. At
concurrency 1 each check is its own round trip; at higher concurrency the checks of one
event-loop turn share a pipelined round trip (each still one atomic script run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time

import redis.asyncio as aioredis
import uvloop
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from edge.ratelimit import RateLimiter, RateLimits

WIDE = RateLimits(requests=10**9, window_ms=60_000, block_ms=0, tokens_per_minute=None)


async def _run(url: str, checks: int, levels: list[int]) -> None:
    client = aioredis.Redis.from_url(url, retry=Retry(NoBackoff(), 0))
    prefix = f"bench-rl-{secrets.token_hex(4)}:"
    limiter = RateLimiter(client, prefix)
    try:
        for concurrency in levels:

            async def worker(number: int, count: int) -> None:
                for _ in range(count):
                    await limiter.check(
                        key_id=f"k{number}",
                        client_ip="10.0.0.1",
                        key_limits=WIDE,
                        ip_limits=WIDE,
                        prompt_tokens=10,
                    )

            await worker(0, 100)  # warm-up: script loaded, connections open
            per_worker = checks // concurrency
            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(worker(n, per_worker) for n in range(concurrency)))
            done = per_worker * concurrency
            print(
                f"concurrency {concurrency:>3}: "
                f"wall {(time.perf_counter() - wall) / done * 1e6:7.1f} µs/check, "
                f"client CPU {(time.process_time() - cpu) / done * 1e6:6.1f} µs/check"
            )
    finally:
        async for name in client.scan_iter(match=prefix + "*"):
            await client.delete(name)
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=4000)
    parser.add_argument("--concurrency", default="1,8,32")
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    levels = [int(level) for level in args.concurrency.split(",")]
    uvloop.run(_run(url, args.checks, levels))


if __name__ == "__main__":
    main()
