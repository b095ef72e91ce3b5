"""Crash points for chaos tests: a worker may kill itself at a named step.

The composition root hands these to the publish runner as its crash hooks
(`core.publish_runner.CrashHooks`); the domain itself knows only the step names.

Off unless `FAULT_CRASH_POINTS` is set (e.g. `before_publish=0.05,after_publish=0.1`),
which only the reliability tests do. A crash is a real SIGKILL of the process: no
cleanup, no exception handlers, exactly what a machine losing power looks like.
"""

from __future__ import annotations

import os
import random
import signal

POINTS = ("before_prepare", "before_publish", "after_publish")


def parse(spec: str) -> dict[str, float]:
    """`name=probability,…` → {name: probability}; unknown names are an error."""
    points: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        if name not in POINTS:
            raise ValueError(f"unknown crash point {name!r}; known: {', '.join(POINTS)}")
        points[name] = float(value or 1.0)
    return points


class CrashPoints:
    """Decides, at each named step, whether this process dies now."""

    def __init__(self, spec: str = "") -> None:
        self.points = parse(spec)

    def maybe_crash(self, name: str) -> None:
        """SIGKILL this process with the configured probability for `name`."""
        chance = self.points.get(name, 0.0)
        if chance and random.random() < chance:
            os.kill(os.getpid(), signal.SIGKILL)
