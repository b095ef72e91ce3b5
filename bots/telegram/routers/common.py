"""What every handler needs: the chat's brand and the person acting in it."""

from __future__ import annotations

from aiogram import types

from bots.telegram import identity
from core.app.actor import Actor
from core.app.roles import Action
from core.errors import NotFound
from core.models import Brand

ORIGIN = "telegram"
NOT_LINKED = (
    "This chat is not linked to a brand yet. Ask the brand's owner for a link code "
    "(on the web page, or `oneclick brand link-code SLUG`) and send /start CODE here."
)


class NotLinked(NotFound):
    """The chat has no brand."""

    user_message = NOT_LINKED


async def acting(
    chat_id: int | str, user: types.User | None, brand: Brand | None = None
) -> tuple[Brand, Actor]:
    """The brand (the chat's active one unless given) and the person acting in it.

    What the person may do there is the role table's answer (`actor.may`), asked by the
    use case or, for the card's own buttons, by the handler.
    """
    chat = str(chat_id)
    if brand is None:
        brand = await identity.active_brand(chat)
    if brand is None or user is None or not await identity.is_linked(chat, brand.id):
        raise NotLinked()
    user_ = await identity.actor_for(
        brand, chat_id=chat, telegram_user_id=str(user.id), display_name=user.full_name
    )
    actor = Actor(user_, ORIGIN)
    await actor.may(brand.id, Action.VIEW)
    return brand, actor
