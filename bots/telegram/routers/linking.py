"""Linking a chat to a brand (/start CODE) and switching brands (/brand)."""

from __future__ import annotations

from html import escape

from aiogram import F, Router, types
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bots.telegram import identity
from bots.telegram.callbacks import BrandCb
from bots.telegram.routers.common import NOT_LINKED

router = Router(name="linking")
HELP = (
    "Send me a photo, a video or an album: I reply with captions adapted to each network "
    "and buttons to publish everywhere with one tap. /brand switches between the brands "
    "linked to this chat; /sync brings new Instagram posts into the inbox now."
)


@router.message(CommandStart())
async def start(message: types.Message, command: CommandObject) -> None:
    """`/start CODE` links this chat; `/start` alone explains."""
    code = (command.args or "").strip()
    chat_id = str(message.chat.id)
    if not code:
        brand = await identity.active_brand(chat_id)
        await message.answer(
            f"Working on <b>{escape(brand.name)}</b>. {HELP}" if brand else NOT_LINKED,
            parse_mode="HTML" if brand else None,
        )
        return
    if message.from_user is None:
        return
    brand = await identity.link_chat(
        code, chat_id=chat_id, telegram_user_id=str(message.from_user.id)
    )
    await message.answer(
        f"✅ This chat is now linked to <b>{escape(brand.name)}</b>.\n{HELP}", parse_mode="HTML"
    )


@router.message(Command("help"))
async def help_(message: types.Message) -> None:
    """What the bot does."""
    await message.answer(HELP)


@router.message(Command("brand"))
async def brand_menu(message: types.Message) -> None:
    """List the chat's brands as buttons; the active one is marked."""
    chat_id = str(message.chat.id)
    brands = await identity.linked_brands(chat_id)
    if not brands:
        await message.answer(NOT_LINKED)
        return
    active = await identity.active_brand(chat_id)
    kb = InlineKeyboardBuilder()
    for brand in brands:
        mark = "● " if active and brand.id == active.id else ""
        kb.button(text=f"{mark}{brand.name}", callback_data=BrandCb(b=brand.id))
    kb.adjust(1)
    await message.answer("Which brand should this chat work on?", reply_markup=kb.as_markup())


@router.callback_query(BrandCb.filter())
async def pick_brand(query: types.CallbackQuery, callback_data: BrandCb) -> None:
    """Switch the chat's active brand."""
    if query.message is None:
        await query.answer("This button is too old.")
        return
    brand = await identity.set_active_brand(str(query.message.chat.id), callback_data.b)
    await query.answer(f"Now working on {brand.name}.")
    if isinstance(query.message, types.Message):  # an inaccessible one can no longer be edited
        await query.message.edit_text(
            f"Now working on <b>{escape(brand.name)}</b>.", parse_mode="HTML"
        )


@router.message(F.text.startswith("/"), F.chat.type == "private")
async def unknown_command(message: types.Message) -> None:
    """A command the bot does not know."""
    await message.answer("I don't know that command. " + HELP)
