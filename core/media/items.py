"""The files a post is made of."""

from __future__ import annotations

from core.errors import MediaRejected
from core.models import AssetKind, MediaAsset


async def media_items(asset: MediaAsset) -> list[MediaAsset]:
    """The asset itself, or a carousel's children in order (each with its own format)."""
    if asset.kind != AssetKind.CAROUSEL:
        return [asset]
    children = (
        await MediaAsset.filter(parent_id=asset.id, deleted_at__isnull=True)
        .order_by("position", "id")
        .prefetch_related("brand")
    )
    if not children:
        raise MediaRejected("This album has no photos or videos in it.")
    return list(children)
