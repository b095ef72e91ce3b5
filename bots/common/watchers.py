"""One background task per chat card whose status message follows a publish job.

A watcher that fails (the database blinked, a network call broke) logs it, waits and
follows the card again, until `_run` returns: the job came to rest or the card is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)


class CardWatchers(ABC):
    """The task bookkeeping both chat front ends share; subclasses say how to follow a card."""

    #: the wait after a failure, doubled after each one in a row up to `retry_max`
    retry_first: float = 0.5
    retry_max: float = 30.0

    def __init__(self) -> None:
        self._tasks: dict[int, asyncio.Task[None]] = {}

    @abstractmethod
    async def _run(self, card_id: int) -> None:
        """Follow one card until its job comes to rest (errors: `_follow` tries again)."""

    async def _follow(self, card_id: int) -> None:
        """Run `_run` until it returns; after an error log it, wait and run it again."""
        delay = self.retry_first
        while True:
            started = time.monotonic()
            try:
                await self._run(card_id)
                return
            except Exception:  # logged; the job still needs following
                if time.monotonic() - started > self.retry_max:
                    delay = self.retry_first  # it had been working: a fresh failure
                log.warning(
                    "status watcher of card %s failed; trying again in %.1f s",
                    card_id,
                    delay,
                    exc_info=True,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_max)

    def watch(self, card_id: int) -> None:
        """Start following a card's status message (no-op if already followed)."""
        task = self._tasks.get(card_id)
        if task is not None and not task.done():
            return
        self._tasks[card_id] = asyncio.create_task(self._follow(card_id))

    async def wait_idle(self, limit: float = 30.0) -> None:
        """Wait until every watcher has finished (tests, shutdown)."""
        tasks = [t for t in self._tasks.values() if not t.done()]
        if tasks:
            await asyncio.wait(tasks, timeout=limit)

    async def stop(self) -> None:
        """Stop watching (the state stays in the database for the next start)."""
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
