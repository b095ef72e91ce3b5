"""Signed, expiring public URLs for the media that pull-based APIs fetch (Meta, TikTok).

`core.media_links.signed_media_url` mints `PUBLIC_BASE_URL/m/<token>`; `GET /m/{token}`
serves the transcoded file (or its video cover) with HTTP range support until the token
expires.
Nothing else is reachable through these URLs: the token names one file and an expiry.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, PlainTextResponse, Response

from core.media_links import read_media_token
from core.models import TranscodedMedia
from core.ports.media_store import kept_file
from webapp.deps import ServicesDep

router = APIRouter(tags=["media urls"])

_GONE = "This media link has expired or is not valid."


@router.get("/m/{token}", include_in_schema=False)
async def media_file(token: str, services: ServicesDep) -> Response:
    """Serve one transcoded file to a platform fetching it (Range requests supported)."""
    found = read_media_token(services.settings, token)
    if found is None:
        return PlainTextResponse(_GONE, status_code=404)
    transcode = await TranscodedMedia.get_or_none(id=found[0])
    if transcode is None:
        return PlainTextResponse(_GONE, status_code=404)
    ref = transcode.thumbnail_path if found[1] else transcode.file_path
    path = await kept_file(services.media, ref)
    if path is None:
        return PlainTextResponse(_GONE, status_code=404)
    media_type = "image/jpeg" if found[1] else transcode.mime_type
    return FileResponse(
        path, media_type=media_type, headers={"Cache-Control": "private, max-age=300"}
    )
