"""Included last: taps and messages no other router took."""

from __future__ import annotations

from aiogram import F, Router, types

from bots.telegram.routers.card import STALE

router = Router(name="fallback")


@router.callback_query()
async def stale(query: types.CallbackQuery) -> None:
    """Any tap no handler understood: old, malformed or forged data."""
    await query.answer(STALE)


@router.message(F.chat.type == "private", F.text)
async def chatter(message: types.Message) -> None:
    """Plain text in a private chat with nothing pending: say what the bot takes."""
    await message.answer(
        "Send me a photo, a video or an album to publish. /brand switches brands, /help explains."
    )
