"""The job queue as the application layer sees it (implemented in `tasks/`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class JobQueue(Protocol):
    """Hands publish and sync work to the workers; never loses it (the database holds the truth)."""

    async def start_job(self, job_id: int) -> None:
        """Queue a new or approved job (all its pending targets)."""

    async def enqueue_targets(self, target_ids: Sequence[int]) -> None:
        """Queue single targets again (a person's Retry, the sweeper's catch-up)."""

    async def sync_account(self, account_id: int, reason: str) -> None:
        """Queue a listing of a connected account's new posts ("connect", "manual")."""
