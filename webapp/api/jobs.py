"""`/api/v1/jobs`: job status, retry of a failed target, and the decision on an unknown
one (`mark-posted`, or `retry` to publish it again)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core.models import PublishTarget
from core.unknown_targets import URL_MAX
from webapp.actors import ApiActor
from webapp.api.schemas import POST_LINK, JobOut, TargetOut
from webapp.deps import ScopeDep, ServicesDep
from webapp.openapi import refusals

router = APIRouter(prefix="/api/v1", tags=["jobs"])


@router.get("/jobs/{job_id}", response_model=JobOut)
async def get_job(job_id: int, scope: ScopeDep) -> JobOut:
    """A job and its targets: platform, status, progress, external_url, error."""
    job = await scope.job(job_id)
    targets = await PublishTarget.filter(job_id=job.id).order_by("id")
    return JobOut.of(job, targets)


@router.post(
    "/targets/{target_id}/retry",
    response_model=TargetOut,
    status_code=202,
    responses=refusals(403, 409),
)
async def retry(target_id: int, actor: ApiActor, services: ServicesDep) -> TargetOut:
    """Queue a failed target again; for an unknown one this is "Publish again"."""
    return TargetOut.of(await services.publishing.retry(actor, target_id=target_id))


class MarkPosted(BaseModel):
    """The optional link of the post a person found."""

    url: str = Field(default="", max_length=URL_MAX, json_schema_extra=POST_LINK)


@router.post(
    "/targets/{target_id}/mark-posted", response_model=TargetOut, responses=refusals(403, 409)
)
async def mark_posted(
    target_id: int, actor: ApiActor, services: ServicesDep, body: MarkPosted | None = None
) -> TargetOut:
    """Mark an unknown target as posted (a person saw the post on the network)."""
    target = await services.publishing.resolve(
        actor, target_id=target_id, posted=True, url=body.url if body else ""
    )
    return TargetOut.of(target)
