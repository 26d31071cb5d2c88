"""Rate limits at the edge: exact in Redis across replicas, degraded but serving without it."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis.asyncio as aioredis
from structlog.testing import capture_logs

from devstack.procs import stop_popen
from edge.ratelimit import (
    LEASE_FLOOR,
    LEASE_TTL_S,
    RETRY_INTERVAL_S,
    SWEEP_INTERVAL_S,
    LocalLimiter,
    RateDecision,
    RateLimiter,
    RateLimits,
)

WIDE = RateLimits(requests=1_000_000, window_ms=60_000, block_ms=0, tokens_per_minute=None)


def _client(url: str) -> aioredis.Redis:
    # As the edge creates it: a Redis outage must fail fast.
    return aioredis.Redis.from_url(url, socket_connect_timeout=0.25, socket_timeout=0.25)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = _client(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


async def _check(
    limiter: RateLimiter,
    *,
    key_id: str = "k1",
    ip: str = "10.0.0.1",
    key: RateLimits = WIDE,
    ip_limits: RateLimits = WIDE,
    prompt: int = 0,
) -> RateDecision:
    return await limiter.check(
        key_id=key_id, client_ip=ip, key_limits=key, ip_limits=ip_limits, prompt_tokens=prompt
    )


def _local(
    local: LocalLimiter,
    now: float,
    *,
    key_id: str = "k1",
    ip: str = "10.0.0.1",
    key: RateLimits = WIDE,
    ip_limits: RateLimits = WIDE,
    prompt: int = 0,
) -> RateDecision:
    return local.check(
        now, key_id=key_id, client_ip=ip, key_limits=key, ip_limits=ip_limits, prompt_tokens=prompt
    )


def _limits(requests: int, window_ms: int = 60_000, block_ms: int = 0) -> RateLimits:
    return RateLimits(
        requests=requests, window_ms=window_ms, block_ms=block_ms, tokens_per_minute=None
    )


def _shape(d: RateDecision) -> tuple[object, ...]:
    return (d.allowed, d.reason, d.subject, d.limit, d.remaining, d.retry_after_s)


# --- requests, blocks, subjects (Redis) ---------------------------------------------------


async def test_exactly_n_then_requests_then_blocked_then_allowed(redis, redis_prefix) -> None:
    """N requests pass, the next is refused for requests, then blocked for block_ms, then passes."""
    limiter = RateLimiter(redis, redis_prefix)
    key = _limits(5, window_ms=300, block_ms=500)
    passed = [await _check(limiter, key=key) for _ in range(5)]
    assert [d.allowed for d in passed] == [True] * 5
    assert [d.remaining for d in passed] == [4, 3, 2, 1, 0]
    assert all(d.limit == 5 and d.reason is None and 0 < d.reset_s <= 0.3 for d in passed)

    over = await _check(limiter, key=key)
    assert (over.allowed, over.reason, over.subject, over.remaining) == (
        False,
        "requests",
        "key",
        0,
    )
    assert over.retry_after_s == 1
    assert over.reset_s == pytest.approx(0.5, abs=0.01)

    blocked = await _check(limiter, key=key)
    assert (blocked.allowed, blocked.reason, blocked.subject) == (False, "blocked", "key")
    assert blocked.retry_after_s is not None and blocked.retry_after_s >= 1
    assert 0 < blocked.reset_s <= 0.5

    await asyncio.sleep(blocked.reset_s + 0.05)
    again = await _check(limiter, key=key)
    assert again.allowed and again.remaining == 4 and not again.degraded


async def test_without_block_the_window_alone_refuses(redis, redis_prefix) -> None:
    """With block_ms=0 the refusals say "requests" until the oldest request leaves the window."""
    limiter = RateLimiter(redis, redis_prefix)
    key = _limits(2, window_ms=300)
    assert [(await _check(limiter, key=key)).allowed for _ in range(2)] == [True, True]
    refused = [await _check(limiter, key=key) for _ in range(2)]
    assert [d.reason for d in refused] == ["requests", "requests"]
    assert all(d.retry_after_s == 1 and 0 < d.reset_s <= 0.3 for d in refused)
    await asyncio.sleep(refused[-1].reset_s + 0.02)
    assert (await _check(limiter, key=key)).allowed


async def test_every_key_expires(redis, redis_prefix) -> None:
    """Logs, blocks and token counters all carry a TTL, so nothing grows without bound."""
    limiter = RateLimiter(redis, redis_prefix)
    key = RateLimits(requests=1, window_ms=5_000, block_ms=10_000, tokens_per_minute=100)
    await _check(limiter, key=key, prompt=5)
    await _check(limiter, key=key)
    await limiter.charge(key_id="k1", tokens=7)
    names = [name async for name in redis.scan_iter(match=f"{redis_prefix}*")]
    assert sorted(n.decode().removeprefix(redis_prefix) for n in names) == [
        "rl:block:key:k1",
        "rl:ip:10.0.0.1",
        "rl:key:k1",
        "rl:tok:k1",
    ]
    ttls = {name: await redis.pttl(name) for name in names}
    assert all(0 < ttl <= 60_000 for ttl in ttls.values()), ttls


async def test_tighter_subject_decides_and_refusals_consume_nothing(redis, redis_prefix) -> None:
    """The subject with fewer requests left decides; a refusal by one uses none of the other's."""
    limiter = RateLimiter(redis, redis_prefix)
    key = _limits(5, block_ms=60_000)
    ip = _limits(2, block_ms=60_000)

    first = await _check(limiter, ip="10.0.0.1", key=key, ip_limits=ip)
    assert (first.limit, first.remaining) == (2, 1)
    await _check(limiter, ip="10.0.0.1", key=key, ip_limits=ip)
    by_ip = await _check(limiter, ip="10.0.0.1", key=key, ip_limits=ip)
    assert (by_ip.allowed, by_ip.reason, by_ip.subject, by_ip.limit) == (False, "requests", "ip", 2)
    blocked = await _check(limiter, ip="10.0.0.1", key=key, ip_limits=ip)
    assert (blocked.reason, blocked.subject) == ("blocked", "ip")

    # The same key from another address: two admitted, the two refusals not counted.
    other = await _check(limiter, ip="10.0.0.2", key=key, ip_limits=WIDE)
    assert other.allowed
    assert (other.limit, other.remaining) == (5, 2)
    assert await redis.zcard(f"{redis_prefix}rl:key:k1") == 3

    # A key over its limit does not use up the address's quota either.
    tight_key = _limits(1)
    ip3 = _limits(10)
    assert (await _check(limiter, key_id="k2", ip="10.0.0.3", key=tight_key, ip_limits=ip3)).allowed
    refused = [
        await _check(limiter, key_id="k2", ip="10.0.0.3", key=tight_key, ip_limits=ip3)
        for _ in range(3)
    ]
    assert {(d.allowed, d.reason, d.subject, d.limit) for d in refused} == {
        (False, "requests", "key", 1)
    }
    third = await _check(limiter, key_id="k3", ip="10.0.0.3", key=WIDE, ip_limits=ip3)
    assert (third.allowed, third.limit, third.remaining) == (True, 10, 8)


async def test_token_budget(redis, redis_prefix) -> None:
    """Prompt tokens and charged completion tokens share a per-minute budget; over it, "tokens"."""
    limiter = RateLimiter(redis, redis_prefix)
    key = RateLimits(requests=100, window_ms=60_000, block_ms=0, tokens_per_minute=1000)
    tokens = f"{redis_prefix}rl:tok:k1"

    assert (await _check(limiter, key=key, prompt=400)).allowed
    await limiter.charge(key_id="k1", tokens=300)
    assert (await _check(limiter, key=key, prompt=300)).allowed  # 1000: at the budget
    assert int(await redis.get(tokens)) == 1000

    over = await _check(limiter, key=key, prompt=1)
    assert (over.allowed, over.reason, over.subject) == (False, "tokens", "key")
    assert over.retry_after_s is not None and 1 <= over.retry_after_s <= 60
    assert over.remaining == 98  # the token refusal used no request either
    assert (await _check(limiter, key=key, prompt=0)).allowed

    await limiter.charge(key_id="k1", tokens=5)  # the answer overran the budget
    assert (await _check(limiter, key=key, prompt=0)).reason == "tokens"
    assert int(await redis.get(tokens)) == 1005
    assert 0 < await redis.pttl(tokens) <= 60_000
    assert await redis.zcard(f"{redis_prefix}rl:ip:10.0.0.1") == 3

    unmetered = await _check(limiter, key_id="k2", key=WIDE, prompt=10**9)
    assert unmetered.allowed


async def test_redis_and_local_limiter_agree(redis, redis_prefix) -> None:
    """The Lua script and the in-process limiter give the same answers to the same requests."""
    limiter = RateLimiter(redis, redis_prefix)
    local = LocalLimiter()
    key = RateLimits(requests=4, window_ms=60_000, block_ms=60_000, tokens_per_minute=1000)
    ip = _limits(3, block_ms=60_000)
    steps = [
        ("10.0.0.1", 300),
        ("10.0.0.1", 300),
        ("10.0.0.1", 300),
        ("10.0.0.1", 10),  # the address is full: refused and blocked
        ("10.0.0.1", 10),  # blocked
        ("10.0.0.2", 200),  # 900 + 200 tokens: refused
        ("10.0.0.2", 100),  # the key's 4th request
        ("10.0.0.2", 0),  # the key is full: refused and blocked
        ("10.0.0.3", 0),  # the key is blocked
    ]
    remote = [
        _shape(await _check(limiter, ip=a, key=key, ip_limits=ip, prompt=p)) for a, p in steps
    ]
    mine = [_shape(_local(local, 1000.0, ip=a, key=key, ip_limits=ip, prompt=p)) for a, p in steps]
    assert remote == mine
    assert [s[1] for s in mine] == [
        None,
        None,
        None,
        "requests",
        "blocked",
        "tokens",
        None,
        "requests",
        "blocked",
    ]


# --- concurrency and round trips ----------------------------------------------------------


async def test_two_replicas_admit_exactly_the_limit(redis, redis_url, redis_prefix) -> None:
    """200 concurrent checks over two limiters with their own Redis clients admit exactly 50."""
    # Exactness is under test, not degradation: generous timeouts, so a loaded test machine
    # does not push checks into the local fallback (which the outage tests cover).
    first = aioredis.Redis.from_url(redis_url, socket_timeout=10)
    other = aioredis.Redis.from_url(redis_url, socket_timeout=10)
    try:
        # With leases on, as the edge runs: far below the lease floor, every check is exact.
        replicas = [
            RateLimiter(first, redis_prefix, timeout_s=10, lease_size=32),
            RateLimiter(other, redis_prefix, timeout_s=10, lease_size=32),
        ]
        key = _limits(50)
        decisions = await asyncio.gather(
            *(
                _check(replicas[n % 2], ip=f"10.0.{n % 5}.1", key=key, ip_limits=WIDE)
                for n in range(200)
            )
        )
    finally:
        await first.aclose()
        await other.aclose()
    assert sum(d.allowed for d in decisions) == 50
    assert not any(d.degraded for d in decisions)
    assert {d.reason for d in decisions if not d.allowed} == {"requests"}
    assert await redis.zcard(f"{redis_prefix}rl:key:k1") == 50


# --- leases --------------------------------------------------------------------------------


async def test_leases_spare_round_trips_far_from_the_limit(redis, redis_prefix) -> None:
    """A busy pair far from its limits runs the script about once per lease, and every
    decision still counts down by one."""
    limiter = RateLimiter(redis, redis_prefix, lease_size=32)
    decisions = [await _check(limiter, key=_limits(100_000)) for _ in range(200)]
    assert all(d.allowed for d in decisions)
    assert limiter.script_checks <= 200 // 31 + 2
    remaining = [d.remaining for d in decisions]
    assert remaining == list(range(remaining[0], remaining[0] - 200, -1))
    # Leased slots are logged in Redis when granted: other replicas count them at once.
    logged = await redis.zcard(f"{redis_prefix}rl:key:k1")
    assert 200 <= logged < 200 + 32


async def test_a_burst_of_one_pair_waits_for_one_lease(redis, redis_prefix) -> None:
    """Concurrent checks of one busy pair ask for one lease between them, not one each."""
    limiter = RateLimiter(redis, redis_prefix, lease_size=32)
    wide = _limits(100_000)
    assert (await _check(limiter, key=wide)).allowed  # seen once: checked alone
    burst = await asyncio.gather(*(_check(limiter, key=wide) for _ in range(31)))
    assert all(d.allowed for d in burst)
    assert limiter.script_checks == 2
    assert await redis.zcard(f"{redis_prefix}rl:key:k1") == 1 + 1 + 31


async def test_no_lease_below_the_floor(redis, redis_prefix) -> None:
    limiter = RateLimiter(redis, redis_prefix, lease_size=32)
    for _ in range(50):
        assert (await _check(limiter, key=_limits(LEASE_FLOOR))).allowed
    assert limiter.script_checks == 50
    assert await redis.zcard(f"{redis_prefix}rl:key:k1") == 50


async def test_replicas_with_leases_never_admit_more_than_the_limit(
    redis_url, redis_prefix
) -> None:
    """A limit just above the lease floor, 2 000 concurrent checks over two replicas: leases
    are granted while the key is far from its limit, never past it."""
    clients = [aioredis.Redis.from_url(redis_url, socket_timeout=10) for _ in range(2)]
    try:
        replicas = [
            RateLimiter(client, redis_prefix, timeout_s=10, lease_size=32) for client in clients
        ]
        key = _limits(1500)
        decisions = []
        for _burst in range(20):  # bursts, so that pairs are seen again and leases granted
            decisions += await asyncio.gather(
                *(_check(replicas[n % 2], key=key, ip_limits=WIDE) for n in range(100))
            )
        assert sum(r.script_checks for r in replicas) < 2000
    finally:
        for client in clients:
            await client.aclose()
    admitted = sum(d.allowed for d in decisions)
    # At most the limit; at worst the slots of the last lease of each replica go unused.
    assert 1500 - 2 * 31 <= admitted <= 1500
    assert {d.reason for d in decisions if not d.allowed} == {"requests"}


async def test_an_unused_lease_is_given_back(redis, redis_prefix) -> None:
    """Slots and reserved prompt tokens a lease did not use go back to Redis once it
    expires: the log and the token minute then count what was admitted, nothing more."""
    limiter = RateLimiter(redis, redis_prefix, lease_size=32)
    budget = RateLimits(requests=100_000, window_ms=60_000, block_ms=0, tokens_per_minute=10**7)
    for _ in range(3):
        assert (await _check(limiter, key=budget, prompt=100)).allowed
    # The second check, seen again within a lease's life, took 31 slots ahead.
    assert await redis.zcard(f"{redis_prefix}rl:key:k1") == 1 + 1 + 31
    await asyncio.sleep(LEASE_TTL_S + 0.1)
    assert (await _check(limiter, key=budget, prompt=100)).allowed  # gives the lease back
    deadline = time.monotonic() + 5
    while await redis.zcard(f"{redis_prefix}rl:key:k1") != 4:
        assert time.monotonic() < deadline, "lease not given back"
        await asyncio.sleep(0.02)
    assert int(await redis.get(f"{redis_prefix}rl:tok:k1")) == 400


@pytest.mark.slow
async def test_two_processes_admit_exactly_the_limit(
    redis, redis_url, redis_prefix, repo_root
) -> None:
    """Two OS processes with 100 concurrent checks each, for one key limited to 50, admit 50."""
    start_at = time.time() + 1.5
    argv = [
        sys.executable,
        "-m",
        "tests.edge.ratelimit_worker",
        redis_url,
        redis_prefix,
        "--checks=100",
        "--limit=50",
        f"--start-at={start_at}",
    ]
    procs = [
        await asyncio.create_subprocess_exec(
            *argv, cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, err.decode()
        results.append(json.loads(out))
    assert sum(r["allowed"] for r in results) == 50
    assert sum(r["degraded"] for r in results) == 0
    assert await redis.zcard(f"{redis_prefix}rl:key:shared") == 50


async def _commands_sent(url: str, action) -> list[str]:
    """The commands clients sent the server during ``action``, by MONITOR.

    A script's own calls show in MONITOR as ``lua``, and in ``INFO commandstats`` as if sent,
    so MONITOR is what tells round trips apart.
    """
    watcher, admin = aioredis.Redis.from_url(url), _client(url)
    marker = "end-of-action"
    try:
        await admin.ping()
        async with watcher.monitor() as monitor:
            await action()
            await admin.echo(marker)
            sent = []
            while (entry := await monitor.next_command())["command"] != f"ECHO {marker}":
                if entry["client_type"] != "lua":
                    sent.append(entry["command"].split()[0].upper())
            return sent
    finally:
        await watcher.aclose()
        await admin.aclose()


async def test_one_round_trip_per_check_and_charge(own_redis) -> None:
    """A check is one EVALSHA sent to Redis, and so is a charge, once the script is loaded."""
    client = _client(own_redis.url)
    try:
        limiter = RateLimiter(client, "rt:")
        key = RateLimits(requests=10, window_ms=60_000, block_ms=1000, tokens_per_minute=500)
        await _check(limiter, key=key, prompt=3)  # loads the script, opens the connection
        await limiter.charge(key_id="k1", tokens=1)

        async def check() -> None:
            assert (await _check(limiter, key=key, prompt=3)).allowed

        async def charge() -> None:
            await limiter.charge(key_id="k1", tokens=20)

        assert await _commands_sent(own_redis.url, check) == ["EVALSHA"]
        assert await _commands_sent(own_redis.url, charge) == ["EVALSHA"]
    finally:
        await client.aclose()


async def test_cancelled_checks_leave_the_limiter_consistent(redis, redis_prefix) -> None:
    """Checks cancelled at random points neither degrade the limiter nor desync its connections."""
    limiter = RateLimiter(redis, redis_prefix)
    loop = asyncio.get_running_loop()
    rng = random.Random(7)
    with capture_logs() as logs:
        for _ in range(5):
            tasks = [asyncio.create_task(_check(limiter)) for _ in range(100)]
            for task in tasks[::2]:
                loop.call_later(rng.uniform(0, 0.004), task.cancel)
            results = await asyncio.gather(*tasks, return_exceptions=True)
            decisions = [r for r in results if isinstance(r, RateDecision)]
            errors = [r for r in results if not isinstance(r, RateDecision)]
            assert all(isinstance(e, asyncio.CancelledError) for e in errors)
            assert all(d.allowed and not d.degraded for d in decisions)

        # Each later answer is the reply to its own call: the log grows by one each time.
        for _ in range(30):
            before = await redis.zcard(f"{redis_prefix}rl:key:k1")
            decision = await _check(limiter)
            assert decision.remaining == WIDE.requests - before - 1
    assert limiter.degraded_total == 0
    assert not [e for e in logs if e["event"].startswith("ratelimit_")]


# --- Redis down --------------------------------------------------------------------------


async def _timed(limiter: RateLimiter, **kwargs) -> RateDecision:
    started = time.monotonic()
    decision = await _check(limiter, **kwargs)
    assert time.monotonic() - started < 1.0, "a check hung while Redis was down"
    return decision


def _restart_redis(base: Path, port: int) -> subprocess.Popen[bytes]:
    """Start redis-server again with the config ``start_redis`` left, on the same port."""
    directory = base / "redis"
    binary = shutil.which("redis-server")
    assert binary is not None
    proc = subprocess.Popen(
        [binary, str(directory / "redis.conf")],
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return proc
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_popen(proc, 5, group=True)
            raise AssertionError("redis-server did not come back on its port")
        time.sleep(0.05)


@pytest.mark.slow
async def test_redis_outage_degrades_by_failure_mode_and_recovers(own_redis, tmp_path) -> None:
    """Redis stopped: local limits, open admits, closed refuses, all at once; back: Redis again."""
    port = urlsplit(own_redis.url).port
    assert port is not None
    client = _client(own_redis.url)
    restarted: subprocess.Popen[bytes] | None = None
    limiters = {
        mode: RateLimiter(client, "out:", failure_mode=mode) for mode in ("local", "open", "closed")
    }
    key = _limits(3)
    try:
        for mode, limiter in limiters.items():
            up = await _check(limiter, key_id=mode, key=key)
            assert up.allowed and not up.degraded

        with capture_logs() as logs:
            own_redis.stop()
            local = [await _timed(limiters["local"], key_id="local", key=key) for _ in range(4)]
            await limiters["local"].charge(key_id="local", tokens=10)  # dropped, no raise
            opened = await _timed(limiters["open"], key_id="open", key=key)
            closed = await _timed(limiters["closed"], key_id="closed", key=key)

            # This replica alone counts: three admitted (Redis had seen one), the fourth refused.
            assert all(d.degraded for d in local)
            assert [d.allowed for d in local] == [True, True, True, False]
            assert (local[-1].reason, local[-1].subject) == ("requests", "key")
            assert opened.allowed and opened.degraded
            assert (closed.allowed, closed.reason, closed.retry_after_s) == (
                False,
                "unavailable",
                1,
            )
            assert closed.degraded
            assert [limiters[m].degraded_total for m in ("local", "open", "closed")] == [4, 1, 1]

            restarted = _restart_redis(tmp_path, port)
            deadline = time.monotonic() + 5 * RETRY_INTERVAL_S
            for mode, limiter in limiters.items():
                while (decision := await _timed(limiter, key_id=mode + "2", key=key)).degraded:
                    assert time.monotonic() < deadline, f"{mode} did not recover"
                    await asyncio.sleep(0.1)
                assert decision.allowed
            # Recovered without being recreated: the new Redis holds the new requests.
            assert await client.zcard("out:rl:key:local2") == 1

        events = [(e["event"], e.get("failure_mode")) for e in logs]
        assert sorted(e for e in events if e[0] == "ratelimit_degraded") == [
            ("ratelimit_degraded", "closed"),
            ("ratelimit_degraded", "local"),
            ("ratelimit_degraded", "open"),
        ]
        assert [e[0] for e in events].count("ratelimit_recovered") == 3
    finally:
        await client.aclose()
        if restarted is not None:
            stop_popen(restarted, 5, group=True)


@pytest.mark.timing
async def test_a_blackholed_redis_is_bounded_by_the_limiter() -> None:
    """A Redis that accepts connections but never answers costs at most ``timeout_s`` a check."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    port = silent.getsockname()[1]
    # Long client timeouts and redis-py's default retries: only the limiter's bound applies.
    client = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_timeout=30)
    try:
        limiter = RateLimiter(client, "bh:", failure_mode="open", timeout_s=0.2)
        started = time.monotonic()
        decision = await _check(limiter)
        assert time.monotonic() - started < 0.5
        assert decision.allowed and decision.degraded
        # Within the retry interval the next check does not try Redis at all.
        started = time.monotonic()
        assert (await _check(limiter)).degraded
        assert time.monotonic() - started < 0.05
    finally:
        await client.aclose()
        silent.close()


# --- the in-process limiter (stepped clock) ------------------------------------------------


def test_local_admits_n_then_refuses_then_blocks() -> None:
    """Locally too: N pass, the next is refused for requests and blocks, which then expires."""
    local = LocalLimiter()
    key = _limits(3, window_ms=1000, block_ms=2000)
    passed = [_local(local, t, key=key) for t in (0.0, 0.1, 0.2)]
    assert [(d.allowed, d.remaining, d.degraded) for d in passed] == [
        (True, 2, True),
        (True, 1, True),
        (True, 0, True),
    ]
    over = _local(local, 0.3, key=key)
    assert (over.allowed, over.reason, over.subject, over.retry_after_s) == (
        False,
        "requests",
        "key",
        2,
    )
    blocked = _local(local, 1.0, key=key)
    assert blocked.reason == "blocked"
    assert blocked.reset_s == pytest.approx(1.3)
    assert _local(local, 2.299, key=key).reason == "blocked"
    assert _local(local, 2.3, key=key).allowed


def test_local_window_slides() -> None:
    """A request counts for exactly window_ms after it was admitted, no fixed boundaries."""
    local = LocalLimiter()
    key = _limits(2, window_ms=1000)
    assert _local(local, 0.0, key=key).allowed
    assert _local(local, 0.5, key=key).allowed
    refused = _local(local, 0.9, key=key)
    assert (refused.reason, refused.retry_after_s) == ("requests", 1)
    assert refused.reset_s == pytest.approx(0.1)
    assert _local(local, 1.0, key=key).allowed  # the request at 0.0 just left
    assert not _local(local, 1.4, key=key).allowed
    assert _local(local, 1.5, key=key).allowed


def test_local_block_shorter_than_window() -> None:
    """After a block shorter than the window, the full window still refuses (and blocks again)."""
    local = LocalLimiter()
    key = _limits(1, window_ms=1000, block_ms=100)
    assert _local(local, 0.0, key=key).allowed
    assert _local(local, 0.1, key=key).reason == "requests"
    assert _local(local, 0.15, key=key).reason == "blocked"
    assert _local(local, 0.25, key=key).reason == "requests"
    assert _local(local, 1.0, key=key).allowed


def test_local_subjects_and_tokens() -> None:
    """Locally the tighter subject decides, refusals cost nothing, and tokens last a minute."""
    local = LocalLimiter()
    key = RateLimits(requests=5, window_ms=60_000, block_ms=0, tokens_per_minute=1000)
    ip = _limits(1)
    assert _local(local, 0.0, key=key, ip_limits=ip, prompt=600).allowed
    by_ip = _local(local, 1.0, key=key, ip_limits=ip, prompt=1)
    assert (by_ip.reason, by_ip.subject, by_ip.limit) == ("requests", "ip", 1)
    local.charge(2.0, key_id="k1", tokens=300)
    by_tokens = _local(local, 3.0, ip="10.0.0.2", key=key, prompt=101)
    assert (by_tokens.reason, by_tokens.subject, by_tokens.remaining) == ("tokens", "key", 4)
    assert by_tokens.reset_s == pytest.approx(57.0)
    ok = _local(local, 3.0, ip="10.0.0.2", key=key, prompt=100)
    assert (ok.allowed, ok.limit, ok.remaining) == (True, 5, 3)
    assert _local(local, 4.0, ip="10.0.0.2", key=key, prompt=1).reason == "tokens"
    assert _local(local, 60.0, ip="10.0.0.2", key=key, prompt=1000).allowed  # a new minute


def test_local_forgets_idle_subjects() -> None:
    """Subjects whose window, block and token minute have passed are dropped by the sweep."""
    local = LocalLimiter()
    key = RateLimits(requests=10, window_ms=1000, block_ms=0, tokens_per_minute=100)
    ip = _limits(10, window_ms=1000)
    for n in range(100):
        _local(local, 0.0, key_id=f"k{n}", ip=f"10.0.0.{n}", key=key, ip_limits=ip, prompt=1)
    assert len(local) == 300
    _local(local, SWEEP_INTERVAL_S + 0.1, key_id="k0", ip="10.0.0.0", key=key, ip_limits=ip)
    assert len(local) == 102  # k0 and its address, and the token minutes still running
    _local(local, 2 * SWEEP_INTERVAL_S + 61, key_id="k0", ip="10.0.0.0", key=key, ip_limits=ip)
    assert len(local) == 2


@pytest.mark.parametrize(
    ("requests", "window_ms", "block_ms", "tokens"),
    [
        pytest.param(-1, 1000, 0, None, id="negative-requests"),
        pytest.param(1, 0, 0, None, id="zero-window"),
        pytest.param(1, 1000, -5, None, id="negative-block"),
        pytest.param(1, 1000, 0, -1, id="negative-tokens"),
    ],
)
def test_invalid_limits_are_refused(requests, window_ms, block_ms, tokens) -> None:
    """Limits that cannot mean anything raise at construction."""
    with pytest.raises(ValueError, match="must be"):
        RateLimits(
            requests=requests, window_ms=window_ms, block_ms=block_ms, tokens_per_minute=tokens
        )


async def test_unknown_failure_mode_is_refused(redis, redis_prefix) -> None:
    """Only local, open and closed are failure modes."""
    with pytest.raises(ValueError, match="failure_mode"):
        RateLimiter(redis, redis_prefix, failure_mode="ignore")


async def test_concurrent_checks_survive_redis_forgetting_the_script(own_redis) -> None:
    """Checks batched in one pipeline are rerun once if Redis lost the script (a restart)."""
    client = _client(own_redis.url)
    try:
        limiter = RateLimiter(client, "nos:")
        await _check(limiter, key=_limits(100))  # loads the script
        await client.script_flush()
        decisions = await asyncio.gather(*(_check(limiter, key=_limits(100)) for _ in range(20)))
        assert all(d.allowed and not d.degraded for d in decisions)
        assert sorted(d.remaining for d in decisions) == list(range(79, 99))
        assert await client.zcard("nos:rl:key:k1") == 21
    finally:
        await client.aclose()
