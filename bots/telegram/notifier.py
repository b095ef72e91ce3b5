"""Core events → Telegram: inbox cards, approval cards, reconnect messages (send-only bot)."""

from __future__ import annotations

import logging
from html import escape

from aiogram import Bot
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bots.telegram import render
from bots.telegram.cards import Cards
from core.columns import column
from core.models import (
    Brand,
    ChatKind,
    ChatLink,
    MediaAsset,
    PublishJob,
    SocialAccount,
    TelegramCard,
)
from core.ports.notifier import SyncSummary
from oneclick.services import Services

log = logging.getLogger(__name__)


def make_bot(services: Services) -> Bot:
    """A Bot for the configured token and Bot API server."""
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    settings = services.settings
    assert settings.telegram_bot_token is not None
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    return Bot(settings.telegram_bot_token.get_secret_value(), session=session)


class TelegramNotifier:
    """Implements `core.ports.notifier.Notifier` for every linked Telegram chat of a brand."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.cards = Cards(services)
        self._bot: Bot | None = None

    @property
    def bot(self) -> Bot:
        """The send-only bot (made on first use)."""
        if self._bot is None:
            self._bot = make_bot(self.services)
        return self._bot

    async def aclose(self) -> None:
        """Close the bot's HTTP session."""
        if self._bot is not None:
            await self._bot.session.close()
            self._bot = None

    @staticmethod
    async def _chats(brand_id: int) -> list[str]:
        return await column(
            ChatLink.filter(brand_id=brand_id, kind=ChatKind.TELEGRAM, is_active=True).values_list(
                "chat_id", flat=True
            ),
            str,
        )

    async def inbox_item(self, asset: MediaAsset) -> None:
        """Flow A: the card of a new inbox item in every linked chat."""
        if asset.parent_id is not None or asset.source == "telegram":
            return  # children travel with their album; Telegram uploads already have a card
        brand = await Brand.get(id=asset.brand_id)
        header = f"📥 <b>New in {escape(brand.name)}'s inbox</b> (from {escape(asset.source)})"
        for chat_id in await self._chats(brand.id):
            await self.cards.create(
                self.bot,
                brand=brand,
                asset=asset,
                chat_id=chat_id,
                actor=None,
                kind="inbox",
                header=header,
            )

    async def approval_needed(self, job: PublishJob) -> None:
        """The card with Approve / Reject in every linked chat."""
        brand = await Brand.get(id=job.brand_id)
        asset = await MediaAsset.get(id=job.asset_id)
        for chat_id in await self._chats(brand.id):
            if await TelegramCard.exists(job_id=job.id, chat_id=chat_id, kind="approval"):
                continue
            await self.cards.create(
                self.bot,
                brand=brand,
                asset=asset,
                chat_id=chat_id,
                actor=None,
                kind="approval",
                job=job,
            )

    async def account_needs_reconnect(self, account: SocialAccount) -> None:
        """A message with a Reconnect link to the web page."""
        brand = await Brand.get(id=account.brand_id)
        label = self.cards.labels().get(account.platform, account.platform)
        url = self.services.settings.public_url(f"/brands/{brand.id}/connections")
        kb = InlineKeyboardBuilder()
        kb.button(text="🔌 Reconnect", url=url)
        text = (
            f"⚠️ The {escape(label)} connection of <b>{escape(brand.name)}</b> needs to be "
            f"renewed: {escape(account.status_reason or 'it stopped working')}."
        )
        for chat_id in await self._chats(brand.id):
            await self.bot.send_message(
                chat_id, text, parse_mode="HTML", reply_markup=kb.as_markup()
            )

    async def sync_summary(self, summary: SyncSummary) -> None:
        """One message after an account's first sync, linking to the brand's inbox."""
        brand = await Brand.get(id=summary.account.brand_id)
        url = self.services.settings.public_url(f"/brands/{brand.id}/inbox")
        text = (
            f"📥 <b>{escape(brand.name)}</b>: {escape(summary.text)} — "
            f'<a href="{escape(url)}">open the inbox</a>.'
        )
        for chat_id in await self._chats(brand.id):
            try:
                await self.bot.send_message(
                    chat_id, text, parse_mode="HTML", link_preview_options=render.NO_PREVIEW
                )
            except Exception:  # one gone chat must not stop the others
                log.exception("sync summary in Telegram chat %s failed", chat_id)
