"""`/sync`: bring the brand's new Instagram posts into the inbox now, not at the next run."""

from __future__ import annotations

from html import escape

from aiogram import Router, types
from aiogram.filters import Command

from bots.telegram.routers.common import acting
from core.ingest_sync import handle
from oneclick.services import Services

router = Router(name="sync")


@router.message(Command("sync"))
async def sync(message: types.Message, services: Services) -> None:
    """Queue a sync of the chat's brand's Instagram accounts and say what happens next."""
    brand, actor = await acting(message.chat.id, message.from_user)
    accounts = await services.accounts.sync_now(actor, brand_id=brand.id)
    names = ", ".join(escape(handle(a)) for a in accounts)
    await message.answer(
        f"🔄 Syncing {names} for <b>{escape(brand.name)}</b>: new posts arrive here in a moment.",
        parse_mode="HTML",
    )
