"""Publish requests: jobs with one target per platform account, approvals, retries."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import audit, notify
from core.columns import column
from core.errors import Conflict, Forbidden, InvalidInput
from core.models import (
    AccountStatus,
    AssetSource,
    Brand,
    JobStatus,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SocialAccount,
    TargetStatus,
)
from core.target_states import now, refresh_job, transition
from core.tenancy import BrandScope, can_approve
from core.unknown_targets import resolve_unknown

MAX_PLATFORMS = 20
#: sources that are posts of a network → that network (never offered back to where it came from)
SOURCE_PLATFORMS = {AssetSource.INSTAGRAM.value: "instagram"}


def default_platforms(asset: MediaAsset, offered: Sequence[str]) -> list[str]:
    """The networks ticked at first on a card or form: all offered but the asset's source."""
    source = SOURCE_PLATFORMS.get(str(asset.source))
    return [p for p in offered if p != source]


async def accounts_for(
    brand: Brand, platforms: Sequence[str], known_platforms: Sequence[str]
) -> list[SocialAccount]:
    """The brand's usable accounts of each requested platform, or a clear error."""
    if not platforms:
        raise InvalidInput("Choose at least one platform to publish to.")
    if len(platforms) > MAX_PLATFORMS:
        raise InvalidInput("Too many platforms in one request.")
    chosen: list[SocialAccount] = []
    for platform in dict.fromkeys(platforms):
        if platform not in known_platforms:
            raise InvalidInput(
                f"Unknown platform '{platform}'. Known: {', '.join(known_platforms)}."
            )
        accounts = await SocialAccount.filter(brand_id=brand.id, platform=platform).exclude(
            status=AccountStatus.DISCONNECTED
        )
        if not accounts:
            raise InvalidInput(
                f"{platform} is not connected for this brand. Connect it on the "
                "brand's Connections page first."
            )
        chosen.extend(accounts)
    return chosen


def scoped_key(idempotency_key: str | None, *, brand_id: int) -> str | None:
    """The stored form of a caller's idempotency key: one brand's, fixed length.

    Keys are unique across the table, so the brand is part of the digest: the same key
    in two brands names two jobs, and a key of any length fits the column.
    """
    if not idempotency_key:
        return None
    digest = hashlib.sha256(f"{brand_id}\n{idempotency_key}".encode()).hexdigest()
    return f"b{brand_id}:{digest}"


async def existing_job(idempotency_key: str | None, *, brand_id: int) -> PublishJob | None:
    """The job already made with this idempotency key in this brand, if any."""
    if not idempotency_key:
        return None
    return await PublishJob.get_or_none(
        idempotency_key=scoped_key(idempotency_key, brand_id=brand_id), brand_id=brand_id
    )


async def create_job(
    scope: BrandScope,
    *,
    asset: MediaAsset,
    platforms: Sequence[str],
    known_platforms: Sequence[str],
    captions: Mapping[str, str],
    origin: str,
    publish_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> tuple[PublishJob, bool]:
    """A job for the asset with one target per account; (job, created).

    The same idempotency key returns the existing job instead of a second one, so a
    double tap or a retried request never publishes twice. When the brand requires
    approval and the actor is not an approver, the job waits for approval.
    """
    existing = await existing_job(idempotency_key, brand_id=asset.brand_id)
    if existing:
        return existing, False
    stored_key = scoped_key(idempotency_key, brand_id=asset.brand_id)
    brand = await scope.brand(asset.brand_id)
    role = await scope.role(brand.id)
    if publish_at is not None and publish_at.tzinfo is None:
        raise InvalidInput("publish_at needs a time zone offset, e.g. 2026-12-01T09:00:00Z.")
    accounts = await accounts_for(brand, platforms, known_platforms)
    needs_approval = brand.approval_required and not can_approve(role)
    status = JobStatus.AWAITING_APPROVAL if needs_approval else JobStatus.RUNNING
    try:
        async with in_transaction():
            job = await PublishJob.create(
                brand=brand,
                asset=asset,
                created_by=scope.user,
                status=status,
                publish_at=publish_at,
                origin=origin,
                idempotency_key=stored_key,
            )
            for account in accounts:
                await PublishTarget.create(
                    brand=brand,
                    job=job,
                    account=account,
                    platform=account.platform,
                    caption=captions.get(account.platform, asset.original_caption),
                )
            await audit.record(
                "job.created",
                actor=scope.user,
                brand=brand,
                obj=job,
                origin=origin,
                details={"platforms": list(platforms), "awaiting_approval": needs_approval},
            )
    except IntegrityError:
        if stored_key:
            job = await PublishJob.get(idempotency_key=stored_key, brand_id=asset.brand_id)
            return job, False
        raise
    job = await refresh_job(job.id)
    if needs_approval:
        await notify.approval_needed(job)
    return job, True


async def decide(
    scope: BrandScope, job: PublishJob, *, approve: bool, origin: str, note: str = ""
) -> PublishJob:
    """An approver approves (the job starts) or rejects (targets cancelled) a pending job."""
    role = await scope.role(job.brand_id)
    if not can_approve(role):
        raise Forbidden("Only the brand's approvers can approve or reject.")
    new_status = JobStatus.RUNNING if approve else JobStatus.REJECTED
    decided = await PublishJob.filter(id=job.id, status=JobStatus.AWAITING_APPROVAL).update(
        status=new_status, approved_by_id=scope.user.id, decided_at=now(), decision_note=note
    )
    if not decided:
        raise Conflict("This item was already decided.")
    await audit.record(
        "job.approved" if approve else "job.rejected",
        actor=scope.user,
        brand=job.brand_id,
        obj=job,
        origin=origin,
        details={"note": note},
    )
    if not approve:
        for target in await PublishTarget.filter(job_id=job.id, status=TargetStatus.PENDING):
            await transition(target, TargetStatus.CANCELLED, origin=origin)
    return await refresh_job(job.id)


async def retry_target(scope: BrandScope, target: PublishTarget, *, origin: str) -> PublishTarget:
    """Put a failed (or reconnect-waiting) target back in the queue.

    An unknown target is a person's "Publish again" (`core.unknown_targets`).
    """
    if target.status == TargetStatus.UNKNOWN:
        return await resolve_unknown(scope, target, posted=False, origin=origin)
    await scope.brand(target.brand_id)
    if target.status not in (TargetStatus.FAILED, TargetStatus.NEEDS_RECONNECT):
        raise Conflict(f"Only failed targets can be retried; this one is {target.status}.")
    ok = await transition(
        target,
        TargetStatus.PENDING,
        origin=origin,
        actor_id=scope.user.id,
        error="",
        error_code="",
        lease_until=None,
        next_attempt_at=None,
        progress=0,
    )
    if not ok:
        raise Conflict("The target changed meanwhile; reload and try again.")
    return target


async def jobs_due(
    limit: int = 500, *, ignore_tickets: bool = False, take_over: bool = True
) -> list[int]:
    """Ids of targets the queue should run now (new, due retries, stale leases).

    `ignore_tickets`: the queue lost its messages (Redis came back empty), so targets
    queued a moment ago are due again. `take_over=False` leaves expired leases alone (the
    database was away, so their workers' heartbeats could not land).
    """
    t = now()
    ready = (
        await PublishTarget.filter(
            status__in=[TargetStatus.PENDING, TargetStatus.RETRY_WAIT],
            job__status__in=[
                JobStatus.RUNNING,
                JobStatus.SCHEDULED,
                JobStatus.PARTIAL,
                JobStatus.FAILED,
            ],
        )
        .select_related("job")
        .limit(limit * 2)
    )
    due: list[int] = []
    for target in ready:
        if target.job.publish_at and target.job.publish_at > t:
            continue
        if target.status == TargetStatus.RETRY_WAIT and (target.next_attempt_at or t) > t:
            continue
        if target.lease_until and target.lease_until > t and not ignore_tickets:
            continue
        due.append(target.id)
    if not take_over:
        return due[:limit]
    stale = await column(
        PublishTarget.filter(
            status__in=[TargetStatus.PREPARING, TargetStatus.PUBLISHING], lease_until__lt=t
        )
        .limit(limit)
        .values_list("id", flat=True),
        int,
    )
    return (due + stale)[:limit]


async def next_lease_end() -> datetime | None:
    """When the first lease of a running (or queued) target runs out, if any does."""
    ends = await column(
        PublishTarget.filter(
            status__in=[TargetStatus.PENDING, TargetStatus.PREPARING, TargetStatus.PUBLISHING],
            lease_until__isnull=False,
        )
        .order_by("lease_until")
        .limit(1)
        .values_list("lease_until", flat=True),
        datetime,
    )
    return ends[0] if ends else None
