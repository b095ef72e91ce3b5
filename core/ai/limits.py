"""Per-person limit on AI calls: a sliding one-minute window, counted in this process.

The brand's monthly budget (core/ai/usage.py) is the hard cap shared by every process;
this limit keeps one person from burning through it in a loop of previews or rewrites.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from core.errors import RateLimited

WINDOW_SECONDS = 60.0


class AICallLimiter:
    """At most `per_minute` AI calls per person in any 60 seconds (0: no limit)."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._calls: dict[str, deque[float]] = {}

    def _window(self, who: str) -> deque[float]:
        calls = self._calls.setdefault(who, deque())
        cutoff = self.clock() - WINDOW_SECONDS
        while calls and calls[0] <= cutoff:
            calls.popleft()
        if not calls:
            self._calls.pop(who, None)  # forget idle people: the map stays small
        return calls

    def check(self, who: str) -> None:
        """RateLimited if `who` may not start another AI call now (nothing recorded)."""
        if self.per_minute <= 0:
            return
        calls = self._window(who)
        if len(calls) >= self.per_minute:
            wait = max(1, math.ceil(calls[0] + WINDOW_SECONDS - self.clock()))
            raise RateLimited(
                f"You have asked the AI for {self.per_minute} rewrites in the last minute, "
                f"the most allowed. Try again in {wait} s; the captions you have are kept.",
                retry_after=wait,
            )

    def take(self, who: str) -> None:
        """Record one AI call by `who`, or RateLimited when over the limit."""
        self.check(who)
        if self.per_minute > 0:
            self._calls.setdefault(who, deque()).append(self.clock())
