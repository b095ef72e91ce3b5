"""Per-brand storage quota: originals and transcodes of the brand's live assets on disk."""

from __future__ import annotations

from tortoise.functions import Sum

from core.config import Settings
from core.errors import TooLarge
from core.models import MediaAsset, TranscodedMedia


def _gb(n: int) -> str:
    """1.5 GB, 300 MB, 12 KB."""
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    return f"{n / 1024**2:.0f} MB" if n >= 1024**2 else f"{max(n, 1) / 1024:.0f} KB"


async def brand_usage(brand_id: int) -> int:
    """Bytes the brand's live assets and their transcodes take (counted per brand)."""
    originals = (
        await MediaAsset.filter(brand_id=brand_id, deleted_at__isnull=True)
        .annotate(total=Sum("size_bytes"))
        .values("total")
    )
    transcodes = (
        await TranscodedMedia.filter(brand_id=brand_id, asset__deleted_at__isnull=True)
        .annotate(total=Sum("size_bytes"))
        .values("total")
    )
    return sum(int(rows[0]["total"] or 0) for rows in (originals, transcodes) if rows)


async def check_quota(settings: Settings, *, brand_id: int, incoming: int = 0) -> None:
    """TooLarge when `incoming` more bytes would take the brand over BRAND_STORAGE_BYTES."""
    quota = settings.brand_storage_bytes
    if quota <= 0:
        return
    used = await brand_usage(brand_id)
    if used + incoming > quota:
        raise TooLarge(
            f"This brand's storage is full: {_gb(used)} of {_gb(quota)} used"
            + (f", and this file needs {_gb(incoming)}" if incoming else "")
            + ". Ask the operator of this service for more space."
        )
