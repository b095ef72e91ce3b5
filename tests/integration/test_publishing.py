"""Publish requests: idempotency, approvals, scheduling, clear refusals (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.brands import create_brand
from core.errors import Conflict, Forbidden, InvalidInput
from core.intake import file_chunks, ingest_media
from core.models import BrandMember, JobStatus, PublishTarget, Role, TargetStatus
from core.publishing import create_job, decide, jobs_due
from core.target_states import now
from core.tenancy import BrandScope
from core.users import create_user
from tests.support.media import make_jpeg

PLATFORMS = ["web", "instagram"]


@pytest.fixture
async def world(any_db_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    owner = await create_user("owner@example.com", "long enough pw", origin="test")
    editor = await create_user("editor@example.com", "long enough pw", origin="test")
    brand = await create_brand(owner, "Acme")
    await BrandMember.create(brand=brand, user=editor, role=Role.EDITOR)
    photo = make_jpeg(tmp_path / "p.jpg")
    asset = await ingest_media(
        any_db_settings,
        brand=brand,
        chunks=file_chunks(photo),
        file_name="p.jpg",
        caption="Hi",
        actor=owner,
        origin="test",
    )
    return owner, editor, brand, asset


async def _job(user, asset, **kwargs):  # type: ignore[no-untyped-def]
    return await create_job(
        BrandScope(user),
        asset=asset,
        platforms=kwargs.pop("platforms", ["web"]),
        known_platforms=PLATFORMS,
        captions={},
        origin="test",
        **kwargs,
    )


async def test_same_idempotency_key_same_job(world) -> None:  # type: ignore[no-untyped-def]
    owner, _, _, asset = world
    first, created = await _job(owner, asset, idempotency_key="tap-1")
    again, created_again = await _job(owner, asset, idempotency_key="tap-1")
    assert created and not created_again and first.id == again.id
    assert await PublishTarget.filter(job_id=first.id).count() == 1


async def test_non_approver_waits_for_approval(world) -> None:  # type: ignore[no-untyped-def]
    owner, editor, brand, asset = world
    brand.approval_required = True
    await brand.save()
    job, _ = await _job(editor, asset)
    assert job.status == JobStatus.AWAITING_APPROVAL
    target = await PublishTarget.get(job_id=job.id)
    assert target.id not in await jobs_due()
    with pytest.raises(Forbidden):
        await decide(BrandScope(editor), job, approve=True, origin="test")
    job = await decide(BrandScope(owner), job, approve=True, origin="test", note="ok")
    assert job.status == JobStatus.RUNNING and target.id in await jobs_due()
    with pytest.raises(Conflict):
        await decide(BrandScope(owner), job, approve=False, origin="test")


async def test_rejection_cancels_targets(world) -> None:  # type: ignore[no-untyped-def]
    owner, editor, brand, asset = world
    brand.approval_required = True
    await brand.save()
    job, _ = await _job(editor, asset)
    job = await decide(BrandScope(owner), job, approve=False, origin="test", note="off-brand")
    assert job.status == JobStatus.REJECTED
    target = await PublishTarget.get(job_id=job.id)
    assert target.status == TargetStatus.CANCELLED


async def test_scheduled_job_waits_for_its_time(world) -> None:  # type: ignore[no-untyped-def]
    owner, _, _, asset = world
    job, _ = await _job(owner, asset, publish_at=now() + timedelta(hours=1))
    assert job.status == JobStatus.SCHEDULED
    target = await PublishTarget.get(job_id=job.id)
    assert target.id not in await jobs_due()
    job.publish_at = now() - timedelta(seconds=1)
    await job.save()
    assert target.id in await jobs_due()


async def test_unconnected_or_unknown_platform_is_refused_plainly(world) -> None:  # type: ignore[no-untyped-def]
    owner, _, _, asset = world
    with pytest.raises(InvalidInput, match="instagram is not connected"):
        await _job(owner, asset, platforms=["web", "instagram"])
    with pytest.raises(InvalidInput, match="Unknown platform 'myspace'"):
        await _job(owner, asset, platforms=["myspace"])
    with pytest.raises(InvalidInput, match="time zone"):
        from datetime import datetime

        await _job(owner, asset, publish_at=datetime(2030, 1, 1))
