"""The rate limiter's semantics in this process, for when Redis is unreachable."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Final

from edge.ratelimit.decisions import TOKEN_WINDOW_MS, RateDecision, RateLimits, decision

__all__ = ["SWEEP_INTERVAL_S", "LocalLimiter"]

SWEEP_INTERVAL_S: Final = 10.0


@dataclass(slots=True)
class _Log:
    hits: deque[float] = field(default_factory=deque)
    window_s: float = 0.0
    blocked_until: float = 0.0

    def trim(self, now: float, window_s: float) -> None:
        self.window_s = window_s
        while self.hits and self.hits[0] <= now - window_s:
            self.hits.popleft()


@dataclass(slots=True)
class _Tokens:
    used: int
    ends: float


class LocalLimiter:
    """The Redis script's semantics in this process, for when Redis is unreachable.

    Pure: the time is an argument (seconds), so tests step it. Its decisions are marked
    ``degraded`` since they see only this replica's traffic. Subjects idle past their window
    and block, and token minutes that ended, are dropped every ``SWEEP_INTERVAL_S``.

    >>> two = RateLimits(requests=2, window_ms=1000, block_ms=0, tokens_per_minute=None)
    >>> local = LocalLimiter()
    >>> [local.check(t, key_id="k", client_ip="10.0.0.1", key_limits=two, ip_limits=two,
    ...              prompt_tokens=0).allowed for t in (0.0, 0.1, 0.2, 1.0)]
    [True, True, False, True]
    """

    def __init__(self) -> None:
        self._logs: dict[tuple[str, str], _Log] = {}
        self._tokens: dict[str, _Tokens] = {}
        self._next_sweep = -math.inf

    def __len__(self) -> int:
        """How many subjects and token minutes are held."""
        return len(self._logs) + len(self._tokens)

    def check(
        self,
        now: float,
        *,
        key_id: str,
        client_ip: str,
        key_limits: RateLimits,
        ip_limits: RateLimits,
        prompt_tokens: int,
    ) -> RateDecision:
        """Decide and, when admitted, record the request (see the module docstring)."""
        self._sweep(now)
        limits = (key_limits, ip_limits)
        logs = (self._log(("key", key_id)), self._log(("ip", client_ip)))
        names = ("key", "ip")

        wait, best = 0.0, -1
        for s, log in enumerate(logs):
            if log.blocked_until - now > wait:
                best, wait = s, log.blocked_until - now
        if best >= 0:
            return decision(
                False,
                limit=limits[best].requests,
                remaining=0,
                reset_s=wait,
                reason="blocked",
                subject=names[best],
                degraded=True,
            )

        waits: list[float] = []
        for log, lim in zip(logs, limits, strict=True):
            window_s = lim.window_ms / 1000
            log.trim(now, window_s)
            if len(log.hits) < lim.requests:
                waits.append(-1.0)
                continue
            wait = (log.hits[0] if log.hits else now) + window_s - now
            if lim.block_ms > 0:
                log.blocked_until = now + lim.block_ms / 1000
                wait = lim.block_ms / 1000
            waits.append(wait)
        best = max(range(2), key=lambda s: (waits[s], -s))
        if waits[best] >= 0:
            return decision(
                False,
                limit=limits[best].requests,
                remaining=0,
                reset_s=waits[best],
                reason="requests",
                subject=names[best],
                degraded=True,
            )

        left = [lim.requests - len(log.hits) for log, lim in zip(logs, limits, strict=True)]
        tight = 1 if left[1] < left[0] else 0
        budget = key_limits.tokens_per_minute
        tokens = self._active_tokens(key_id, now)
        used = tokens.used if tokens is not None else 0
        if budget is not None and used + prompt_tokens > budget:
            return decision(
                False,
                limit=limits[tight].requests,
                remaining=left[tight],
                reset_s=tokens.ends - now if tokens is not None else TOKEN_WINDOW_MS / 1000,
                reason="tokens",
                subject="key",
                degraded=True,
            )

        for log in logs:
            log.hits.append(now)
        if prompt_tokens > 0:
            self.charge(now, key_id=key_id, tokens=prompt_tokens)
        oldest = logs[tight].hits[0]
        return decision(
            True,
            limit=limits[tight].requests,
            remaining=left[tight] - 1,
            reset_s=oldest + limits[tight].window_ms / 1000 - now,
            degraded=True,
        )

    def charge(self, now: float, *, key_id: str, tokens: int) -> None:
        """Add ``tokens`` to the key's current minute (starting one if none runs)."""
        if tokens <= 0:
            return
        current = self._active_tokens(key_id, now)
        if current is None:
            current = self._tokens[key_id] = _Tokens(0, now + TOKEN_WINDOW_MS / 1000)
        current.used += tokens

    def _log(self, subject: tuple[str, str]) -> _Log:
        log = self._logs.get(subject)
        if log is None:
            log = self._logs[subject] = _Log()
        return log

    def _active_tokens(self, key_id: str, now: float) -> _Tokens | None:
        tokens = self._tokens.get(key_id)
        return tokens if tokens is not None and now < tokens.ends else None

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_INTERVAL_S
        for subject, log in list(self._logs.items()):
            log.trim(now, log.window_s)
            if not log.hits and log.blocked_until <= now:
                del self._logs[subject]
        for key_id, tokens in list(self._tokens.items()):
            if tokens.ends <= now:
                del self._tokens[key_id]
