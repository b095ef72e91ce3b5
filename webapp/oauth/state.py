"""The OAuth `state`: signed, expiring, single use, bound to the browser session and the brand.

The state sent to the network is a signed `{n: nonce, b: brand, p: platform}`; the nonce
(with the PKCE verifier and the start parameters) lives in the signed session cookie and is
removed when the callback uses it, so a state works once, in the session that started it.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core.config import Settings
from core.errors import OneClickError
from webapp.session import session_data

_SALT = "oneclick.oauth-state"
_KEY = "oauth"
MAX_PENDING = 4
RESTART = "Start again from the brand's Connections page."


class StateRefused(OneClickError):
    """An OAuth callback whose state is forged, reused, expired or from another session."""


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    settings.ensure_secrets()
    assert settings.secret_key is not None
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=_SALT)


def begin(
    request: Request,
    settings: Settings,
    *,
    brand_id: int,
    platform: str,
    verifier: str,
    start: dict[str, str],
) -> str:
    """Remember a new sign-in in the session; the signed state to send to the network."""
    nonce = secrets.token_urlsafe(16)
    pending: dict[str, Any] = session_data(request).setdefault(_KEY, {})
    for old in sorted(pending, key=lambda k: pending[k].get("t", 0))[: -(MAX_PENDING - 1)]:
        pending.pop(old, None)
    pending[nonce] = {
        "b": brand_id,
        "p": platform,
        "v": verifier,
        "s": start,
        "t": int(time.time()),
    }
    return _serializer(settings).dumps({"n": nonce, "b": brand_id, "p": platform})


def finish(
    request: Request, settings: Settings, *, state: str | None, platform: str
) -> dict[str, Any]:
    """Check and consume a state: {brand_id, verifier, start}; InvalidInput in plain words."""
    if not state:
        raise StateRefused("The network did not send the sign-in check back. " + RESTART)
    try:
        payload = _serializer(settings).loads(state, max_age=settings.oauth_state_max_age_seconds)
    except SignatureExpired:
        raise StateRefused("This sign-in took too long and has expired. " + RESTART) from None
    except BadSignature:
        raise StateRefused(
            "This sign-in link is not valid (it was not started here). " + RESTART
        ) from None
    if not isinstance(payload, dict) or payload.get("p") != platform:
        raise StateRefused("This sign-in link belongs to another network. " + RESTART)
    pending: dict[str, Any] = session_data(request).get(_KEY, {})
    entry = pending.pop(str(payload.get("n")), None)
    if entry is None or entry.get("b") != payload.get("b") or entry.get("p") != platform:
        raise StateRefused(
            "This sign-in was already used or was started in another browser session. " + RESTART
        )
    return {
        "brand_id": int(entry["b"]),
        "verifier": entry.get("v", ""),
        "start": entry.get("s") or {},
    }
