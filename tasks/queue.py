"""The application layer's job queue (`core.ports.queue.JobQueue`) on the taskiq tasks.

One per process, built by the composition root on the broker it built from the settings;
every message goes through this process's broker (no broker is global).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from taskiq import AsyncBroker
from taskiq.decor import AsyncTaskiqDecoratedTask

from tasks.broker import Outbox, queue_was_reset


class TaskQueue:
    """Queues publish and sync work on this process's broker (Redis Streams or in-process)."""

    def __init__(self, broker: AsyncBroker, *, ticket_seconds: float) -> None:
        self.broker = broker
        self.outbox = Outbox(broker)
        #: how long a queued target is left to its message before the sweeper queues it again
        self.ticket = timedelta(seconds=ticket_seconds)

    async def start_job(self, job_id: int) -> None:
        """Queue a new or approved job."""
        from tasks.publish import queue_job

        await queue_job(self, job_id)

    async def enqueue_targets(self, target_ids: Sequence[int]) -> None:
        """Queue single targets again."""
        from tasks.publish import queue_targets

        await queue_targets(self, list(target_ids))

    async def sync_account(self, account_id: int, reason: str) -> None:
        """Queue a listing of the account's new posts."""
        from tasks.ingest import ingest_account

        await self.send(ingest_account, account_id, reason)

    async def send(self, task: AsyncTaskiqDecoratedTask[Any, Any], *args: Any) -> None:
        """Queue `task(*args)` now; broker errors reach the caller."""
        await self.outbox.send(task, *args)

    async def kiq(self, task: AsyncTaskiqDecoratedTask[Any, Any], *args: Any) -> None:
        """Queue `task(*args)` now, or through the outbox as soon as Redis answers."""
        await self.outbox.kiq(task, *args)

    async def was_reset(self) -> bool:
        """Whether Redis lost its data since the last look."""
        return await queue_was_reset(self.broker)
