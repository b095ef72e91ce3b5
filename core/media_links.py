"""Signed, expiring tokens naming one transcoded file, for URLs that networks fetch from us.

The web app serves them at `/m/<token>` (webapp/media_urls.py); connectors mint them here.
"""

from __future__ import annotations

import time

from itsdangerous import BadSignature, URLSafeSerializer

from core.config import Settings
from core.models import TranscodedMedia

_SALT = "oneclick.media-url"


def _serializer(settings: Settings) -> URLSafeSerializer:
    settings.ensure_secrets()
    assert settings.secret_key is not None
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt=_SALT)


def signed_media_url(
    settings: Settings, transcode: TranscodedMedia, ttl: float | None = None, *, cover: bool = False
) -> str:
    """A public URL of the file (or its video cover) valid for `ttl` seconds."""
    ttl = settings.media_url_ttl_seconds if ttl is None else ttl
    payload = {"t": transcode.id, "e": int(time.time() + ttl), "c": int(cover)}
    return settings.public_url(f"/m/{_serializer(settings).dumps(payload)}")


def read_media_token(settings: Settings, token: str) -> tuple[int, bool] | None:
    """(transcode id, cover?) of a valid, unexpired token, else None."""
    try:
        payload = _serializer(settings).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("e", 0) < time.time():
        return None
    return int(payload["t"]), bool(payload.get("c"))
