"""Users and their API keys."""

from __future__ import annotations

from datetime import UTC, datetime

from core import audit
from core.errors import Conflict, InvalidInput, NotFound
from core.models import ApiKey, User
from core.security import API_KEY_PREFIX, hash_password, hash_secret, new_api_key

MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    """The canonical form of an email address; InvalidInput when it is not one."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 320:
        raise InvalidInput(f"'{email}' is not a valid email address.")
    return email


async def create_user(email: str, password: str, *, origin: str = "cli") -> User:
    """A new user with an argon2-hashed password."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if await User.exists(email=email):
        raise Conflict(f"A user with the email {email} already exists.")
    user = await User.create(email=email, password_hash=hash_password(password))
    await audit.record("user.created", actor=user, brand=None, obj=user, origin=origin)
    return user


async def user_by_email(email: str) -> User:
    """The user with this email; NotFound otherwise."""
    user = await User.get_or_none(email=normalise_email(email))
    if user is None:
        raise NotFound(f"No user with the email {email}.")
    return user


async def create_api_key(user: User, *, name: str = "", origin: str = "cli") -> tuple[ApiKey, str]:
    """A new API key; the plain key is returned once and only its hash is stored."""
    key, prefix, key_hash = new_api_key()
    api_key = await ApiKey.create(user=user, name=name, prefix=prefix, key_hash=key_hash)
    await audit.record("apikey.created", actor=user, brand=None, obj=api_key, origin=origin,
                       details={"prefix": prefix, "name": name})
    return api_key, key


async def revoke_api_key(user: User, key_id: int, *, origin: str = "web") -> None:
    """Revoke one of the user's keys."""
    updated = await ApiKey.filter(id=key_id, user_id=user.id, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC))
    if not updated:
        raise NotFound("API key not found.")
    await audit.record("apikey.revoked", actor=user, brand=None, origin=origin,
                       details={"api_key_id": key_id})


async def user_for_api_key(key: str) -> User | None:
    """The active user owning this key, or None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    api_key = await ApiKey.get_or_none(key_hash=hash_secret(key), revoked_at__isnull=True
                                       ).select_related("user")
    if api_key is None or not api_key.user.is_active:
        return None
    now = datetime.now(UTC)
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        await ApiKey.filter(id=api_key.id).update(last_used_at=now)
    return api_key.user
