"""Who acts in a linked Telegram chat, and which brand the chat is working on.

Identity rules (documented in the README's Telegram section):
- The Telegram user who redeems a link code acts as the code's creator (the brand owner
  when the code came from the CLI). That choice is stored per brand as a
  `TelegramIdentity`, so a restart or a second brand changes nothing.
- Anyone else writing in a linked chat (a group) acts as their own core user, created on
  first use and found through its `ChatIdentity` (never by email, so no web account can
  stand in for it), with the role in `brand.settings["telegram_group_role"]` (default `editor`:
  may upload and publish, and needs approval where the brand requires it). Set it to
  `none` to let only the linking person act. Every membership added this way is audited.
"""

from __future__ import annotations

import contextlib

from tortoise.exceptions import IntegrityError

from core import audit
from core.brands import redeem_link_code
from core.errors import Forbidden, NotFound
from core.identities import chat_user
from core.models import (
    Brand,
    BrandMember,
    ChatKind,
    ChatLink,
    ChatProvider,
    Role,
    TelegramChatState,
    TelegramIdentity,
    User,
)

GROUP_ROLE_SETTING = "telegram_group_role"
DEFAULT_GROUP_ROLE = Role.EDITOR


async def linked_brands(chat_id: str) -> list[Brand]:
    """The brands this chat is linked to, oldest link first."""
    links = await ChatLink.filter(kind=ChatKind.TELEGRAM, chat_id=chat_id, is_active=True
                                  ).order_by("id").prefetch_related("brand")
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
    return await ChatLink.exists(kind=ChatKind.TELEGRAM, chat_id=chat_id, brand_id=brand_id,
                                 is_active=True)


async def set_active_brand(chat_id: str, brand_id: int) -> Brand:
    """Switch the chat to one of its linked brands."""
    if not await is_linked(chat_id, brand_id):
        raise NotFound("This chat is not linked to that brand.")
    state = await chat_state(chat_id)
    state.active_brand_id = brand_id
    await state.save(update_fields=["active_brand_id", "updated_at"])
    return await Brand.get(id=brand_id)


async def link_chat(code: str, *, chat_id: str, telegram_user_id: str) -> Brand:
    """Redeem a link code for this chat; the redeemer acts as the code's creator."""
    link = await redeem_link_code(code, kind=ChatKind.TELEGRAM, chat_id=chat_id,
                                  external_user_id=telegram_user_id)
    brand = await Brand.get(id=link.brand_id)
    user_id = link.linked_by_id or brand.owner_id
    await TelegramIdentity.update_or_create(
        brand_id=brand.id, telegram_user_id=telegram_user_id, defaults={"user_id": user_id})
    await set_active_brand(chat_id, brand.id)
    return brand


async def actor_for(brand: Brand, *, chat_id: str, telegram_user_id: str,
                    display_name: str = "") -> User:
    """The core user a Telegram user acts as in this brand (see the module rules)."""
    identity = await TelegramIdentity.get_or_none(brand_id=brand.id,
                                                  telegram_user_id=telegram_user_id)
    if identity is not None:
        return await User.get(id=identity.user_id)
    if not await is_linked(chat_id, brand.id):
        raise NotFound("This chat is not linked to that brand.")
    link = await ChatLink.get(kind=ChatKind.TELEGRAM, chat_id=chat_id, brand_id=brand.id)
    if link.external_user_id == telegram_user_id:
        user = await User.get(id=link.linked_by_id or brand.owner_id)
    else:
        user = await _group_member(brand, telegram_user_id, display_name)
    with contextlib.suppress(IntegrityError):  # made concurrently by a parallel update
        await TelegramIdentity.create(brand=brand, telegram_user_id=telegram_user_id, user=user)
    return user


async def _group_member(brand: Brand, telegram_user_id: str, display_name: str) -> User:
    role_name = str((brand.settings or {}).get(GROUP_ROLE_SETTING, DEFAULT_GROUP_ROLE.value))
    if role_name not in {r.value for r in Role} or role_name == Role.OWNER.value:
        raise Forbidden("Only the person who linked this chat can use the bot here. Ask them "
                        "for a link code of your own.")
    user = await chat_user(ChatProvider.TELEGRAM, telegram_user_id, display_name=display_name,
                           brand=brand)
    member, added = await BrandMember.get_or_create(brand=brand, user=user,
                                                    defaults={"role": Role(role_name)})
    if added:
        await audit.record("member.added", actor=None, brand=brand, obj=member,
                           origin="telegram", details={"role": role_name,
                                                       "telegram_user_id": telegram_user_id})
    return user
