"""Users and their API keys."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from core import audit
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.models import ApiKey, User
from core.security import (
    API_KEY_PREFIX,
    hash_password_async,
    hash_secret,
    new_api_key,
    verify_password_async,
)
from core.sessions import end_all_sessions

MIN_PASSWORD_LENGTH = 8
# a password hash no password matches: users the bots make for chat accounts
UNUSABLE_PASSWORD = "!"
# the bots' own users live under .invalid (RFC 2606): no account may be registered there
RESERVED_DOMAIN = ".invalid"


def normalise_email(email: str) -> str:
    """The canonical form of an email address; InvalidInput when it is not one."""
    email = email.strip().lower().rstrip(".")  # "example.com." is the same domain
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 320:
        raise InvalidInput(f"'{email}' is not a valid email address.")
    return email


def check_password_rules(password: str) -> None:
    """InvalidInput when a new password is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")


async def create_user(
    email: str, password: str, *, origin: str = "cli", reserved: Collection[str] = ()
) -> User:
    """A new user with an argon2-hashed password; reserved addresses are refused."""
    email = normalise_email(email)
    if email.endswith(RESERVED_DOMAIN) or email in {r.strip().lower() for r in reserved}:
        raise InvalidInput(f"The address {email} is reserved; use your own email address.")
    check_password_rules(password)
    if await User.exists(email=email):
        raise Conflict(f"A user with the email {email} already exists.")
    user = await User.create(email=email, password_hash=await hash_password_async(password))
    await audit.record("user.created", actor=user, brand=None, obj=user, origin=origin)
    return user


async def user_by_email(email: str) -> User:
    """The user with this email; NotFound otherwise."""
    user = await User.get_or_none(email=normalise_email(email))
    if user is None:
        raise NotFound(f"No user with the email {email}.")
    return user


async def change_password(user: User, current: str, new: str, *, origin: str = "web") -> None:
    """Set a new password (the current one must match); every session of the user ends."""
    if not await verify_password_async(user.password_hash, current):
        raise Forbidden("The current password is not right.")
    check_password_rules(new)
    user.password_hash = await hash_password_async(new)
    await user.save(update_fields=["password_hash"])
    await audit.record("user.password_changed", actor=user, brand=None, obj=user, origin=origin)
    await end_all_sessions(user, origin=origin, reason="password_changed")


async def create_api_key(user: User, *, name: str = "", origin: str = "cli") -> tuple[ApiKey, str]:
    """A new API key; the plain key is returned once and only its hash is stored."""
    key, prefix, key_hash = new_api_key()
    api_key = await ApiKey.create(user=user, name=name, prefix=prefix, key_hash=key_hash)
    await audit.record(
        "apikey.created",
        actor=user,
        brand=None,
        obj=api_key,
        origin=origin,
        details={"prefix": prefix, "name": name},
    )
    return api_key, key


async def revoke_api_key(user: User, key_id: int, *, origin: str = "web") -> None:
    """Revoke one of the user's keys."""
    updated = await ApiKey.filter(id=key_id, user_id=user.id, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )
    if not updated:
        raise NotFound("API key not found.")
    await audit.record(
        "apikey.revoked", actor=user, brand=None, origin=origin, details={"api_key_id": key_id}
    )


async def user_for_api_key(key: str) -> User | None:
    """The active user owning this key, or None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    api_key = await ApiKey.get_or_none(
        key_hash=hash_secret(key), revoked_at__isnull=True
    ).select_related("user")
    if api_key is None or not api_key.user.is_active:
        return None
    now = datetime.now(UTC)
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        await ApiKey.filter(id=api_key.id).update(last_used_at=now)
    return api_key.user
