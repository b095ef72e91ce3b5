"""Signed, expiring public URLs for the media that pull-based APIs fetch (Meta, TikTok).

`signed_media_url` mints `PUBLIC_BASE_URL/m/<token>`; `GET /m/{token}` serves the
transcoded file (or its video cover) with HTTP range support until the token expires.
Nothing else is reachable through these URLs: the token names one file and an expiry.
"""

from __future__ import annotations

import asyncio
import os
import time

from fastapi import APIRouter
from fastapi.responses import FileResponse, PlainTextResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer

from core.config import Settings
from core.models import TranscodedMedia
from webapp.deps import ServicesDep

router = APIRouter(tags=["media urls"])
_SALT = "oneclick.media-url"


def _serializer(settings: Settings) -> URLSafeSerializer:
    settings.ensure_secrets()
    assert settings.secret_key is not None
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt=_SALT)


def signed_media_url(settings: Settings, transcode: TranscodedMedia, ttl: float | None = None,
                     *, cover: bool = False) -> str:
    """A public URL of the file (or its video cover) valid for `ttl` seconds."""
    ttl = settings.media_url_ttl_seconds if ttl is None else ttl
    payload = {"t": transcode.id, "e": int(time.time() + ttl), "c": int(cover)}
    token = _serializer(settings).dumps(payload)
    return settings.public_url(f"/m/{token}")


def read_media_token(settings: Settings, token: str) -> tuple[int, bool] | None:
    """(transcode id, cover?) of a valid, unexpired token, else None."""
    try:
        payload = _serializer(settings).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("e", 0) < time.time():
        return None
    return int(payload["t"]), bool(payload.get("c"))


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
    path = transcode.thumbnail_path if found[1] else transcode.file_path
    if not path or not await asyncio.to_thread(os.path.isfile, path):
        return PlainTextResponse(_GONE, status_code=404)
    media_type = "image/jpeg" if found[1] else transcode.mime_type
    return FileResponse(path, media_type=media_type,
                        headers={"Cache-Control": "private, max-age=300"})
