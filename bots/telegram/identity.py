"""Which brands a Telegram chat is linked to, which one it works on, and who acts in it.

Who a Telegram user acts as (the code's creator for whoever redeemed it, otherwise their own
chat user with the brand's group role) is decided in `core.app.members.telegram_member`;
linking is `core.app.chat_links.link_telegram_chat`. Both are described in the README's
Telegram section.
"""

from __future__ import annotations

from core.app import chat_links, members
from core.errors import NotFound
from core.models import Brand, ChatKind, ChatLink, TelegramChatState, User


async def linked_brands(chat_id: str) -> list[Brand]:
    """The brands this chat is linked to, oldest link first."""
    links = (
        await ChatLink.filter(kind=ChatKind.TELEGRAM, chat_id=chat_id, is_active=True)
        .order_by("id")
        .prefetch_related("brand")
    )
    return [link.brand for link in links]


async def chat_state(chat_id: str) -> TelegramChatState:
    """The chat's persisted state row (made on first use)."""
    state, _ = await TelegramChatState.get_or_create(chat_id=chat_id)
    return state


async def active_brand(chat_id: str) -> Brand | None:
    """The brand the chat works on now: the chosen one, else its first linked brand."""
    brands = await linked_brands(chat_id)
    if not brands:
        return None
    state = await chat_state(chat_id)
    for brand in brands:
        if brand.id == state.active_brand_id:
            return brand
    return brands[0]


async def is_linked(chat_id: str, brand_id: int) -> bool:
    """Whether the chat is (still) linked to this brand."""
    return await ChatLink.exists(
        kind=ChatKind.TELEGRAM, chat_id=chat_id, brand_id=brand_id, is_active=True
    )


async def set_active_brand(chat_id: str, brand_id: int) -> Brand:
    """Switch the chat to one of its linked brands."""
    if not await is_linked(chat_id, brand_id):
        raise NotFound("This chat is not linked to that brand.")
    state = await chat_state(chat_id)
    state.active_brand_id = brand_id
    await state.save(update_fields=["active_brand_id", "updated_at"])
    return await Brand.get(id=brand_id)


async def link_chat(code: str, *, chat_id: str, telegram_user_id: str) -> Brand:
    """Redeem a link code for this chat and make its brand the chat's active one."""
    brand = await chat_links.link_telegram_chat(
        code, chat_id=chat_id, telegram_user_id=telegram_user_id
    )
    await set_active_brand(chat_id, brand.id)
    return brand


async def actor_for(
    brand: Brand, *, chat_id: str, telegram_user_id: str, display_name: str = ""
) -> User:
    """The core user a Telegram user acts as in this brand (the chat must be linked to it)."""
    if not await is_linked(chat_id, brand.id):
        raise NotFound("This chat is not linked to that brand.")
    return await members.telegram_member(
        brand, chat_id=chat_id, telegram_user_id=telegram_user_id, display_name=display_name
    )
