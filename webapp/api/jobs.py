"""`/api/v1/jobs`: job status, and retry of a failed target."""

from __future__ import annotations

from fastapi import APIRouter

from core.models import PublishTarget
from core.publishing import retry_target
from tasks.publish import enqueue_targets
from webapp.api.schemas import JobOut, TargetOut
from webapp.deps import ScopeDep

router = APIRouter(prefix="/api/v1", tags=["jobs"])


@router.get("/jobs/{job_id}", response_model=JobOut)
async def get_job(job_id: int, scope: ScopeDep) -> JobOut:
    """A job and its targets: platform, status, progress, external_url, error."""
    job = await scope.job(job_id)
    targets = await PublishTarget.filter(job_id=job.id).order_by("id")
    return JobOut.of(job, targets)


@router.post("/targets/{target_id}/retry", response_model=TargetOut, status_code=202)
async def retry(target_id: int, scope: ScopeDep) -> TargetOut:
    """Queue a failed target again."""
    target = await scope.target(target_id)
    target = await retry_target(scope, target, origin="api")
    await enqueue_targets([target.id])
    return TargetOut.of(target)
