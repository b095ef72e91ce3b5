"""On SQLite and PostgreSQL: one first sync per account, and our own posts are recognised."""

from __future__ import annotations

import asyncio

from core.config import Settings
from core.ingest import published_by_us, since_of
from core.ingest_sync import claim_first_sync
from core.models import (
    AssetKind,
    Brand,
    JobStatus,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SocialAccount,
    User,
)


async def _account() -> tuple[Brand, SocialAccount]:
    owner = await User.create(email="o@example.com", password_hash="x")
    brand = await Brand.create(name="Acme", slug="acme", owner=owner)
    account = await SocialAccount.create(
        brand=brand, platform="instagram", external_id="1789", meta={"username": "acme"}
    )
    return brand, account


async def test_only_one_first_sync_claims_the_account(any_db_settings: Settings) -> None:
    _, account = await _account()
    copies = [await SocialAccount.get(id=account.id) for _ in range(4)]
    won = await asyncio.gather(*(claim_first_sync(c, 1700000000.0) for c in copies))
    assert won.count(True) == 1
    fresh = await SocialAccount.get(id=account.id)
    assert since_of(fresh) == 1700000000.0 and fresh.meta["username"] == "acme"
    assert not await claim_first_sync(fresh, 0.0)


async def test_our_posts_are_found_by_id_or_by_permalink(any_db_settings: Settings) -> None:
    brand, account = await _account()
    asset = await MediaAsset.create(brand=brand, kind=AssetKind.IMAGE)
    job = await PublishJob.create(brand=brand, asset=asset, status=JobStatus.PUBLISHED)
    await PublishTarget.create(
        brand=brand,
        job=job,
        account=account,
        platform="instagram",
        caption="x",
        external_id="111",
        external_url="https://www.instagram.com/p/AbC_1/",
    )
    other = await PublishJob.create(brand=brand, asset=asset, status=JobStatus.PUBLISHED)
    await PublishTarget.create(
        brand=brand,
        job=other,
        account=account,
        platform="instagram",
        caption="x",
        external_id="container-9",
        external_url="https://instagram.com/reel/XyZ-2?igsh=q",
    )
    listed = [
        {"id": "111", "permalink": "https://www.instagram.com/p/zzz/"},
        {"id": "222", "permalink": "https://www.instagram.com/p/XyZ-2/"},
        {"id": "333", "permalink": "https://www.instagram.com/p/abc_1/"},
        {"id": "444", "permalink": ""},
    ]
    assert await published_by_us(listed) == {"111", "222"}
    assert await published_by_us([]) == set()
