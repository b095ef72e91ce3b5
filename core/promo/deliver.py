"""The finished ad becomes a generated asset of the product's brand and a publish job."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path

from core import notify
from core.captions import CaptionService
from core.config import Settings
from core.intake import file_chunks, ingest_media
from core.models import AssetSource, Brand, MediaAsset, PublishJob, User
from core.promo.brand import ORIGIN
from core.promo.script import AdScript
from core.publishing import create_job
from core.tenancy import BrandScope


async def ingest_ad(settings: Settings, *, brand: Brand, bot: User, master: Path,
                    script: AdScript) -> MediaAsset:
    """Store the master as a generated asset and put it in the brand's chat inboxes."""
    source_id = await asyncio.to_thread(_source_id, master, script)
    existing = await MediaAsset.get_or_none(brand_id=brand.id, source=AssetSource.GENERATED,
                                            source_id=source_id)
    if existing is not None:
        return existing
    asset = await ingest_media(
        settings, brand=brand, chunks=file_chunks(master), file_name=master.name,
        caption=script.caption, actor=bot, origin=ORIGIN, source=AssetSource.GENERATED,
        source_id=source_id)
    await notify.inbox_item(asset)
    return asset


async def publish_ad(captions: CaptionService, *, asset: MediaAsset, bot: User,
                     platforms: Sequence[str], known_platforms: Sequence[str]
                     ) -> tuple[PublishJob, bool]:
    """A publish job for the ad (awaiting approval when the brand asks for it); idempotent."""
    texts = await captions.captions_for_publish(asset, list(platforms), {})
    key = f"promo:{asset.id}:{','.join(sorted(set(platforms)))}"
    return await create_job(BrandScope(bot), asset=asset, platforms=list(platforms),
                            known_platforms=known_platforms, captions=texts, origin=ORIGIN,
                            idempotency_key=key)


def _source_id(master: Path, script: AdScript) -> str:
    """One asset per master's content and length, so a repeated run does not duplicate it."""
    digest = hashlib.sha256()
    with master.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return f"promo-{script.seconds}s-{digest.hexdigest()[:24]}"
