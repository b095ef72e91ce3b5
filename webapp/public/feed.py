"""The `web` target's public surface: `/b/{slug}` page, JSON Feed, RSS and media files."""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from core.brands import brand_by_slug
from core.errors import NotFound
from core.models import Brand, WebPost
from webapp.deps import ServicesDep

router = APIRouter(tags=["public feed"])
templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
FEED_SIZE = 50


async def _posts(brand: Brand, limit: int = FEED_SIZE) -> list[WebPost]:
    return await WebPost.filter(brand_id=brand.id, deleted_at__isnull=True).order_by(
        "-published_at", "-id").limit(limit).prefetch_related("transcode", "asset")


def _view(post: WebPost, brand: Brand, services: ServicesDep) -> dict[str, Any]:
    transcode = post.transcode
    ext = Path(transcode.file_path).suffix if transcode else ""
    return {
        "id": post.id,
        "url": services.settings.public_url(f"/b/{brand.slug}/p/{post.id}"),
        "media_url": services.settings.public_url(f"/b/{brand.slug}/media/{post.id}{ext}"),
        "mime_type": transcode.mime_type if transcode else "",
        "size": transcode.size_bytes if transcode else 0,
        "duration": transcode.duration_seconds if transcode else None,
        "is_video": bool(transcode and transcode.mime_type.startswith("video/")),
        "caption": post.caption,
        "published_at": post.published_at,
        "width": transcode.width if transcode else None,
        "height": transcode.height if transcode else None,
    }


@router.get("/b/{slug}", response_class=HTMLResponse)
async def brand_page(slug: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """The brand's public page: its posts, newest first."""
    brand = await brand_by_slug(slug)
    posts = [_view(p, brand, services) for p in await _posts(brand)]
    return templates.TemplateResponse(request, "public/brand.html",
                                      {"brand": brand, "posts": posts, "single": False})


@router.get("/b/{slug}/p/{post_id}", response_class=HTMLResponse)
async def post_page(slug: str, post_id: int, request: Request,
                    services: ServicesDep) -> HTMLResponse:
    """One post's public page."""
    brand = await brand_by_slug(slug)
    post = await WebPost.get_or_none(id=post_id, brand_id=brand.id, deleted_at__isnull=True
                                     ).prefetch_related("transcode", "asset")
    if post is None:
        raise NotFound("Post not found.")
    return templates.TemplateResponse(request, "public/brand.html", {
        "brand": brand, "posts": [_view(post, brand, services)], "single": True})


@router.get("/b/{slug}/feed.json")
async def json_feed(slug: str, services: ServicesDep) -> Response:
    """JSON Feed 1.1 with each post's media as an attachment."""
    import json

    brand = await brand_by_slug(slug)
    items = []
    for post in await _posts(brand):
        view = _view(post, brand, services)
        attachment: dict[str, Any] = {"url": view["media_url"], "mime_type": view["mime_type"],
                                      "size_in_bytes": view["size"]}
        if view["duration"]:
            attachment["duration_in_seconds"] = round(view["duration"], 3)
        items.append({"id": str(post.id), "url": view["url"], "content_text": post.caption,
                      "date_published": post.published_at.isoformat(),
                      "attachments": [attachment]})
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": brand.name,
            "home_page_url": services.settings.public_url(f"/b/{brand.slug}"),
            "feed_url": services.settings.public_url(f"/b/{brand.slug}/feed.json"),
            "items": items}
    return Response(json.dumps(feed, ensure_ascii=False), media_type="application/feed+json")


@router.get("/b/{slug}/feed.xml")
async def rss_feed(slug: str, services: ServicesDep) -> Response:
    """RSS 2.0 with an enclosure per post."""
    from email.utils import format_datetime

    brand = await brand_by_slug(slug)
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = brand.name
    ET.SubElement(channel, "link").text = services.settings.public_url(f"/b/{brand.slug}")
    ET.SubElement(channel, "description").text = f"Posts of {brand.name}"
    for post in await _posts(brand):
        view = _view(post, brand, services)
        item = ET.SubElement(channel, "item")
        first_line = (post.caption.strip().splitlines() or [f"Post {post.id}"])[0]
        ET.SubElement(item, "title").text = first_line[:100]
        ET.SubElement(item, "link").text = view["url"]
        ET.SubElement(item, "guid", isPermaLink="true").text = view["url"]
        ET.SubElement(item, "description").text = post.caption
        ET.SubElement(item, "pubDate").text = format_datetime(post.published_at)
        ET.SubElement(item, "enclosure", url=view["media_url"], length=str(view["size"]),
                      type=view["mime_type"])
    body = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/rss+xml; charset=utf-8")


@router.get("/b/{slug}/media/{name}")
async def post_media(slug: str, name: str) -> FileResponse:
    """A published post's media file, with HTTP range requests for video players."""
    brand = await brand_by_slug(slug)
    stem = name.split(".", 1)[0]
    if not stem.isdigit():
        raise NotFound("Media not found.")
    post = await WebPost.get_or_none(id=int(stem), brand_id=brand.id, deleted_at__isnull=True
                                     ).prefetch_related("transcode")
    if post is None or post.transcode is None:
        raise NotFound("Media not found.")
    path = Path(post.transcode.file_path)
    if not await asyncio.to_thread(path.exists):
        raise NotFound("Media not found.")
    media_type = post.transcode.mime_type or mimetypes.guess_type(path.name)[0]
    return FileResponse(path, media_type=media_type,
                        headers={"Cache-Control": "public, max-age=86400"})
