"""The per-person AI call limit: a sliding minute on a clock the test moves."""

from __future__ import annotations

import pytest

from core.ai.limits import AICallLimiter
from core.errors import RateLimited


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limit_per_person_and_sliding_window() -> None:
    clock = Clock()
    limiter = AICallLimiter(3, clock=clock)
    for _ in range(3):
        limiter.take("ann")
        clock.now += 10
    with pytest.raises(RateLimited) as refused:
        limiter.take("ann")
    assert refused.value.retry_after == 30 and "Try again in 30 s" in refused.value.user_message
    limiter.take("bob")  # another person has their own allowance
    clock.now += 30  # the first call leaves the window
    limiter.check("ann")
    limiter.take("ann")
    with pytest.raises(RateLimited):
        limiter.check("ann")


def test_refused_asks_do_not_count_and_zero_means_no_limit() -> None:
    clock = Clock()
    limiter = AICallLimiter(1, clock=clock)
    limiter.take("ann")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.take("ann")
    clock.now += 60
    limiter.take("ann")
    unlimited = AICallLimiter(0, clock=clock)
    for _ in range(100):
        unlimited.take("ann")
