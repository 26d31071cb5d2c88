"""Rate limits shared by every edge replica: one Lua script, at most one Redis round trip a
request (see :mod:`edge.ratelimit.limiter` for the semantics, leases included).

- :mod:`~edge.ratelimit.decisions`: ``RateLimits`` and ``RateDecision``;
- :mod:`~edge.ratelimit.limiter`: ``RateLimiter``, in Redis, with its failure modes;
- :mod:`~edge.ratelimit.local`: ``LocalLimiter``, the same semantics in this process;
- :mod:`~edge.ratelimit.batch`: ``ScriptBatcher``, many scripts in one round trip.
"""

from edge.ratelimit.decisions import TOKEN_WINDOW_MS, RateDecision, RateLimits
from edge.ratelimit.limiter import (
    DEFAULT_TIMEOUT_S,
    FAILURE_MODES,
    LEASE_FLOOR,
    LEASE_TTL_S,
    RETRY_INTERVAL_S,
    RateLimiter,
)
from edge.ratelimit.local import SWEEP_INTERVAL_S, LocalLimiter

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "FAILURE_MODES",
    "LEASE_FLOOR",
    "LEASE_TTL_S",
    "RETRY_INTERVAL_S",
    "SWEEP_INTERVAL_S",
    "TOKEN_WINDOW_MS",
    "LocalLimiter",
    "RateDecision",
    "RateLimiter",
    "RateLimits",
]
