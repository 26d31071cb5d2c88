"""The circuit breaker as a pure state machine: time is stepped, never slept."""

from __future__ import annotations

import pytest

from edge.breaker import BreakerState, CircuitBreaker, Transition


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
