"""The application layer's job queue (`core.ports.queue.JobQueue`) on the taskiq tasks.

One per process, built by the composition root on the broker it built from the settings;
every message goes through this process's broker (no broker is global). Messages name
their task (`tasks.names`): the queue imports no task module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from taskiq import AsyncBroker
from tortoise.queryset import QuerySet

from core.models import PublishTarget, TargetStatus
from core.ports.queue import JobQueue
from core.target_states import now
from tasks import names
from tasks.broker import Outbox, queue_was_reset


class TaskQueue:
    """Queues publish and sync work on this process's broker (Redis Streams or in-process).

    A queued target carries a short ticket (`ticket`): if the queue loses the message
    (Redis came back empty), the sweeper notices on its next pass and queues the target
    again; a worker that takes the message up turns the ticket into a short lease it
    renews while it runs.
    """

    def __init__(self, broker: AsyncBroker, *, ticket_seconds: float) -> None:
        self.broker = broker
        self.outbox = Outbox(broker)
        #: how long a queued target is left to its message before the sweeper queues it again
        self.ticket = timedelta(seconds=ticket_seconds)

    async def start_job(self, job_id: int) -> None:
        """Queue a new or approved job."""
        await self._leave_ticket(PublishTarget.filter(job_id=job_id, status=TargetStatus.PENDING))
        await self.kiq(names.RUN_JOB, job_id)

    async def enqueue_targets(self, target_ids: Sequence[int]) -> None:
        """Queue targets one by one (retries, the sweeper's catch-up, a person's Retry)."""
        if not target_ids:
            return
        await self._leave_ticket(
            PublishTarget.filter(
                id__in=list(target_ids),
                status__in=[TargetStatus.PENDING, TargetStatus.RETRY_WAIT],
            )
        )
        for target_id in target_ids:
            await self.kiq(names.PUBLISH_TARGET, target_id)

    async def sync_account(self, account_id: int, reason: str) -> None:
        """Queue a listing of the account's new posts."""
        await self.send(names.INGEST_ACCOUNT, account_id, reason)

    async def send(self, task_name: str, *args: Any) -> None:
        """Queue the named task with `args` now; broker errors reach the caller."""
        await self.outbox.send(task_name, *args)

    async def kiq(self, task_name: str, *args: Any) -> None:
        """Queue the named task now, or through the outbox as soon as Redis answers."""
        await self.outbox.kiq(task_name, *args)

    async def was_reset(self) -> bool:
        """Whether Redis lost its data since the last look."""
        return await queue_was_reset(self.broker)

    async def _leave_ticket(self, targets: QuerySet[PublishTarget]) -> None:
        await targets.update(lease_until=now() + self.ticket)


def task_queue(queue: JobQueue) -> TaskQueue:
    """The task queue behind the services' `JobQueue` (for tasks that queue more tasks)."""
    if not isinstance(queue, TaskQueue):
        raise TypeError(f"tasks need the taskiq queue, not {type(queue).__name__}")
    return queue
