"""Waiting on conditions, never on fixed times: polls with a generous overall deadline."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

SLACK_LISTENER = "run_ack_function_asynchronously"  # slack-bolt runs each listener in one
DEADLINE = 60.0  # generous: a busy 2-core machine is slow, never wrong


async def until(
    check: Callable[[], Any], what: str, limit: float = DEADLINE, every: float = 0.05
) -> Any:
    """Poll `check()` (sync or async) until it is truthy and return it; fail naming `what`."""
    deadline = time.monotonic() + limit
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit:.0f} s waiting for {what}")
        await asyncio.sleep(every)


def running(name: str) -> list[asyncio.Task[Any]]:
    """The unfinished tasks of this loop whose coroutine's name contains `name`."""
    me = asyncio.current_task()
    return [
        task
        for task in asyncio.all_tasks()
        if task is not me
        and not task.done()
        and name in getattr(task.get_coro(), "__qualname__", "")
    ]


async def settled(name: str = SLACK_LISTENER, limit: float = DEADLINE) -> None:
    """Wait until no task named like `name` runs (by default: every Slack listener is done)."""
    deadline = time.monotonic() + limit
    while busy := running(name):
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(busy)} task(s) running {name} after {limit:.0f} s")
        await asyncio.wait(busy, timeout=0.5)
