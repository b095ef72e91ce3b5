"""Heartbeat lease renewal: running targets renewed; on PostgreSQL a row another
statement holds is skipped instead of waited for (no deadlock with the runner)."""

from __future__ import annotations

from pathlib import Path

from core.brands import create_brand
from core.intake import file_chunks, ingest_media
from core.leases import Leases
from core.models import PublishTarget, SocialAccount, TargetStatus
from core.publishing import create_job
from core.tenancy import BrandScope
from core.users import create_user
from tests.support.media import make_jpeg


async def _targets(settings, tmp_path: Path) -> list[PublishTarget]:  # type: ignore[no-untyped-def]
    user = await create_user("owner@example.com", "long enough pw", origin="test")
    brand = await create_brand(user, "Acme")
    await SocialAccount.create(brand=brand, platform="web", external_id="second")
    photo = make_jpeg(tmp_path / "p.jpg")
    asset = await ingest_media(
        settings,
        brand=brand,
        chunks=file_chunks(photo),
        file_name="p.jpg",
        caption="Hi",
        actor=user,
        origin="test",
    )
    job, _ = await create_job(
        BrandScope(user),
        asset=asset,
        platforms=["web"],
        known_platforms=["web"],
        captions={"web": "Hi"},
        origin="test",
    )
    return list(await PublishTarget.filter(job_id=job.id).order_by("id"))


async def test_renew_extends_running_targets_only(any_db_settings, tmp_path: Path) -> None:
    first, second = await _targets(any_db_settings, tmp_path)
    await PublishTarget.filter(id=second.id).update(status=TargetStatus.PUBLISHED)
    leases = Leases(30)
    assert await leases.renew([first.id, second.id]) == 1
    renewed = await PublishTarget.get(id=first.id)
    assert renewed.lease_until is not None
    assert (await PublishTarget.get(id=second.id)).lease_until is None


async def test_renew_skips_a_row_held_by_another_statement(any_db_settings, tmp_path: Path) -> None:
    first, second = await _targets(any_db_settings, tmp_path)
    if PublishTarget._meta.db.capabilities.dialect != "postgres":
        return  # SQLite has no row locks: one writer at a time, nothing to skip
    import asyncpg

    other = await asyncpg.connect(
        any_db_settings.database_url.replace("postgres://", "postgresql://", 1)
    )
    try:
        async with other.transaction():  # another statement holds the first row
            await other.execute(
                'SELECT "id" FROM "publish_targets" WHERE "id" = $1 FOR UPDATE', first.id
            )
            assert await Leases(30).renew([first.id, second.id]) == 1
    finally:
        await other.close()
    assert (await PublishTarget.get(id=second.id)).lease_until is not None
