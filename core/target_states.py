"""The persisted state machine of a publish target, and the job status derived from it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core import audit
from core.models import JobStatus, PublishJob, PublishTarget, TargetStatus

T = TargetStatus

ALLOWED: dict[TargetStatus, frozenset[TargetStatus]] = {
    T.PENDING: frozenset({T.PREPARING, T.CANCELLED, T.FAILED}),
    T.PREPARING: frozenset({T.PREPARING, T.PUBLISHING, T.PUBLISHED, T.RETRY_WAIT, T.FAILED,
                            T.NEEDS_RECONNECT, T.CANCELLED}),
    T.PUBLISHING: frozenset({T.PREPARING, T.PUBLISHED, T.RETRY_WAIT, T.FAILED,
                             T.NEEDS_RECONNECT}),
    T.RETRY_WAIT: frozenset({T.PREPARING, T.CANCELLED, T.FAILED}),
    T.FAILED: frozenset({T.PENDING}),
    T.NEEDS_RECONNECT: frozenset({T.PENDING}),
    T.PUBLISHED: frozenset(),
    T.CANCELLED: frozenset(),
}
ENDED = frozenset({T.PUBLISHED, T.FAILED, T.NEEDS_RECONNECT, T.CANCELLED})
ACTIVE = frozenset({T.PREPARING, T.PUBLISHING})
REFRESH_ATTEMPTS = 5


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


async def transition(
    target: PublishTarget,
    to: TargetStatus,
    *,
    origin: str = "worker",
    actor_id: int | None = None,
    **fields: Any,
) -> bool:
    """Move the target from its current (loaded) state to `to`, atomically.

    The UPDATE is conditional on the state and attempt count the caller saw, so two
    workers can never both win; the loser gets False and must leave the target alone.
    """
    frm = TargetStatus(target.status)
    if to not in ALLOWED[frm]:
        raise ValueError(f"target {target.id}: {frm} -> {to} is not a legal transition")
    updated = await PublishTarget.filter(
        id=target.id, status=frm, attempts=target.attempts
    ).update(status=to, updated_at=now(), **fields)
    if not updated:
        return False
    target.status = to
    for key, value in fields.items():
        setattr(target, key, value)
    if to != frm:
        await audit.record(
            f"target.{to.value}", actor=None, brand=target.brand_id, obj=target, origin=origin,
            details={"from": frm.value, "platform": target.platform,
                     **({"actor_id": actor_id} if actor_id else {}),
                     **({"error": target.error} if to in (T.FAILED, T.RETRY_WAIT) else {})})
        if to in ENDED or frm in ENDED or to == T.PENDING:
            # a job's status only moves when a target ends or is retried (and when a
            # scheduled job's first target starts, which the runner refreshes itself);
            # in-between steps (preparing → publishing …) cannot change it
            await refresh_job(target.job_id)
    return True


def derive_job_status(job: PublishJob, statuses: list[TargetStatus]) -> JobStatus:
    """A job's status from its targets' states."""
    if job.status in (JobStatus.AWAITING_APPROVAL, JobStatus.REJECTED):
        return JobStatus(job.status)
    if statuses and all(s == T.CANCELLED for s in statuses):
        return JobStatus.CANCELLED
    if not all(s in ENDED for s in statuses):
        if job.publish_at and job.publish_at > now() and all(s == T.PENDING for s in statuses):
            return JobStatus.SCHEDULED
        return JobStatus.RUNNING
    published = sum(1 for s in statuses if s == T.PUBLISHED)
    if published == len([s for s in statuses if s != T.CANCELLED]):
        return JobStatus.PUBLISHED
    return JobStatus.PARTIAL if published else JobStatus.FAILED


async def refresh_job(job_id: int) -> PublishJob:
    """Recompute and store a job's status and progress from its targets.

    The write is conditional on the values read: when two targets end at the same moment,
    a refresh that read before the other target ended cannot overwrite the newer status;
    it reads again instead.
    """
    for _ in range(REFRESH_ATTEMPTS):
        job = await PublishJob.get(id=job_id)
        targets = await PublishTarget.filter(job_id=job_id).values("status", "progress")
        statuses = [TargetStatus(t["status"]) for t in targets]
        status = derive_job_status(job, statuses)
        progress = 0
        if targets:
            progress = round(sum(100 if TargetStatus(t["status"]) in ENDED else t["progress"]
                                 for t in targets) / len(targets))
        if status == job.status and progress == job.progress:
            return job
        written = await PublishJob.filter(id=job_id, status=job.status, progress=job.progress
                                          ).update(status=status, progress=progress,
                                                   updated_at=now())
        if not written:
            continue  # another refresh moved the job meanwhile: derive it again
        if status != job.status:
            await audit.record(f"job.{status.value}", actor=None, brand=job.brand_id, obj=job,
                               origin="worker")
        job.status, job.progress = status, progress
        return job
    return await PublishJob.get(id=job_id)
