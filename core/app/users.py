"""A person's own account: API keys, password, signing out everywhere (no brand role)."""

from __future__ import annotations

from core import sessions, users
from core.app.actor import Actor
from core.models import ApiKey


async def create_api_key(actor: Actor, *, name: str = "") -> tuple[ApiKey, str]:
    """A new API key of the person; the plain key is returned once (audited)."""
    return await users.create_api_key(actor.user, name=name.strip(), origin=actor.origin)


async def revoke_api_key(actor: Actor, *, key_id: int) -> None:
    """Revoke one of the person's own keys (`NotFound` for anyone else's)."""
    await users.revoke_api_key(actor.user, key_id, origin=actor.origin)


async def change_password(actor: Actor, *, current: str, new: str) -> None:
    """A new password (the current one must match); every session of the person ends."""
    await users.change_password(actor.user, current, new, origin=actor.origin)


async def end_all_sessions(actor: Actor, *, reason: str = "sign_out_everywhere") -> int:
    """Sign the person out of every browser; how many sessions ended."""
    return await sessions.end_all_sessions(actor.user, origin=actor.origin, reason=reason)
