"""The circuit breaker and the distinct-key window as pure state machines: time is stepped,
never slept."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from edge.breaker import BreakerState, CircuitBreaker, DistinctKeyWindow, Transition
from edge.health import CorePool


def test_opens_after_the_threshold_of_consecutive_failures() -> None:
    """Failures below the threshold keep it closed; the threshold-th opens it."""
    breaker = CircuitBreaker(failure_threshold=3, recovery_threshold=2, now=0.0)
    assert breaker.record_failure(1.0) is None
    assert breaker.record_failure(2.0) is None
    assert breaker.available
    assert breaker.record_failure(3.0) == Transition(BreakerState.CLOSED, BreakerState.OPEN, 3.0)
    assert breaker.state is BreakerState.OPEN
    assert not breaker.available


def test_a_success_resets_the_failure_count() -> None:
    """Failures must be consecutive: one success in between starts the count again."""
    breaker = CircuitBreaker(failure_threshold=2, recovery_threshold=1, now=0.0)
    breaker.record_failure(1.0)
    breaker.record_success(2.0)
    assert breaker.record_failure(3.0) is None
    assert breaker.state is BreakerState.CLOSED


def test_probe_success_half_opens_then_closes_after_recovery_threshold() -> None:
    """An open breaker goes half-open on a good probe and closes after enough of them."""
    breaker = CircuitBreaker(failure_threshold=1, recovery_threshold=3, now=0.0)
    breaker.record_failure(10.0)
    assert breaker.record_success(12.5) == Transition(
        BreakerState.OPEN, BreakerState.HALF_OPEN, 2.5
    )
    assert not breaker.available  # live traffic waits until it is closed
    assert breaker.record_success(13.0) is None
    assert breaker.record_success(13.5) == Transition(
        BreakerState.HALF_OPEN, BreakerState.CLOSED, 1.0
    )
    assert breaker.available


def test_a_failure_while_half_open_reopens() -> None:
    """Half-open tolerates no failure, and the recovery count starts again."""
    breaker = CircuitBreaker(failure_threshold=1, recovery_threshold=2, now=0.0)
    breaker.record_failure(1.0)
    breaker.record_success(2.0)
    assert breaker.record_failure(3.0) == Transition(BreakerState.HALF_OPEN, BreakerState.OPEN, 1.0)
    breaker.record_success(4.0)
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.record_success(5.0)
    assert breaker.state is BreakerState.CLOSED


def test_recovery_threshold_of_one_closes_straight_from_open() -> None:
    """With a recovery threshold of 1 one good probe closes an open breaker."""
    breaker = CircuitBreaker(failure_threshold=1, recovery_threshold=1, now=0.0)
    breaker.record_failure(1.0)
    assert breaker.record_success(2.0) == Transition(BreakerState.OPEN, BreakerState.CLOSED, 1.0)


def test_failures_while_open_change_nothing() -> None:
    """More failures on an open breaker are no transition (nothing to log twice)."""
    breaker = CircuitBreaker(failure_threshold=1, recovery_threshold=1, now=0.0)
    breaker.record_failure(1.0)
    assert breaker.record_failure(2.0) is None
    assert breaker.state is BreakerState.OPEN


@pytest.mark.parametrize(("failures", "recoveries"), [(0, 1), (1, 0)])
def test_thresholds_below_one_are_refused(failures: int, recoveries: int) -> None:
    """A threshold of zero would make a breaker that never closes or never opens."""
    with pytest.raises(ValueError, match="at least 1"):
        CircuitBreaker(failures, recoveries, now=0.0)


def test_one_key_never_fills_the_window() -> None:
    """However many errors one key sees, they are one key's: never enough to blame core."""
    window = DistinctKeyWindow(keys=3, window_s=10.0)
    assert not any(window.record("attacker", t / 10) for t in range(1000))


def test_distinct_keys_within_the_window_blame_core() -> None:
    """The third distinct key inside the window makes the errors core's, and keeps them so
    while three distinct keys stay inside it."""
    window = DistinctKeyWindow(keys=3, window_s=10.0)
    assert window.record("a", 0.0) is False
    assert window.record("b", 4.0) is False
    assert window.record("a", 5.0) is False  # still only two keys
    assert window.record("c", 9.0) is True
    assert window.record("c", 12.0) is True  # b, the oldest, is 8 s old: still three keys
    assert window.record("c", 14.5) is False  # b is 10.5 s old: only a and c remain


def test_distinct_keys_spread_wider_than_the_window_do_not_count() -> None:
    """Occasional errors of different clients, minutes apart, say nothing about core."""
    window = DistinctKeyWindow(keys=3, window_s=10.0)
    assert [window.record(key, t) for key, t in (("a", 0.0), ("b", 8.0), ("c", 16.0))] == [
        False,
        False,
        False,
    ]
    assert window.record("d", 17.0) is True  # b, c, d within 9 s


def test_a_window_of_one_key_counts_every_error() -> None:
    """With keys=1 every error counts: the setting that blames core as before."""
    window = DistinctKeyWindow(keys=1, window_s=1.0)
    assert window.record("a", 0.0) is True


@pytest.mark.parametrize(("keys", "window_s"), [(0, 10.0), (3, 0.0)])
def test_window_arguments_below_their_floor_are_refused(keys: int, window_s: float) -> None:
    """No keys, or no time, would make a window that always or never blames core."""
    with pytest.raises(ValueError, match="at least 1"):
        DistinctKeyWindow(keys=keys, window_s=window_s)


def _pool() -> CorePool:
    return CorePool(
        ["http://core.internal:8081"],
        failure_threshold=3,
        recovery_threshold=2,
        interval_s=1.0,
        timeout_s=1.0,
        registry=CollectorRegistry(),
    )


def test_request_errors_of_one_key_never_open_the_breaker() -> None:
    """A hundred 5xx answers to one key leave the breaker closed; connect failures open it."""
    pool = _pool()
    [core] = pool.endpoints
    assert not any(pool.request_failed(core, "key_attacker", "status_500") for _ in range(100))
    assert pool.snapshot() == {"core_0": "closed"}  # by name: the address stays inside
    for _ in range(3):
        pool.failed(core, "connect")
    assert pool.snapshot() == {"core_0": "open"}


def test_request_errors_of_several_keys_open_the_breaker() -> None:
    """When three keys see core fail within seconds, core is failing: three such errors in a
    row open the breaker."""
    pool = _pool()
    [core] = pool.endpoints
    counted = [pool.request_failed(core, key, "status_500") for key in ("a", "b", "c", "d", "e")]
    assert counted == [False, False, True, True, True]
    assert core.breaker.state is BreakerState.OPEN
