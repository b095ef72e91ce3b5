"""Publish jobs: the list, one job with live target status, retry, approve/reject, and the
two buttons of a target whose outcome is unknown (Mark as posted, Publish again)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response

from core.app.actor import Actor
from core.app.roles import Action
from core.errors import InvalidInput, NotFound
from core.models import Brand, JobStatus, PublishJob, PublishTarget, TargetStatus
from core.safe_links import shown_link
from core.target_states import ENDED
from webapp.actors import WebActor
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, brand_view, flash, redirect, render
from webapp.session import require_csrf

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)
JOBS_PAGE = 50

TARGET_WORDS = {
    TargetStatus.PENDING: ("⏳", "Waiting in the queue"),
    TargetStatus.PREPARING: ("⚙️", "Preparing the media"),
    TargetStatus.PUBLISHING: ("📤", "Publishing"),
    TargetStatus.RETRY_WAIT: ("🔁", "Will try again shortly"),
    TargetStatus.PUBLISHED: ("✅", "Published"),
    TargetStatus.FAILED: ("❌", "Failed"),
    TargetStatus.NEEDS_RECONNECT: ("🔌", "Needs the account reconnected"),
    TargetStatus.CANCELLED: ("⛔", "Cancelled"),
    TargetStatus.UNKNOWN: ("❓", "Unknown: check the account"),
}
JOB_WORDS = {
    JobStatus.SCHEDULED: ("🕒", "Scheduled"),
    JobStatus.AWAITING_APPROVAL: ("✋", "Waiting for approval"),
    JobStatus.RUNNING: ("⏳", "In progress"),
    JobStatus.PUBLISHED: ("✅", "Published everywhere"),
    JobStatus.PARTIAL: ("⚠️", "Published in some places"),
    JobStatus.FAILED: ("❌", "Failed"),
    JobStatus.CANCELLED: ("⛔", "Cancelled"),
    JobStatus.REJECTED: ("🚫", "Rejected"),
}
JOB_ENDED = {
    JobStatus.PUBLISHED,
    JobStatus.PARTIAL,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
    JobStatus.REJECTED,
}


def target_view(t: PublishTarget, label: str, *, may_retry: bool = True) -> dict[str, Any]:
    """What the page and the JSON poll show for one target (`may_retry`: the person's role
    lets them retry or resolve it, so its buttons show)."""
    icon, words = TARGET_WORDS.get(TargetStatus(t.status), ("", str(t.status)))
    if t.status == TargetStatus.UNKNOWN and t.platform == "telegram":
        words = "Unknown: check the channel"
    return {
        "id": t.id,
        "platform": t.platform,
        "label": label,
        "status": t.status.value,
        "icon": icon,
        "words": words,
        "progress": 100 if t.status in ENDED else t.progress,
        "url": shown_link(t.external_url),
        "error": t.error,
        "attempts": t.attempts,
        "can_retry": may_retry and t.status in (TargetStatus.FAILED, TargetStatus.NEEDS_RECONNECT),
        "can_resolve": may_retry and t.status == TargetStatus.UNKNOWN,
    }


def job_view(
    job: PublishJob, targets: list[PublishTarget], services: ServicesDep, actions: frozenset[Action]
) -> dict[str, Any]:
    """A job with its targets, for the page and the poll."""
    icon, words = JOB_WORDS.get(JobStatus(job.status), ("", str(job.status)))

    def label(platform: str) -> str:
        try:
            return services.connectors.get(platform).label
        except InvalidInput:  # a removed connector still shows its jobs
            return platform

    may_retry = Action.RETRY in actions
    return {
        "id": job.id,
        "status": job.status.value,
        "icon": icon,
        "words": words,
        "progress": job.progress,
        "ended": job.status in JOB_ENDED,
        "created_at": job.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        "targets": [target_view(t, label(t.platform), may_retry=may_retry) for t in targets],
    }


async def _job(
    actor: Actor, brand_id: int, job_id: int
) -> tuple[Brand, frozenset[Action], PublishJob]:
    brand, actions = await brand_view(actor, brand_id)
    job = await actor.scope.job(job_id)
    if job.brand_id != brand.id:
        raise NotFound("Job not found.")
    return brand, actions, job


async def _target(actor: Actor, brand_id: int, target_id: int) -> PublishTarget:
    target = await actor.scope.target(target_id)
    if target.brand_id != brand_id:
        raise NotFound("Target not found.")
    return target


@router.get("/brands/{brand_id}/jobs")
async def jobs_page(
    request: Request, brand_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """The brand's latest jobs."""
    brand, actions = await brand_view(actor, brand_id)
    jobs = (
        await PublishJob.filter(brand_id=brand.id)
        .order_by("-created_at", "-id")
        .limit(JOBS_PAGE)
        .prefetch_related("asset")
    )
    targets = await PublishTarget.filter(job_id__in=[j.id for j in jobs]).order_by("id")
    views = []
    for job in jobs:
        view = job_view(job, [t for t in targets if t.job_id == job.id], services, actions)
        view["asset_name"] = job.asset.file_name or job.asset.kind.value
        views.append(view)
    return render(request, "pages/jobs.html", brand=brand, jobs=views)


@router.get("/brands/{brand_id}/jobs/{job_id}.json")
async def job_status(
    brand_id: int, job_id: int, actor: WebActor, services: ServicesDep
) -> dict[str, Any]:
    """The job's live status, polled by the job page."""
    _, actions, job = await _job(actor, brand_id, job_id)
    targets = await PublishTarget.filter(job_id=job.id).order_by("id")
    return job_view(job, targets, services, actions)


@router.get("/brands/{brand_id}/jobs/{job_id}")
async def job_page(
    request: Request, brand_id: int, job_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """One job with each network's status, progress, link and error."""
    brand, actions, job = await _job(actor, brand_id, job_id)
    targets = await PublishTarget.filter(job_id=job.id).order_by("id")
    await job.fetch_related("asset")
    return render(
        request,
        "pages/job.html",
        brand=brand,
        job=job_view(job, targets, services, actions),
        asset=job.asset,
        actions=actions,
        awaiting=job.status == JobStatus.AWAITING_APPROVAL,
    )


@router.post("/brands/{brand_id}/targets/{target_id}/retry", dependencies=[Csrf])
async def retry(
    request: Request, brand_id: int, target_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """Queue a failed network again (an unknown one: "Publish again")."""
    target = await _target(actor, brand_id, target_id)
    again = target.status == TargetStatus.UNKNOWN
    await services.publishing.retry(actor, target_id=target.id)
    flash(
        request,
        f"Publishing on {target.platform} again." if again else f"Trying {target.platform} again.",
    )
    return redirect(f"/brands/{brand_id}/jobs/{target.job_id}")


@router.post("/brands/{brand_id}/targets/{target_id}/mark-posted", dependencies=[Csrf])
async def mark_posted(
    request: Request,
    brand_id: int,
    target_id: int,
    actor: WebActor,
    services: ServicesDep,
    url: Annotated[str, Form()] = "",
) -> Response:
    """Mark as posted: a person saw the post whose outcome was unknown."""
    target = await _target(actor, brand_id, target_id)
    await services.publishing.resolve(actor, target_id=target.id, posted=True, url=url)
    flash(request, f"Marked as posted on {target.platform}.")
    return redirect(f"/brands/{brand_id}/jobs/{target.job_id}")


@router.post("/brands/{brand_id}/jobs/{job_id}/decide", dependencies=[Csrf])
async def decide_job(
    request: Request,
    brand_id: int,
    job_id: int,
    actor: WebActor,
    services: ServicesDep,
    decision: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    """An approver approves (publishing starts) or rejects a waiting job."""
    _, _, job = await _job(actor, brand_id, job_id)
    approve = decision == "approve"
    job = await services.publishing.decide(actor, job_id=job.id, approve=approve, note=note)
    flash(request, "Approved: publishing now." if approve else "Rejected.")
    return redirect(f"/brands/{brand_id}/jobs/{job.id}")
