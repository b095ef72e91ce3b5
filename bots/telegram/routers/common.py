"""What every handler needs: the chat's brand, the acting user and their scope."""

from __future__ import annotations

from aiogram import types

from bots.telegram import identity
from core.errors import NotFound
from core.models import Brand, Role, User
from core.tenancy import BrandScope

NOT_LINKED = ("This chat is not linked to a brand yet. Ask the brand's owner for a link code "
              "(on the web page, or `oneclick brand link-code SLUG`) and send /start CODE here.")


class NotLinked(NotFound):
    """The chat has no brand."""

    user_message = NOT_LINKED


async def acting(chat_id: int | str, user: types.User | None, brand: Brand | None = None, *,
                 min_role: Role = Role.EDITOR) -> tuple[Brand, User, BrandScope]:
    """The brand (the chat's active one unless given), the core user and a checked scope."""
    chat = str(chat_id)
    if brand is None:
        brand = await identity.active_brand(chat)
    if brand is None or user is None or not await identity.is_linked(chat, brand.id):
        raise NotLinked()
    actor = await identity.actor_for(brand, chat_id=chat, telegram_user_id=str(user.id),
                                     display_name=user.full_name)
    scope = BrandScope(actor)
    await scope.brand(brand.id, min_role=min_role)
    return brand, actor, scope
