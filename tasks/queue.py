"""The application layer's job queue (`core.ports.queue.JobQueue`) on the taskiq tasks."""

from __future__ import annotations

from collections.abc import Sequence


class TaskQueue:
    """Queues publish work through `tasks.publish` (Redis Streams or in-process)."""

    async def start_job(self, job_id: int) -> None:
        """Queue a new or approved job."""
        from tasks.publish import start_job

        await start_job(job_id)

    async def enqueue_targets(self, target_ids: Sequence[int]) -> None:
        """Queue single targets again."""
        from tasks.publish import enqueue_targets

        await enqueue_targets(list(target_ids))

    async def sync_account(self, account_id: int, reason: str) -> None:
        """Queue a listing of the account's new posts."""
        from tasks.ingest import ingest_account

        await ingest_account.kiq(account_id, reason)
