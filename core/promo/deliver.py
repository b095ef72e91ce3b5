"""The finished ad as the product brand's asset: found again by content, published once."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path

from core.models import AssetSource, Brand, MediaAsset
from core.promo.script import AdScript


async def ad_source_id(master: Path, script: AdScript) -> str:
    """One asset per master's content and length, so a repeated run does not duplicate it."""
    return await asyncio.to_thread(_source_id, master, script)


async def existing_ad(brand: Brand, source_id: str) -> MediaAsset | None:
    """The ad's asset if an earlier run stored it."""
    return await MediaAsset.get_or_none(
        brand_id=brand.id, source=AssetSource.GENERATED, source_id=source_id
    )


def publish_key(asset: MediaAsset, platforms: Sequence[str]) -> str:
    """The idempotency key of the ad's publish request: one job per asset and networks."""
    return f"promo:{asset.id}:{','.join(sorted(set(platforms)))}"


def _source_id(master: Path, script: AdScript) -> str:
    digest = hashlib.sha256()
    with master.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return f"promo-{script.seconds}s-{digest.hexdigest()[:24]}"
