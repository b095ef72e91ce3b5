"""The persisted state machine of a publish target, and the job status derived from it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from core import audit
from core.coalesce import Coalescer, inside_transaction
from core.models import JobStatus, PublishJob, PublishTarget, TargetStatus

T = TargetStatus

ALLOWED: dict[TargetStatus, frozenset[TargetStatus]] = {
    T.PENDING: frozenset({T.PREPARING, T.CANCELLED, T.FAILED}),
    T.PREPARING: frozenset(
        {
            T.PREPARING,
            T.PUBLISHING,
            T.PUBLISHED,
            T.RETRY_WAIT,
            T.FAILED,
            T.NEEDS_RECONNECT,
            T.CANCELLED,
            T.UNKNOWN,
        }
    ),
    T.PUBLISHING: frozenset(
        {T.PREPARING, T.PUBLISHED, T.RETRY_WAIT, T.FAILED, T.NEEDS_RECONNECT, T.UNKNOWN}
    ),
    T.RETRY_WAIT: frozenset({T.PREPARING, T.CANCELLED, T.FAILED}),
    T.FAILED: frozenset({T.PENDING}),
    T.NEEDS_RECONNECT: frozenset({T.PENDING}),
    # the platform may or may not have posted it and we cannot look: only a person moves
    # it on, to "published" (Mark as posted) or back to "pending" (Publish again)
    T.UNKNOWN: frozenset({T.PUBLISHED, T.PENDING}),
    T.PUBLISHED: frozenset(),
    T.CANCELLED: frozenset(),
}
# no worker acts on these any more (UNKNOWN waits for a person's decision)
ENDED = frozenset({T.PUBLISHED, T.FAILED, T.NEEDS_RECONNECT, T.CANCELLED, T.UNKNOWN})
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
    details: dict[str, Any] = {"from": frm.value, "platform": target.platform}
    if actor_id:
        details["actor_id"] = actor_id
    if to in (T.FAILED, T.RETRY_WAIT, T.UNKNOWN):
        details["error"] = fields.get("error", target.error)
    moved = await audit.update_audited(
        PublishTarget,
        target.id,
        expect={"status": frm, "attempts": target.attempts},
        values={"status": to, "updated_at": now(), **fields},
        action=f"target.{to.value}" if to != frm else None,
        brand_id=target.brand_id,
        origin=origin,
        details=details,
    )
    if not moved:
        return False
    target.status = to
    for key, value in fields.items():
        setattr(target, key, value)
    if to != frm and (to in ENDED or frm in ENDED or to == T.PENDING):
        # a job's status only moves when a target ends or is retried (and when a
        # scheduled job's first target starts, which the runner settles itself);
        # in-between steps (preparing → publishing …) cannot change it
        await settle_job(target.job_id)
    return True


def derive_job_status(
    current: JobStatus, publish_at: datetime | None, statuses: list[TargetStatus]
) -> JobStatus:
    """A job's status from its targets' states (`current` and `publish_at` are the job's)."""
    if current in (JobStatus.AWAITING_APPROVAL, JobStatus.REJECTED):
        return JobStatus(current)
    if statuses and all(s == T.CANCELLED for s in statuses):
        return JobStatus.CANCELLED
    if not all(s in ENDED for s in statuses):
        if publish_at and publish_at > now() and all(s == T.PENDING for s in statuses):
            return JobStatus.SCHEDULED
        return JobStatus.RUNNING
    published = sum(1 for s in statuses if s == T.PUBLISHED)
    if published == len([s for s in statuses if s != T.CANCELLED]):
        return JobStatus.PUBLISHED
    return JobStatus.PARTIAL if published else JobStatus.FAILED


async def settle_job(job_id: int) -> None:
    """Recompute and store a job's status and progress from its targets.

    One read (the job and its targets, joined); the write is conditional on the values
    read, so when two targets end at the same moment, a refresh that read before the
    other target ended cannot overwrite the newer status: it reads again instead.
    """
    for _ in range(REFRESH_ATTEMPTS):
        rows = await _job_rows(job_id)
        if not rows:
            return
        current, progress_now = JobStatus(rows[0]["job__status"]), rows[0]["job__progress"]
        statuses = [TargetStatus(r["status"]) for r in rows]
        status = derive_job_status(current, rows[0]["job__publish_at"], statuses)
        progress = round(
            sum(100 if TargetStatus(r["status"]) in ENDED else r["progress"] for r in rows)
            / len(rows)
        )
        if status == current and progress == progress_now:
            return
        if await audit.update_audited(
            PublishJob,
            job_id,
            expect={"status": current, "progress": progress_now},
            values={"status": status, "progress": progress, "updated_at": now()},
            action=f"job.{status.value}" if status != current else None,
            brand_id=rows[0]["brand_id"],
            origin="worker",
            details={},
        ):
            return
        # another refresh moved the job meanwhile: derive it again


async def _read_jobs(job_ids: Sequence[int]) -> list[list[dict[str, Any]]]:
    """For each job, its targets' states with the job's own (one joined read for all)."""
    rows = await PublishTarget.filter(job_id__in=set(job_ids)).values(
        "job_id",
        "status",
        "progress",
        "job__status",
        "job__progress",
        "job__publish_at",
        "brand_id",
    )
    by_job: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_job.setdefault(row["job_id"], []).append(row)
    return [by_job.get(job_id, []) for job_id in job_ids]


_job_rows: Coalescer[int, list[dict[str, Any]]] = Coalescer(
    _read_jobs, alone_when=inside_transaction(PublishTarget)
)


async def refresh_job(job_id: int) -> PublishJob:
    """Settle the job's status and progress, and return it."""
    await settle_job(job_id)
    return await PublishJob.get(id=job_id)
