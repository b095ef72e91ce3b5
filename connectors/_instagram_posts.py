"""Instagram's media listing as ingest's posts (`core.ports.post_source`)."""

from __future__ import annotations

from typing import Any

from connectors._meta import graph_time
from core.ports.post_source import PostPage, SourceFile, SourcePost

#: what ingest reads of a media object (a carousel's children carry their own files)
FIELDS = (
    "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,"
    "timestamp,children{media_url,media_type,thumbnail_url}"
)


def media_id(value: Any) -> str | None:
    """An Instagram media id as the Graph API gives it (digits); None for anything else.

    The id names files in the media store and Graph API paths: an answer with another id
    is not taken (`../x` must never become a path)."""
    text = str(value or "")
    return text if text.isascii() and text.isdigit() and len(text) <= 32 else None


def _file(node: dict[str, Any]) -> SourceFile:
    thumb = node.get("thumbnail_url")
    return SourceFile(
        kind="VIDEO" if node.get("media_type") == "VIDEO" else "IMAGE",
        url=str(node.get("media_url") or ""),
        cover_url=str(thumb) if thumb else None,
    )


def source_post(item: dict[str, Any]) -> SourcePost:
    """One media object of the Graph API as a post (every file of a carousel); its id is
    checked by the caller (`media_id`)."""
    children = [c for c in (item.get("children") or {}).get("data") or [] if isinstance(c, dict)]
    carousel = item.get("media_type") == "CAROUSEL_ALBUM" and bool(children)
    return SourcePost(
        id=str(item["id"]),
        caption=str(item.get("caption") or ""),
        permalink=str(item.get("permalink") or ""),
        posted_at=graph_time(item.get("timestamp")),
        carousel=carousel,
        files=[_file(c) for c in children] if carousel else [_file(item)],
    )


def media_page(page: dict[str, Any]) -> PostPage:
    """A page of `GET /{ig-user-id}/media`: its posts and the next page's cursor."""
    items = [i for i in page.get("data") or [] if isinstance(i, dict) and media_id(i.get("id"))]
    paging = page.get("paging") or {}
    after = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
    return PostPage([source_post(i) for i in items], str(after) if after else None)
