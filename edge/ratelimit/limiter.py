"""Rate limits shared by every edge replica: one Lua script, one Redis round trip a request.

:meth:`RateLimiter.check` limits two subjects at once, the API key and the client IP, and the
key's token budget. The state lives in Redis, so any number of edge replicas enforce the same
limits; the script runs atomically, so the limits are exact under any concurrency.

Semantics (the same in Redis and in the in-process :class:`LocalLimiter`):

- Requests: a sliding-window log. A subject is admitted while fewer than ``requests`` of its
  admitted requests lie in the last ``window_ms`` (a request admitted at ``t`` counts until
  ``t + window_ms``, exclusive). Refused requests are not logged. So no ``window_ms`` span ever
  holds more than ``requests`` admitted requests, boundary bursts included.
- Block: the request that finds its subject full is refused (``reason="requests"``) and, when
  ``block_ms > 0``, the subject is blocked for ``block_ms``: everything it sends is refused
  (``reason="blocked"``) until the block expires; the block is not extended by retries. After
  it the log still decides, so a block shorter than the window may be followed by another.
- Tokens: a per-key counter of tokens over a minute that starts with the first token counted
  and lasts 60 s (then a new minute starts with the next token). A request is refused
  (``reason="tokens"``) when ``used + prompt_tokens > tokens_per_minute``; otherwise its prompt
  tokens are added. :meth:`RateLimiter.charge` adds completion tokens after the answer, so the
  budget may be overrun by one answer; the next request is then refused.
- All or nothing: both subjects and the token budget are checked first, then the request is
  logged for both and its tokens added, in the same script. A refused request consumes no
  quota at all, so a request refused for its IP does not use up its key's quota and vice versa.
- Order: a block refuses first, then the request logs, then the token budget. ``limit`` and
  ``remaining`` describe the tighter subject (fewer requests left; the key on a tie), or the
  subject that refused. ``reset_s`` is when that subject's oldest logged request leaves the
  window (one more request becomes possible), or when the block or token minute ends.

Leases (``lease_size`` > 1, the edge's ``RATE_LIMIT_LEASE_SIZE``, default 32): a busy (key,
IP) pair — checked again within ``LEASE_TTL_S`` — whose two subjects both have at least
``LEASE_FLOOR`` free slots (and, with a token budget, ``LEASE_FLOOR`` x
``LEASE_TOKENS_PER_SLOT`` free tokens) gets up to ``lease_size - 1`` more slots in the same
script run: they are logged in Redis at once, with this request's time, and their prompt
tokens reserved, so every replica counts them; this replica then admits the pair's next
requests from them without a round trip. After ``LEASE_TTL_S`` (or when a lease runs out)
the slots and tokens it did not use are given back. So leases never admit more than a limit
allows — a leased slot is spent from the window when leased, which is stricter, never
looser — and near a limit (fewer than ``LEASE_FLOOR`` free) every request is checked on its
own, exactly as without them. Completion-token charges are summed per key for
``CHARGE_DEFER_S`` and sent together.

Time is the Redis server's (``TIME`` inside the script), so replicas with skewed clocks agree.

Keys, all with a TTL (memory per subject is at most ``requests`` log entries):

    {prefix}rl:key:<key_id>        ZSET, the key's log        PEXPIRE window_ms on each add
    {prefix}rl:ip:<client_ip>      ZSET, the IP's log         PEXPIRE window_ms on each add
    {prefix}rl:block:key:<key_id>  block marker               PX block_ms
    {prefix}rl:block:ip:<ip>       block marker               PX block_ms
    {prefix}rl:tok:<key_id>        tokens used this minute    PEXPIRE 60 000 when it starts

The script touches keys of two subjects: on a Redis Cluster the edge's prefix is one hash tag
(``{aegis}:``, :func:`shared.redisclient.slot_prefix`), so they share a slot.

When Redis fails (connection refused, timeout, any Redis error) the ``failure_mode`` decides:
``"open"`` admits, ``"closed"`` refuses with ``reason="unavailable"``, ``"local"`` (default)
asks a :class:`LocalLimiter` in this process with the same limits. Each replica then counts
only its own traffic, so with N replicas the limits are effectively N times looser until Redis
is back. Every such decision has ``degraded=True`` and is counted in
:attr:`RateLimiter.degraded_total` and
``aegis_edge_ratelimit_degraded_decisions_total{failure_mode}``; an outage is logged when it
starts (``ratelimit_degraded``), every
``DEGRADED_SUMMARY_INTERVAL_S`` while requests keep coming (``ratelimit_degraded_summary``,
with how many were decided without Redis since the last line) and when it ends
(``ratelimit_recovered``): a few lines per outage, never one per request, and
``aegis_edge_ratelimit_outage`` is 1 meanwhile. While Redis is down the limiter tries it
again at most once every ``RETRY_INTERVAL_S`` (other requests decide locally at once), and
bounds each attempt to ``timeout_s`` whatever the client's retry policy; redis-py reconnects
by itself.

In a coroutine, with a ``redis.asyncio`` client (so not run as a doctest)::

    limiter = RateLimiter(redis, "aegis:")
    limits = RateLimits(requests=60, window_ms=60_000, block_ms=30_000, tokens_per_minute=None)
    await limiter.check(key_id="k_1", client_ip="10.0.0.7", key_limits=limits,
                        ip_limits=limits, prompt_tokens=12)
    # RateDecision(allowed=True, limit=60, remaining=59, reset_s=60.0, retry_after_s=None, ...)

A client whose retry policy retries timeouts may run the script twice for one check (the first
run's reply was lost): that over-counts, never under-counts.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import redis.asyncio as aioredis
import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge
from redis.exceptions import RedisError

from edge.ratelimit.batch import ScriptBatcher
from edge.ratelimit.decisions import TOKEN_WINDOW_MS, RateDecision, RateLimits, decision
from edge.ratelimit.local import SWEEP_INTERVAL_S, LocalLimiter
from shared.tasks import BackgroundTasks, raise_if_cancelling

__all__ = [
    "CHARGE_DEFER_S",
    "DEFAULT_TIMEOUT_S",
    "DEGRADED_SUMMARY_INTERVAL_S",
    "FAILURE_MODES",
    "LEASE_FLOOR",
    "LEASE_TTL_S",
    "RETRY_INTERVAL_S",
    "RateLimiter",
]

FAILURE_MODES: Final = ("local", "open", "closed")
DEFAULT_TIMEOUT_S: Final = 0.5
RETRY_INTERVAL_S: Final = 1.0
# While Redis is down, one summary line per this many seconds (if requests keep coming).
DEGRADED_SUMMARY_INTERVAL_S: Final = 60.0
# Leases (see the module docstring): none is granted while either subject has fewer free
# slots than this (so limits up to here are always checked request by request); a lease is
# kept at most LEASE_TTL_S, then what it did not use is given back.
LEASE_FLOOR: Final = 1024
LEASE_TTL_S: Final = 0.5
# Prompt tokens reserved per leased slot, when the key has a token budget.
LEASE_TOKENS_PER_SLOT: Final = 512

_log = structlog.get_logger("aegis.edge.ratelimit")

# How long completion-token charges are summed, and a lease's return may wait for a batch.
CHARGE_DEFER_S: Final = 0.05


# KEYS: 1 key log, 2 ip log, 3 key block, 4 ip block, 5 key tokens
# ARGV: 1..3 key requests, window ms, block ms; 4..6 the same for the ip;
#       7 token budget (-1: none), 8 prompt tokens, 9 token window ms, 10 log member,
#       11 extra slots wanted (a lease; 0: none), 12 tokens reserved per extra slot,
#       13 the free slots (and 13 x 12 free tokens) below which no lease is granted
# Returns {allowed, reason, subject, limit, remaining, reset_us, extra slots granted}:
# reason 0 none, 1 requests, 2 tokens, 3 blocked; subject 0 none, 1 key, 2 ip. Extra slots
# are logged as members "<member>:1" … "<member>:n" at the same time as the request.
_CHECK_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local req = {tonumber(ARGV[1]), tonumber(ARGV[4])}
local window = {tonumber(ARGV[2]) * 1000, tonumber(ARGV[5]) * 1000}
local block = {tonumber(ARGV[3]), tonumber(ARGV[6])}

local best, wait = 0, 0
for s = 1, 2 do
  local ttl = redis.call('PTTL', KEYS[s + 2])
  if ttl > 0 and ttl * 1000 > wait then best, wait = s, ttl * 1000 end
end
if best > 0 then return {0, 3, best, req[best], 0, wait} end

local count, oldest = {}, {}
for s = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[s], '-inf', now - window[s])
  count[s] = redis.call('ZCARD', KEYS[s])
  oldest[s] = now
  if count[s] > 0 then
    oldest[s] = tonumber(redis.call('ZRANGE', KEYS[s], 0, 0, 'WITHSCORES')[2])
  end
end
best, wait = 0, -1
for s = 1, 2 do
  if count[s] >= req[s] then
    local w = oldest[s] + window[s] - now
    if block[s] > 0 then
      redis.call('SET', KEYS[s + 2], '1', 'PX', block[s])
      w = block[s] * 1000
    end
    if w > wait then best, wait = s, w end
  end
end
if best > 0 then return {0, 1, best, req[best], 0, wait} end

local tight = 1
if req[2] - count[2] < req[1] - count[1] then tight = 2 end
local left = req[tight] - count[tight]

local budget = tonumber(ARGV[7])
local prompt = tonumber(ARGV[8])
if budget >= 0 then
  local used = tonumber(redis.call('GET', KEYS[5]) or '0')
  if used + prompt > budget then
    local ttl = redis.call('PTTL', KEYS[5])
    if ttl < 0 then ttl = tonumber(ARGV[9]) end
    return {0, 2, 1, req[tight], left, ttl * 1000}
  end
end

local extra = tonumber(ARGV[11])
local per_slot = tonumber(ARGV[12])
local floor = tonumber(ARGV[13])
if extra > 0 then
  local free = math.min(req[1] - count[1], req[2] - count[2]) - 1
  if free < floor then extra = 0 end
  if extra > 0 and budget >= 0 then
    local used = tonumber(redis.call('GET', KEYS[5]) or '0')
    if budget - used - prompt < floor * per_slot then extra = 0 end
  end
end
local entries = {now, ARGV[10]}
for i = 1, extra do
  entries[#entries + 1] = now
  entries[#entries + 1] = ARGV[10] .. ':' .. i
end
redis.call('ZADD', KEYS[1], unpack(entries))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], unpack(entries))
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local tokens = prompt
if budget >= 0 then tokens = tokens + extra * per_slot end
if tokens > 0 then
  redis.call('INCRBY', KEYS[5], tokens)
  if redis.call('PTTL', KEYS[5]) < 0 then redis.call('PEXPIRE', KEYS[5], ARGV[9]) end
end
return {1, 0, 0, req[tight], left - 1, oldest[tight] + window[tight] - now, extra}
"""

# KEYS: 1 key log, 2 ip log, 3 key tokens; ARGV: 1 lease member, 2 first unused slot, 3
# unused slots, 4 unused tokens. Gives back what a lease did not use (its slots are used from
# the first up), never taking the minute's token count below zero.
_RELEASE_LUA = """
local members = {}
local first = tonumber(ARGV[2])
for i = first, first + tonumber(ARGV[3]) - 1 do members[#members + 1] = ARGV[1] .. ':' .. i end
if #members > 0 then
  redis.call('ZREM', KEYS[1], unpack(members))
  redis.call('ZREM', KEYS[2], unpack(members))
end
local tokens = tonumber(ARGV[4])
if tokens > 0 and redis.call('EXISTS', KEYS[3]) == 1 then
  if redis.call('DECRBY', KEYS[3], tokens) < 0 then redis.call('SET', KEYS[3], 0, 'KEEPTTL') end
end
return #members
"""

# KEYS: 1 key tokens; ARGV: 1 tokens, 2 token window ms. The minute starts with its first token.
_CHARGE_LUA = """
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return used
"""

_REASONS: Final = (None, "requests", "tokens", "blocked")
_SUBJECTS: Final = (None, "key", "ip")


@dataclass(slots=True)
class _Grant:
    """Slots one check script logged ahead for its (key, IP) pair: ``<member>:1`` … ``:n``."""

    member: str
    slots: int
    used: int = 0
    tokens: int | None = None  # reserved prompt tokens not yet used (None: no budget)


@dataclass(slots=True)
class _Lease:
    """The grants a pair holds, and what the granting checks said about its limits."""

    key_id: str
    client_ip: str
    grants: list[_Grant]
    expires: float
    limit: int
    remaining: int
    reset_s: float

    def take(self, prompt_tokens: int) -> bool:
        """Use one slot (and ``prompt_tokens`` of the reservation) if one is left."""
        for grant in self.grants:
            if grant.used >= grant.slots:
                continue
            if grant.tokens is not None:
                if grant.tokens < prompt_tokens:
                    continue
                grant.tokens -= prompt_tokens
            grant.used += 1
            self.remaining -= 1
            return True
        return False


class RateLimiter:
    """Key and client-IP limits in Redis, one script call per check (see the module docstring).

    ``failure_mode`` is ``"local"``, ``"open"`` or ``"closed"``; ``clock`` drives the local
    limiter and the pace of retries and summary lines while Redis is down; ``timeout_s``
    bounds each Redis call; ``registry`` receives the degraded-decision metrics.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        prefix: str,
        *,
        failure_mode: str = "local",
        clock: Callable[[], float] = time.time,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        lease_size: int = 0,
        registry: CollectorRegistry | None = None,
        summary_interval_s: float = DEGRADED_SUMMARY_INTERVAL_S,
    ) -> None:
        if failure_mode not in FAILURE_MODES:
            raise ValueError(f"failure_mode must be one of {', '.join(FAILURE_MODES)}")
        if lease_size < 0:
            raise ValueError("lease_size must be >= 0")
        self._prefix = prefix + "rl:"
        self._scripts = ScriptBatcher(
            redis,
            {"check": _CHECK_LUA, "charge": _CHARGE_LUA, "release": _RELEASE_LUA},
            timeout_s=timeout_s,
        )
        self._lease_size = lease_size
        self._leases: dict[tuple[str, str], _Lease] = {}
        self._last_seen: dict[tuple[str, str], float] = {}
        self._granting: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._next_sweep = -math.inf
        self._background = BackgroundTasks()
        self.script_checks = 0  # checks that ran the script (the rest used a lease)
        self._unbilled: dict[str, int] = {}
        self._billed: asyncio.Future[None] | None = None
        self._failure_mode = failure_mode
        self._clock = clock
        self._timeout_s = timeout_s
        self._local = LocalLimiter()
        # Log members must be unique across replicas: a random id per limiter and a counter.
        self._member_prefix = secrets.token_hex(8)
        self._members = itertools.count()
        self._down_since: float | None = None
        self._retry_at = -math.inf
        self._degraded_total = 0
        self._degraded_in_outage = 0
        self._summary_interval_s = summary_interval_s
        self._next_summary = math.inf
        self._summarised = 0  # degraded decisions of this outage already in a summary line
        self._degraded_counter: Any = None
        if registry is not None:
            self._degraded_counter = Counter(
                "aegis_edge_ratelimit_degraded_decisions_total",
                "Rate-limit decisions taken without Redis, by RATE_LIMIT_FAILURE_MODE.",
                ("failure_mode",),
                registry=registry,
            ).labels(failure_mode)
            Gauge(
                "aegis_edge_ratelimit_outage",
                "1 while Redis is unreachable and rate limits are decided without it.",
                registry=registry,
            ).set_function(lambda: float(self._down_since is not None))

    @property
    def degraded_total(self) -> int:
        """How many decisions were taken without Redis."""
        return self._degraded_total

    async def check(
        self,
        *,
        key_id: str,
        client_ip: str,
        key_limits: RateLimits,
        ip_limits: RateLimits,
        prompt_tokens: int,
    ) -> RateDecision:
        """Admit or refuse one request, recording it when admitted; never raises for Redis."""
        prompt_tokens = max(0, prompt_tokens)
        started = self._clock()
        extra = 0
        granting: asyncio.Future[None] | None = None
        pair = (key_id, client_ip)
        if self._lease_size > 1:
            leased = self._from_lease(pair, prompt_tokens, started)
            if leased is not None:
                return leased
            pending = self._granting.get(pair)
            if pending is not None:
                # A lease for this pair is on its way: wait for it rather than ask for
                # another (a burst of one pair's requests would otherwise each take one).
                await asyncio.shield(pending)
                leased = self._from_lease(pair, prompt_tokens, self._clock())
                if leased is not None:
                    return leased
            elif started - self._last_seen.get(pair, -math.inf) < LEASE_TTL_S:
                # Only a pair seen again within a lease's life gets one: a quiet pair would
                # only hand its slots back.
                extra = self._lease_size - 1
                granting = self._granting[pair] = asyncio.get_running_loop().create_future()
            self._last_seen[pair] = started
        try:
            return await self._check_in_redis(
                key_id, client_ip, key_limits, ip_limits, prompt_tokens, extra, started
            )
        finally:
            if granting is not None:
                del self._granting[pair]
                granting.set_result(None)

    async def _check_in_redis(
        self,
        key_id: str,
        client_ip: str,
        key_limits: RateLimits,
        ip_limits: RateLimits,
        prompt_tokens: int,
        extra: int,
        started: float,
    ) -> RateDecision:
        if self._usable(started):
            p = self._prefix
            keys = (
                f"{p}key:{key_id}",
                f"{p}ip:{client_ip}",
                f"{p}block:key:{key_id}",
                f"{p}block:ip:{client_ip}",
                f"{p}tok:{key_id}",
            )
            budget = key_limits.tokens_per_minute
            args = (
                key_limits.requests,
                key_limits.window_ms,
                key_limits.block_ms,
                ip_limits.requests,
                ip_limits.window_ms,
                ip_limits.block_ms,
                -1 if budget is None else budget,
                prompt_tokens,
                TOKEN_WINDOW_MS,
                member := f"{self._member_prefix}:{next(self._members):x}",
                extra,
                LEASE_TOKENS_PER_SLOT,
                LEASE_FLOOR,
            )
            self.script_checks += 1
            try:
                raw = await self._scripts.call("check", keys, args)
            except (RedisError, OSError) as exc:
                raise_if_cancelling()
                self._went_down(exc, started)
            else:
                self._came_up(started)
                decision = _from_script(raw)
                granted = int(raw[6]) if decision.allowed else 0
                if granted:
                    tokens = granted * LEASE_TOKENS_PER_SLOT if budget is not None else None
                    self._hold(key_id, client_ip, _Grant(member, granted, tokens=tokens),
                               decision, started)  # fmt: skip
                return decision
        return self._degraded(
            self._clock(),
            key_id=key_id,
            client_ip=client_ip,
            key_limits=key_limits,
            ip_limits=ip_limits,
            prompt_tokens=prompt_tokens,
        )

    async def charge(self, *, key_id: str, tokens: int) -> None:
        """Add a response's completion tokens to the key's minute; never raises for Redis.

        Charges are summed per key for ``CHARGE_DEFER_S`` and sent together, one script run
        per key (a busy key's answers cost one call, not one each); the call returns once
        its tokens are counted.
        """
        billed = self.charge_soon(key_id=key_id, tokens=tokens)
        if billed is not None:
            await asyncio.shield(billed)

    def charge_soon(self, *, key_id: str, tokens: int) -> asyncio.Future[None] | None:
        """:meth:`charge` without waiting: the tokens go with the next send (at most
        ``CHARGE_DEFER_S`` away); returns what completes when they are counted, if anything."""
        if tokens <= 0:
            return None
        if not self._usable(self._clock()):
            if self._failure_mode == "local":
                self._local.charge(self._clock(), key_id=key_id, tokens=tokens)
            return None
        self._unbilled[key_id] = self._unbilled.get(key_id, 0) + tokens
        if self._billed is None:
            loop = asyncio.get_running_loop()
            self._billed = loop.create_future()
            loop.call_later(CHARGE_DEFER_S, self._bill)
        return self._billed

    def _bill(self) -> None:
        pending, self._unbilled = self._unbilled, {}
        billed, self._billed = self._billed, None
        self._background.spawn(self._send_bills(pending, billed))

    async def _send_bills(
        self, pending: dict[str, int], billed: asyncio.Future[None] | None
    ) -> None:
        started = self._clock()
        try:
            results = await asyncio.gather(
                *(
                    self._scripts.call(
                        "charge", (f"{self._prefix}tok:{key_id}",), (tokens, TOKEN_WINDOW_MS)
                    )
                    for key_id, tokens in pending.items()
                ),
                return_exceptions=True,
            )
            for (key_id, tokens), result in zip(pending.items(), results, strict=True):
                if isinstance(result, (RedisError, OSError)):
                    self._went_down(result, started)
                    _log.debug("ratelimit_charge_dropped", key_id=key_id, tokens=tokens)
                    if self._failure_mode == "local":
                        self._local.charge(self._clock(), key_id=key_id, tokens=tokens)
                elif not isinstance(result, BaseException):
                    self._came_up(started)
        finally:
            if billed is not None and not billed.done():
                billed.set_result(None)

    def _from_lease(
        self, pair: tuple[str, str], prompt_tokens: int, now: float
    ) -> RateDecision | None:
        """Admit from the pair's lease if it has a slot (and the tokens) left, else None;
        an expired or used-up lease is given back."""
        self._sweep(now)
        lease = self._leases.get(pair)
        if lease is None:
            return None
        if now < lease.expires and lease.take(prompt_tokens):
            return decision(
                True, limit=lease.limit, remaining=lease.remaining, reset_s=lease.reset_s
            )
        if now >= lease.expires or all(g.used >= g.slots for g in lease.grants):
            del self._leases[pair]
            self._give_back(lease)
        return None

    def _hold(
        self, key_id: str, client_ip: str, grant: _Grant, decision: RateDecision, now: float
    ) -> None:
        pair = (key_id, client_ip)
        lease = self._leases.get(pair)
        if lease is None:
            self._leases[pair] = _Lease(
                key_id,
                client_ip,
                [grant],
                now + LEASE_TTL_S,
                decision.limit,
                decision.remaining,
                decision.reset_s,
            )
        else:  # checks of one pair that ran together each got a grant
            lease.grants.append(grant)
            lease.remaining = min(lease.remaining, decision.remaining)

    def _give_back(self, lease: _Lease) -> None:
        """Return a lease's unused slots and tokens (in the background, with the next batch)."""
        for grant in lease.grants:
            unused = grant.slots - grant.used
            if unused <= 0 and not grant.tokens:
                continue
            self._background.spawn(self._release(lease, grant, unused))

    async def _release(self, lease: _Lease, grant: _Grant, unused: int) -> None:
        p = self._prefix
        keys = (f"{p}key:{lease.key_id}", f"{p}ip:{lease.client_ip}", f"{p}tok:{lease.key_id}")
        args = (
            grant.member,
            grant.used + 1,
            max(0, unused),
            grant.tokens or 0,
        )
        try:
            await self._scripts.call("release", keys, args, defer=CHARGE_DEFER_S)
        except (RedisError, OSError):
            # Not given back: the slots leave the window by themselves (and only leases far
            # from a limit exist, so nobody is refused for them).
            _log.debug("ratelimit_release_dropped", unused=unused)

    def _sweep(self, now: float) -> None:
        """Every SWEEP_INTERVAL_S: give back leases that expired unused, forget quiet pairs."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_INTERVAL_S
        for pair, lease in list(self._leases.items()):
            if lease.expires <= now:
                del self._leases[pair]
                self._give_back(lease)
        for pair, seen in list(self._last_seen.items()):
            if now - seen >= LEASE_TTL_S:
                del self._last_seen[pair]

    def _usable(self, now: float) -> bool:
        """Whether to call Redis now: always while up; while down, one probe per interval."""
        if self._down_since is None:
            return True
        if now < self._retry_at:
            return False
        self._retry_at = now + RETRY_INTERVAL_S
        return True

    def _went_down(self, exc: BaseException, now: float) -> None:
        self._retry_at = now + RETRY_INTERVAL_S
        if self._down_since is None:
            self._down_since = now
            self._degraded_in_outage = 0
            self._summarised = 0
            self._next_summary = now + self._summary_interval_s
            _log.warning(
                "ratelimit_degraded", error=type(exc).__name__, failure_mode=self._failure_mode
            )

    def _came_up(self, started: float) -> None:
        # A call that began before the outage was noticed proves nothing about now.
        if self._down_since is not None and started >= self._down_since:
            _log.info(
                "ratelimit_recovered",
                down_s=round(self._clock() - self._down_since, 3),
                degraded_decisions=self._degraded_in_outage,
            )
            self._down_since = None
            self._retry_at = -math.inf
            self._next_summary = math.inf

    def _summarise(self, now: float) -> None:
        down_since = self._down_since if self._down_since is not None else now
        _log.warning(
            "ratelimit_degraded_summary",
            failure_mode=self._failure_mode,
            down_s=round(now - down_since, 3),
            degraded_decisions=self._degraded_in_outage - self._summarised,
            degraded_decisions_in_outage=self._degraded_in_outage,
        )
        self._summarised = self._degraded_in_outage
        self._next_summary = now + self._summary_interval_s

    def _degraded(
        self,
        now: float,
        *,
        key_id: str,
        client_ip: str,
        key_limits: RateLimits,
        ip_limits: RateLimits,
        prompt_tokens: int,
    ) -> RateDecision:
        self._degraded_total += 1
        self._degraded_in_outage += 1
        if self._degraded_counter is not None:
            self._degraded_counter.inc()
        if now >= self._next_summary:
            self._summarise(now)
        limit = min(key_limits.requests, ip_limits.requests)
        if self._failure_mode == "open":
            return decision(True, limit=limit, remaining=limit, reset_s=0.0, degraded=True)
        if self._failure_mode == "closed":
            return decision(
                False, limit=limit, remaining=0, reset_s=1.0, reason="unavailable", degraded=True
            )
        return self._local.check(
            now,
            key_id=key_id,
            client_ip=client_ip,
            key_limits=key_limits,
            ip_limits=ip_limits,
            prompt_tokens=prompt_tokens,
        )


def _from_script(raw: Any) -> RateDecision:
    allowed, reason, subject, limit, remaining, reset_us = (int(v) for v in raw[:6])
    return decision(
        bool(allowed),
        limit=limit,
        remaining=remaining,
        reset_s=reset_us / 1_000_000,
        reason=_REASONS[reason],
        subject=_SUBJECTS[subject],
    )
