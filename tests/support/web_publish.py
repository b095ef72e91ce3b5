"""Publish an asset to the brand's web feed through the running app's queue, and wait."""

from __future__ import annotations

from fastapi import FastAPI

from core.models import MediaAsset, PublishJob, User
from core.publishing import create_job
from core.tenancy import BrandScope
from tests.support.waiting import until


async def published_to_web(app: FastAPI, owner: User, asset: MediaAsset) -> PublishJob:
    """A job for the web feed, started on the app's queue; the job once it has ended."""
    job, _ = await create_job(
        BrandScope(owner),
        asset=asset,
        platforms=["web"],
        known_platforms=["web"],
        captions={},
        origin="test",
    )
    await app.state.services.queue.start_job(job.id)

    async def ended() -> PublishJob | None:
        done = await PublishJob.get(id=job.id)
        return done if done.status not in ("running", "scheduled") else None

    return await until(ended, "the job to end")
