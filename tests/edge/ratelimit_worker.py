"""One edge replica's share of a concurrency test, as its own OS process.

    python -m tests.edge.ratelimit_worker REDIS_URL PREFIX --checks 100 --limit 50 --start-at T

Runs ``--checks`` concurrent checks for one key, all starting at the epoch time ``--start-at``
(so that several processes overlap), and prints ``{"allowed": n, "degraded": m}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import redis.asyncio as aioredis
import structlog

from edge.ratelimit import RateLimiter, RateLimits


async def run(args: argparse.Namespace) -> dict[str, int]:
    client = aioredis.Redis.from_url(args.redis_url, socket_connect_timeout=5, socket_timeout=5)
    try:
        # Generous timeout: under a loaded test run, exactness is the point, not degradation.
        limiter = RateLimiter(client, args.prefix, timeout_s=10.0)
        key_limits = RateLimits(
            requests=args.limit, window_ms=60_000, block_ms=0, tokens_per_minute=None
        )
        ip_limits = RateLimits(
            requests=1_000_000, window_ms=60_000, block_ms=0, tokens_per_minute=None
        )
        await client.ping()
        await asyncio.sleep(max(0.0, args.start_at - time.time()))
        decisions = await asyncio.gather(
            *(
                limiter.check(
                    key_id="shared",
                    client_ip=f"10.0.{n % 7}.1",
                    key_limits=key_limits,
                    ip_limits=ip_limits,
                    prompt_tokens=0,
                )
                for n in range(args.checks)
            )
        )
    finally:
        await client.aclose()
    return {
        "allowed": sum(d.allowed for d in decisions),
        "degraded": sum(d.degraded for d in decisions),
    }


def main() -> None:
    # stdout carries the JSON result only.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    parser = argparse.ArgumentParser()
    parser.add_argument("redis_url")
    parser.add_argument("prefix")
    parser.add_argument("--checks", type=int, default=100)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--start-at", type=float, default=0.0)
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
