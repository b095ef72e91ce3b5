"""One background task per chat card whose status message follows a publish job."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod


class CardWatchers(ABC):
    """The task bookkeeping both chat front ends share; subclasses say how to follow a card."""

    def __init__(self) -> None:
        self._tasks: dict[int, asyncio.Task[None]] = {}

    @abstractmethod
    async def _run(self, card_id: int) -> None:
        """Follow one card until its job comes to rest."""

    def watch(self, card_id: int) -> None:
        """Start following a card's status message (no-op if already followed)."""
        task = self._tasks.get(card_id)
        if task is not None and not task.done():
            return
        self._tasks[card_id] = asyncio.create_task(self._run(card_id))

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
