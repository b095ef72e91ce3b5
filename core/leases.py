"""Heartbeat leases: a worker renews the leases of the targets it runs while it lives.

A target's lease is short (`PUBLISH_LEASE_SECONDS`, 30 s by default), so the targets of a
worker that died are taken over within a minute; the worker that runs them renews every
lease it holds a third of a lease apart, in one statement for all of them, so a
20-minute upload keeps its target however long it takes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta

from core.models import PublishTarget, TargetStatus
from core.target_states import now

log = logging.getLogger(__name__)
#: a queue ticket (minutes long) becomes a short lease this soon after a worker picks the
#: work up: a worker that dies right after its pick-up must not leave minutes of ticket
FIRST_BEAT_SECONDS = 0.1
TICK_SECONDS = 1.0  # how often the heartbeat looks whether a renewal is due
RUNNING = (TargetStatus.PENDING, TargetStatus.PREPARING, TargetStatus.PUBLISHING)


class Leases:
    """The targets this process is running; their leases are renewed while it lives."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._held: Counter[int] = Counter()
        self._due = 0.0
        self._beat: asyncio.Task[None] | None = None

    def until(self) -> datetime:
        """The end of a lease taken or renewed now."""
        return now() + timedelta(seconds=self.seconds)

    @contextlib.asynccontextmanager
    async def holding(self, target_ids: Iterable[int]) -> AsyncIterator[None]:
        """Renew these targets' leases until the block ends (nesting is fine)."""
        ids = list(target_ids)
        loop = asyncio.get_running_loop()
        first_beat = loop.time() + FIRST_BEAT_SECONDS
        if not self._held:
            self._due = first_beat
        elif any(i not in self._held for i in ids):
            self._due = min(self._due, first_beat)
        self._held.update(ids)
        if self._beat is None or self._beat.done() or self._beat.get_loop() is not loop:
            self._beat = loop.create_task(self._beat_while_held())
        try:
            yield
        finally:
            self._held.subtract(ids)
            self._held = +self._held  # drop ids no longer held

    async def _beat_while_held(self) -> None:
        loop = asyncio.get_running_loop()
        while self._held:
            await asyncio.sleep(max(min(self._due - loop.time(), TICK_SECONDS), 0.0))
            if loop.time() < self._due or not self._held:
                continue
            try:
                await self.renew(list(self._held))
                self._due = loop.time() + self.seconds / 3
            except Exception as exc:  # noqa: BLE001 - the database is away: try each second
                log.warning("could not renew %d leases (%s); trying again", len(self._held), exc)
                self._due = loop.time() + TICK_SECONDS

    async def renew(self, target_ids: list[int]) -> int:
        """Extend the leases of these targets that are still running; how many were.

        On PostgreSQL a row another statement holds right now (its own transition, which
        sets the lease itself) is skipped, and rows are locked in id order: a heartbeat
        never deadlocks with the runner's statements.
        """
        meta = PublishTarget._meta
        if meta.db.capabilities.dialect != "postgres":
            return await PublishTarget.filter(id__in=target_ids, status__in=RUNNING).update(
                lease_until=self.until()
            )
        table = meta.db_table
        rows = await meta.db.execute_query_dict(
            f'UPDATE "{table}" SET "lease_until" = $1 WHERE "id" IN ('
            f'SELECT "id" FROM "{table}" WHERE "id" = ANY($2::int[]) AND "status" = ANY($3) '
            'ORDER BY "id" FOR UPDATE SKIP LOCKED) RETURNING "id"',
            [self.until(), sorted(target_ids), [s.value for s in RUNNING]],
        )
        return len(rows)
