"""The `web` target's public surface: `/b/{slug}` page, JSON Feed, RSS and media files."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from core.brands import brand_by_slug
from core.errors import NotFound
from core.models import Brand, TranscodedMedia, WebPost
from core.ports.media_store import kept_file
from webapp.deps import ServicesDep

router = APIRouter(tags=["public feed"])
templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
FEED_SIZE = 50
BINARY = {"schema": {"type": "string", "format": "binary"}}
MEDIA = {"image/*": BINARY, "video/*": BINARY}
TEXT = {"text/plain": {"schema": {"type": "string"}}}
MEDIA_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file.", "content": MEDIA},
    206: {
        "description": "The byte range(s) a `Range` header asked for.",
        "content": {**MEDIA, "multipart/byteranges": BINARY},
    },
    400: {"description": "A `Range` header that cannot be read.", "content": TEXT},
    416: {"description": "A `Range` outside the file.", "content": TEXT},
}


async def _posts(brand: Brand, limit: int = FEED_SIZE) -> list[WebPost]:
    return (
        await WebPost.filter(brand_id=brand.id, deleted_at__isnull=True)
        .order_by("-published_at", "-id")
        .limit(limit)
        .prefetch_related("transcode", "asset")
    )


async def _gallery(posts: list[WebPost]) -> dict[int, TranscodedMedia]:
    """Every album item's transcode of these posts, by id (one query)."""
    ids = {i for post in posts for i in post.gallery}
    if not ids:
        return {}
    return {t.id: t for t in await TranscodedMedia.filter(id__in=ids)}


def _items(post: WebPost, gallery: dict[int, TranscodedMedia]) -> list[TranscodedMedia]:
    items = [gallery[i] for i in post.gallery if i in gallery]
    if not items and post.transcode is not None:
        items = [post.transcode]
    return items


def plain_number(text: str) -> int | None:
    """A number written in ASCII digits (at most 18), else None.

    `str.isdigit` also accepts superscripts, Arabic-Indic and fullwidth digits, which
    `int()` then refuses or reads as another id: both must be "not found", never a 500.
    """
    if not (0 < len(text) <= 18 and text.isascii() and text.isdigit()):
        return None
    return int(text)


def _media_name(post_id: int, index: int, transcode: TranscodedMedia) -> str:
    suffix = Path(transcode.file_path).suffix
    return f"{post_id}{suffix}" if index == 0 else f"{post_id}-{index}{suffix}"


def _view(
    post: WebPost, brand: Brand, services: ServicesDep, gallery: dict[int, TranscodedMedia]
) -> dict[str, Any]:
    media = [
        {
            "url": services.settings.public_url(
                f"/b/{brand.slug}/media/{_media_name(post.id, i, t)}"
            ),
            "mime_type": t.mime_type,
            "size": t.size_bytes,
            "duration": t.duration_seconds,
            "is_video": t.mime_type.startswith("video/"),
            "width": t.width,
            "height": t.height,
        }
        for i, t in enumerate(_items(post, gallery))
    ]
    return {
        "id": post.id,
        "url": services.settings.public_url(f"/b/{brand.slug}/p/{post.id}"),
        "caption": post.caption,
        "published_at": post.published_at,
        "media": media,
    }


@router.get("/b/{slug}", response_class=HTMLResponse)
async def brand_page(slug: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """The brand's public page: its posts, newest first."""
    brand = await brand_by_slug(slug)
    posts = await _posts(brand)
    gallery = await _gallery(posts)
    views = [_view(p, brand, services, gallery) for p in posts]
    return templates.TemplateResponse(
        request, "public/brand.html", {"brand": brand, "posts": views, "single": False}
    )


@router.get("/b/{slug}/p/{post_id}", response_class=HTMLResponse)
async def post_page(
    slug: str, post_id: int, request: Request, services: ServicesDep
) -> HTMLResponse:
    """One post's public page."""
    brand = await brand_by_slug(slug)
    post = await WebPost.get_or_none(
        id=post_id, brand_id=brand.id, deleted_at__isnull=True
    ).prefetch_related("transcode", "asset")
    if post is None:
        raise NotFound("Post not found.")
    view = _view(post, brand, services, await _gallery([post]))
    return templates.TemplateResponse(
        request, "public/brand.html", {"brand": brand, "posts": [view], "single": True}
    )


@router.get(
    "/b/{slug}/feed.json",
    response_class=Response,
    responses={
        200: {
            "description": "JSON Feed 1.1.",
            "content": {
                "application/feed+json": {
                    "schema": {"type": "object", "required": ["version", "title", "items"]}
                }
            },
        }
    },
)
async def json_feed(slug: str, services: ServicesDep) -> Response:
    """JSON Feed 1.1 with each post's media as an attachment."""
    import json

    brand = await brand_by_slug(slug)
    items = []
    posts = await _posts(brand)
    gallery = await _gallery(posts)
    for post in posts:
        view = _view(post, brand, services, gallery)
        attachments = []
        for media in view["media"]:
            attachment: dict[str, Any] = {
                "url": media["url"],
                "mime_type": media["mime_type"],
                "size_in_bytes": media["size"],
            }
            if media["duration"]:
                attachment["duration_in_seconds"] = round(media["duration"], 3)
            attachments.append(attachment)
        items.append(
            {
                "id": str(post.id),
                "url": view["url"],
                "content_text": post.caption,
                "date_published": post.published_at.isoformat(),
                "attachments": attachments,
            }
        )
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": brand.name,
        "home_page_url": services.settings.public_url(f"/b/{brand.slug}"),
        "feed_url": services.settings.public_url(f"/b/{brand.slug}/feed.json"),
        "items": items,
    }
    return Response(json.dumps(feed, ensure_ascii=False), media_type="application/feed+json")


@router.get(
    "/b/{slug}/feed.xml",
    response_class=Response,
    responses={200: {"description": "RSS 2.0.", "content": {"application/rss+xml": BINARY}}},
)
async def rss_feed(slug: str, services: ServicesDep) -> Response:
    """RSS 2.0 with an enclosure per post."""
    from email.utils import format_datetime

    brand = await brand_by_slug(slug)
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = brand.name
    ET.SubElement(channel, "link").text = services.settings.public_url(f"/b/{brand.slug}")
    ET.SubElement(channel, "description").text = f"Posts of {brand.name}"
    posts = await _posts(brand)
    gallery = await _gallery(posts)
    for post in posts:
        view = _view(post, brand, services, gallery)
        item = ET.SubElement(channel, "item")
        first_line = (post.caption.strip().splitlines() or [f"Post {post.id}"])[0]
        ET.SubElement(item, "title").text = first_line[:100]
        ET.SubElement(item, "link").text = view["url"]
        ET.SubElement(item, "guid", isPermaLink="true").text = view["url"]
        ET.SubElement(item, "description").text = post.caption
        ET.SubElement(item, "pubDate").text = format_datetime(post.published_at)
        if view["media"]:  # RSS allows one enclosure per item: the first album item
            first = view["media"][0]
            ET.SubElement(
                item,
                "enclosure",
                url=first["url"],
                length=str(first["size"]),
                type=first["mime_type"],
            )
    body = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/rss+xml; charset=utf-8")


@router.get("/b/{slug}/media/{name}", response_class=FileResponse, responses=MEDIA_RESPONSES)
async def post_media(slug: str, name: str, services: ServicesDep) -> FileResponse:
    """A published post's media file, with HTTP range requests for video players."""
    brand = await brand_by_slug(slug)
    raw_id, _, raw_index = name.split(".", 1)[0].partition("-")
    post_id, index = plain_number(raw_id), plain_number(raw_index or "0")
    if post_id is None or index is None:
        raise NotFound("Media not found.")
    post = await WebPost.get_or_none(
        id=post_id, brand_id=brand.id, deleted_at__isnull=True
    ).prefetch_related("transcode")
    items = _items(post, await _gallery([post])) if post else []
    if index >= len(items):
        raise NotFound("Media not found.")
    transcode = items[index]
    path = await kept_file(services.media, transcode.file_path)
    if path is None:
        raise NotFound("Media not found.")
    media_type = transcode.mime_type or mimetypes.guess_type(path.name)[0]
    return FileResponse(
        path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
    )
