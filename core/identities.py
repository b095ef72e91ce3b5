"""Chat accounts' own core users: found through their `ChatIdentity`, never by email.

A Telegram user, a Slack user of one workspace or the promo bot gets a core user of its
own the first time it acts. That user has no usable password and an address web sign-up
refuses (`core.users.RESERVED_DOMAIN`); an account someone registered earlier with a
look-alike address is never picked up. A person with a password acts from chat as
themselves only after redeeming a link code they made while signed in.
"""

from __future__ import annotations

import secrets

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import audit
from core.models import Brand, ChatIdentity, ChatProvider, User
from core.users import UNUSABLE_PASSWORD


def placeholder_email(provider: ChatProvider, external_id: str, team_id: str = "") -> str:
    """The address a chat account's user is given (under .invalid, never deliverable)."""
    who = f"{team_id}-{external_id}" if team_id else external_id
    return f"{provider.value}-{who}@users.{provider.value}.invalid".lower()


async def chat_user(
    provider: ChatProvider,
    external_id: str,
    *,
    team_id: str = "",
    display_name: str = "",
    brand: Brand | None = None,
    email: str | None = None,
) -> User:
    """The core user of this chat account, made (and audited) on first use."""
    for attempt in range(3):
        identity = await ChatIdentity.get_or_none(
            provider=provider, team_id=team_id, external_id=external_id
        ).select_related("user")
        if identity is not None:
            return identity.user
        address = (email or placeholder_email(provider, external_id, team_id)).strip().lower()
        if attempt or await User.exists(email=address):
            local, _, domain = address.partition("@")
            address = f"{local}+{secrets.token_hex(4)}@{domain}"
        try:
            async with in_transaction():
                user = await User.create(
                    email=address, password_hash=UNUSABLE_PASSWORD, display_name=display_name[:120]
                )
                await ChatIdentity.create(
                    provider=provider, team_id=team_id, external_id=external_id, user=user
                )
                await audit.record(
                    "user.created",
                    actor=None,
                    brand=brand,
                    obj=user,
                    origin=provider.value,
                    details={
                        "provider": provider.value,
                        "team_id": team_id,
                        "external_id": external_id,
                    },
                )
        except IntegrityError:
            continue  # made at the same moment by a parallel update: read it next round
        return user
    raise RuntimeError(f"could not make a user for the {provider.value} account {external_id}")
