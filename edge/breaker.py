"""A circuit breaker for one core instance: a pure state machine, the clock passed in.

    CLOSED ──(failure_threshold consecutive failures)──► OPEN
    OPEN ──(a probe succeeds)──► HALF_OPEN
    HALF_OPEN ──(recovery_threshold consecutive successes)──► CLOSED
    HALF_OPEN ──(any failure)──► OPEN

Live traffic goes only to a CLOSED core; while OPEN or HALF_OPEN the edge's active health
checks are the probes, so a core that is coming back is tried by a cheap ``GET`` and never
by a client's request. Every outcome, from a probe or from live traffic, is recorded with
:meth:`CircuitBreaker.record_success` / :meth:`CircuitBreaker.record_failure`, and each returns
the transition it caused (or ``None``) so the caller can log and count it.

A failure is evidence about core only when core, not the request, is to blame: a refused or
timed-out connection, a failed health check. A 5xx that core produced for one request may be
that request's fault (a body core could not handle), and one key must not be able to open the
breaker — with fail-open on, that would switch scanning off for everyone. So such an error is
first shown to a :class:`DistinctKeyWindow`, and counts against core only when several
distinct keys saw one within a short window.

No I/O and no clock of its own: tests step ``now`` instead of sleeping.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

__all__ = [
    "DISTINCT_KEYS",
    "DISTINCT_KEYS_WINDOW_S",
    "BreakerState",
    "CircuitBreaker",
    "DistinctKeyWindow",
    "Transition",
]

# A per-request 5xx of core's counts against it once this many keys saw one ...
DISTINCT_KEYS: Final = 3
# ... within this many seconds.
DISTINCT_KEYS_WINDOW_S: Final = 10.0


class BreakerState(enum.IntEnum):
    """The breaker's state; the value is what the metrics gauge shows."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of state, and how long the previous state lasted."""

    before: BreakerState
    after: BreakerState
    lasted_s: float


class CircuitBreaker:
    """Counts consecutive outcomes and moves between CLOSED, OPEN and HALF_OPEN."""

    def __init__(self, failure_threshold: int, recovery_threshold: int, now: float) -> None:
        if failure_threshold < 1 or recovery_threshold < 1:
            raise ValueError("thresholds must be at least 1")
        self.failure_threshold = failure_threshold
        self.recovery_threshold = recovery_threshold
        self.state = BreakerState.CLOSED
        self.since = now
        self._failures = 0
        self._successes = 0

    @property
    def available(self) -> bool:
        """Whether live traffic may be sent to this core."""
        return self.state is BreakerState.CLOSED

    def record_success(self, now: float) -> Transition | None:
        self._failures = 0
        if self.state is BreakerState.CLOSED:
            return None
        self._successes += 1
        if self.state is BreakerState.OPEN and self._successes < self.recovery_threshold:
            return self._move(BreakerState.HALF_OPEN, now)
        if self._successes >= self.recovery_threshold:
            return self._move(BreakerState.CLOSED, now)
        return None

    def record_failure(self, now: float) -> Transition | None:
        self._successes = 0
        if self.state is BreakerState.HALF_OPEN:
            return self._move(BreakerState.OPEN, now)
        if self.state is BreakerState.OPEN:
            return None
        self._failures += 1
        if self._failures >= self.failure_threshold:
            return self._move(BreakerState.OPEN, now)
        return None

    def _move(self, after: BreakerState, now: float) -> Transition:
        transition = Transition(self.state, after, max(0.0, now - self.since))
        self.state = after
        self.since = now
        self._failures = 0
        if after is not BreakerState.HALF_OPEN:
            self._successes = 0
        return transition


class DistinctKeyWindow:
    """Whether errors come from several clients, or from one that may be causing them.

    :meth:`record` notes that ``key`` saw an error at ``now`` and answers whether at least
    ``keys`` distinct keys saw one within the last ``window_s`` seconds (this one included).
    Only the ``keys`` most recent distinct keys are held: if the oldest of them is inside the
    window, so are the others. Pure, like the breaker: the time is an argument.

    >>> window = DistinctKeyWindow(keys=2, window_s=10.0)
    >>> [window.record("a", 0.0), window.record("a", 1.0), window.record("b", 2.0)]
    [False, False, True]
    >>> window.record("c", 30.0)  # "a" and "b" are too old to count
    False
    """

    def __init__(self, keys: int = DISTINCT_KEYS, window_s: float = DISTINCT_KEYS_WINDOW_S) -> None:
        if keys < 1 or window_s <= 0:
            raise ValueError("keys must be at least 1 and window_s positive")
        self.keys = keys
        self.window_s = window_s
        self._seen: dict[str, float] = {}  # key -> last error, oldest first

    def record(self, key: str, now: float) -> bool:
        """Note an error seen by ``key``; whether ``keys`` distinct keys saw one lately."""
        self._seen.pop(key, None)
        self._seen[key] = now
        if len(self._seen) > self.keys:
            del self._seen[next(iter(self._seen))]
        oldest = next(iter(self._seen.values()))
        return len(self._seen) >= self.keys and now - oldest <= self.window_s
