"""Calls made in the same event-loop turn, run as one batch.

The publish path of a busy worker has dozens of targets reaching the same step at once
(claim, mark publishing, record the result). Each step is a round trip to the database;
a `Coalescer` lets every caller keep its one-item call while the database sees one
statement per batch.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.models import Model

Item = TypeVar("Item")
Result = TypeVar("Result")


class Coalescer(Generic[Item, Result]):
    """`await coalescer(item)`: the item joins the batch collected over `window` seconds.

    Tasks of a busy worker reach the same step a few hundred microseconds apart, not in
    the same loop turn; a window of a millisecond or two gathers them (a small delay next
    to a platform's 100+ ms). `run_batch(items)` returns one result per item, in order;
    if it raises, every caller of that batch gets the exception.
    """

    def __init__(
        self,
        run_batch: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]],
        *,
        window: float = 0.001,
        max_batch: int = 200,
        alone_when: Callable[[], bool] | None = None,
    ) -> None:
        self._run_batch = run_batch
        self._alone_when = alone_when
        self._window = window
        self._max_batch = max_batch
        self._running: set[asyncio.Task[None]] = set()
        self._waiting: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, list[tuple[Item, asyncio.Future[Result]]]
        ] = weakref.WeakKeyDictionary()

    async def __call__(self, item: Item) -> Result:
        if self._alone_when is not None and self._alone_when():
            return (await self._run_batch([item]))[0]  # a batch of one, in the caller's task
        loop = asyncio.get_running_loop()
        waiting = self._waiting.setdefault(loop, [])
        future: asyncio.Future[Result] = loop.create_future()
        waiting.append((item, future))
        if len(waiting) == 1:
            loop.call_later(self._window, self._flush, loop)
        elif len(waiting) >= self._max_batch:
            self._flush(loop)
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._waiting.pop(loop, [])
        if batch:  # (empty when a full batch already left before the window closed)
            task = loop.create_task(self._run(batch))
            self._running.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._run_batch([item for item, _ in batch])
            if len(results) != len(batch):
                raise ValueError(f"a batch of {len(batch)} items got {len(results)} results")
        except BaseException as exc:  # handed to every caller of the batch
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


def inside_transaction(model: type[Model]) -> Callable[[], bool]:
    """`alone_when` for statements on this model: inside a transaction a statement must
    run on the transaction's connection, not in a batch on a connection of its own."""
    return lambda: isinstance(model._meta.db, TransactionalDBClient)
