"""Web sign-in sessions kept on the server: sign-out and password changes end them for good.

The browser holds a random key (inside the signed session cookie); only its SHA-256 is
stored. A session is valid while it is not revoked, not expired and its user is active.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from core import audit
from core.models import User, WebSession
from core.security import hash_secret

SESSION_LIFETIME = timedelta(days=14)
TOUCH_EVERY = timedelta(minutes=5)


async def open_session(
    user: User, *, address: str = "", user_agent: str = "", origin: str = "web"
) -> str:
    """A new session for the user; returns the key the browser keeps (shown nowhere else)."""
    key = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await WebSession.filter(user_id=user.id, expires_at__lt=now).delete()
    session = await WebSession.create(
        user=user,
        key_hash=hash_secret(key),
        address=address[:64],
        user_agent=user_agent[:255],
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    await audit.record(
        "session.started",
        actor=user,
        brand=None,
        obj=session,
        origin=origin,
        details={"address": address[:64]},
    )
    return key


async def session_user(key: str) -> User | None:
    """The active user of a live session with this key, or None."""
    session = await WebSession.get_or_none(
        key_hash=hash_secret(key), revoked_at__isnull=True
    ).select_related("user")
    now = datetime.now(UTC)
    if session is None or session.expires_at <= now or not session.user.is_active:
        return None
    if now - session.last_seen_at > TOUCH_EVERY:
        await WebSession.filter(id=session.id).update(last_seen_at=now)
    return session.user


async def end_session(key: str, *, origin: str = "web") -> None:
    """Revoke one session (sign-out); its cookie no longer signs anyone in."""
    session = await WebSession.get_or_none(key_hash=hash_secret(key), revoked_at__isnull=True)
    if session is None:
        return
    ended = await WebSession.filter(id=session.id, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )
    if ended:
        await audit.record(
            "session.ended",
            actor=await User.get(id=session.user_id),
            brand=None,
            obj=session,
            origin=origin,
        )


async def end_all_sessions(
    user: User, *, origin: str = "web", reason: str = "sign_out_everywhere"
) -> int:
    """Revoke every live session of the user; how many were ended."""
    ended = await WebSession.filter(user_id=user.id, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )
    await audit.record(
        "sessions.revoked",
        actor=user,
        brand=None,
        obj=user,
        origin=origin,
        details={"count": ended, "reason": reason},
    )
    return ended
