"""Publish tasks: a job prepares its media once and runs its targets; retries run alone."""

from __future__ import annotations

import asyncio
import logging
import time

from taskiq import TaskiqDepends

from core.models import PublishTarget
from core.publishing import jobs_due, next_lease_end
from core.target_states import now
from oneclick.services import Services
from tasks import names
from tasks.broker import BROKER_ERRORS, services_of, shared
from tasks.queue import TaskQueue, task_queue

log = logging.getLogger(__name__)
INLINE_RETRY_MAX_SECONDS = 60.0


@shared.task(task_name=names.RUN_JOB)
async def run_job(job_id: int, services: Services = TaskiqDepends(services_of)) -> None:
    """Make every format the job needs in one pass, then publish its targets concurrently.

    The targets run in this task (no second trip through the queue). A redelivered job
    runs only what is still pending; the sweeper takes up targets whose worker died
    mid-publish once their lease runs out.
    """
    targets = await services.runner.prepare_job(job_id)
    results = await asyncio.gather(
        *(_run_target(services, t.id, fetched=t) for t in targets), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result  # after every target had its turn


@shared.task(task_name=names.PUBLISH_TARGET)
async def publish_target(target_id: int, services: Services = TaskiqDepends(services_of)) -> None:
    """One attempt at one target (retries, the sweeper's catch-up, a person's Retry)."""
    await _run_target(services, target_id)


async def _run_target(
    services: Services, target_id: int, *, fetched: PublishTarget | None = None
) -> None:
    """Run the target; a short retry waits here, a long one for the sweeper."""
    outcome = await services.runner.run(target_id, fetched=fetched)
    if outcome.retry_in is not None and outcome.retry_in <= INLINE_RETRY_MAX_SECONDS:
        await asyncio.sleep(outcome.retry_in)
        await services.queue.enqueue_targets([target_id])


async def sweep_once(queue: TaskQueue, *, take_over: bool = True) -> int:
    """Queue everything due: scheduled jobs, retries, targets whose worker died, and
    after Redis came back empty, what was waiting in it."""
    try:
        reset = await queue.was_reset()
    except BROKER_ERRORS:
        reset = False  # Redis is away: the outbox holds what we queue; look next pass
    due = await jobs_due(ignore_tickets=reset, take_over=take_over)
    if reset and due:
        log.warning(
            "Redis is new or came back empty (messages not yet read are gone): "
            "queuing %d targets again",
            len(due),
        )
    await queue.enqueue_targets(due)
    return len(due)


async def run_sweeper(services: Services) -> None:
    """Sweep forever (inside `oneclick run` and `oneclick scheduler`).

    The next pass comes when the first lease runs out, if that is sooner than `interval`,
    so a dead worker's targets are taken over promptly. After a pass failed (the database
    was away), expired leases wait one lease period before they are taken over: the
    workers' heartbeats could not land meanwhile.
    """
    interval = services.settings.sweep_interval_seconds
    lease = services.settings.publish_lease_seconds
    failed_at = -float(lease)
    while True:
        wait = interval
        try:
            take_over = time.monotonic() - failed_at >= lease
            count = await sweep_once(task_queue(services.queue), take_over=take_over)
            if count:
                log.info("sweeper queued %d targets", count)
            ends = await next_lease_end() if take_over else None
            if ends is not None:
                wait = min(interval, max((ends - now()).total_seconds() + 0.5, 1.0))
        except Exception:  # the loop must survive a database hiccup
            log.exception("sweeper pass failed")
            failed_at = time.monotonic()
        await asyncio.sleep(wait)
