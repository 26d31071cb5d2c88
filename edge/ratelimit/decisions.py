"""What a rate-limit check is asked and answers: a subject's limits, and the decision.

Shared by the Redis limiter and the in-process one (see :mod:`edge.ratelimit.limiter` for
the semantics both follow).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

__all__ = ["TOKEN_WINDOW_MS", "RateDecision", "RateLimits", "decision"]

# A key's token budget is per minute, starting with its first token.
TOKEN_WINDOW_MS: Final = 60_000


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The limits of one subject (a key or a client IP).

    ``requests`` per ``window_ms`` (sliding), a block of ``block_ms`` once exceeded (0: none),
    and for keys an optional budget of prompt plus completion tokens per minute.
    """

    requests: int
    window_ms: int
    block_ms: int
    tokens_per_minute: int | None

    def __post_init__(self) -> None:
        if self.requests < 0 or self.window_ms < 1 or self.block_ms < 0:
            raise ValueError("requests and block_ms must be >= 0 and window_ms >= 1")
        if self.tokens_per_minute is not None and self.tokens_per_minute < 0:
            raise ValueError("tokens_per_minute must be >= 0 or None")


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The answer to one check; ``retry_after_s`` is set (whole seconds, >= 1) when refused.

    ``reason`` is ``"requests"``, ``"tokens"``, ``"blocked"``, or ``"unavailable"`` (Redis down
    and ``failure_mode="closed"``); ``subject`` (``"key"`` or ``"ip"``) says whose limit refused.
    """

    allowed: bool
    limit: int
    remaining: int
    reset_s: float
    retry_after_s: int | None
    reason: str | None
    subject: str | None
    degraded: bool = False


def decision(
    allowed: bool,
    *,
    limit: int,
    remaining: int,
    reset_s: float,
    reason: str | None = None,
    subject: str | None = None,
    degraded: bool = False,
) -> RateDecision:
    return RateDecision(
        allowed=allowed,
        limit=limit,
        remaining=max(0, remaining),
        reset_s=max(0.0, reset_s),
        retry_after_s=None if allowed else max(1, math.ceil(reset_s)),
        reason=reason,
        subject=subject,
        degraded=degraded,
    )
