"""Cards: one message per asset in a chat, persisted, re-rendered from the database."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup

from bots.telegram import render
from core.columns import column
from core.errors import InvalidInput, NotFound
from core.models import (
    Brand,
    MediaAsset,
    PublishJob,
    PublishTarget,
    TelegramCard,
    User,
)
from core.publishing import default_platforms
from oneclick.services import Services

log = logging.getLogger(__name__)
GONE = "This card is no longer available. Send the media again."


async def safe_edit(
    bot: Bot,
    chat_id: str | int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    attempts: int = 3,
) -> bool:
    """Edit a message in place; "not modified" is fine, 429 waits `retry_after` and retries."""
    for _ in range(attempts):
        try:
            await bot.edit_message_text(
                text=text,
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=markup,
                parse_mode="HTML",
                link_preview_options=render.NO_PREVIEW,
            )
            return True
        except TelegramRetryAfter as exc:
            await asyncio.sleep(exc.retry_after)
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return True
            raise
    return False


class Cards:
    """Creates, loads and renders cards for one bot."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def labels(self) -> dict[str, str]:
        """Platform name → human label."""
        return self.services.connectors.labels()

    async def platforms_for(self, brand: Brand, asset: MediaAsset) -> list[str]:
        """The brand's connected platforms that can take this asset."""
        return await self.services.connectors.platforms_for(brand, asset)

    async def create(
        self,
        bot: Bot,
        *,
        brand: Brand,
        asset: MediaAsset,
        chat_id: str,
        actor: User | None,
        kind: str = "upload",
        message_id: int | None = None,
        reply_to: int | None = None,
        job: PublishJob | None = None,
        header: str = "",
    ) -> TelegramCard:
        """Adapt captions, store the card and show it (editing `message_id` if given)."""
        platforms = await self.platforms_for(brand, asset)
        if not platforms:
            raise InvalidInput(
                "This brand has no connected network that takes this media. "
                "Connect one on the brand's Connections page."
            )
        selected = default_platforms(asset, platforms)
        if job is not None:
            selected = list(
                dict.fromkeys(
                    await column(
                        PublishTarget.filter(job_id=job.id).values_list("platform", flat=True), str
                    )
                )
            )
        card = await TelegramCard.create(
            brand=brand,
            asset=asset,
            chat_id=chat_id,
            kind=kind,
            platforms=platforms,
            selected=selected,
            job=job,
            created_by=actor,
            message_id=message_id,
        )
        text, markup = await self.view(card, header=header)
        if message_id is not None:
            await safe_edit(bot, chat_id, message_id, text, markup)
        else:
            sent = await bot.send_message(
                chat_id,
                text,
                reply_markup=markup,
                parse_mode="HTML",
                reply_to_message_id=reply_to,
                link_preview_options=render.NO_PREVIEW,
            )
            card.message_id = sent.message_id
            await card.save(update_fields=["message_id", "updated_at"])
        return card

    async def load(self, card_id: int, chat_id: str) -> TelegramCard:
        """A card of this chat whose asset still exists; NotFound (plain words) otherwise."""
        card = await TelegramCard.get_or_none(id=card_id, chat_id=chat_id)
        if card is None:
            raise NotFound(GONE)
        asset = await MediaAsset.get_or_none(id=card.asset_id)
        if asset is None or asset.deleted_at is not None:
            raise NotFound("This item was deleted, so there is nothing to do with it anymore.")
        return card

    async def view(
        self, card: TelegramCard, *, header: str = "", mode: str = "card"
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """The card's text and keyboard as its state says."""
        asset = await MediaAsset.get(id=card.asset_id)
        brand = await Brand.get(id=card.brand_id)
        labels = self.labels()
        captions: dict[str, str]
        if card.job_id is not None:
            job = await PublishJob.get(id=card.job_id).prefetch_related("targets")
            captions = {t.platform: t.caption for t in job.targets}
        else:
            adapted = await self.services.captions.adapt(asset, card.platforms, origin="telegram")
            captions = {p: c.text for p, c in adapted.items()}
        children = await MediaAsset.filter(parent_id=asset.id).count()
        footer, markup = self._state(card, labels, mode)
        if card.kind == "approval" and not header:
            header = f"🕒 <b>Approval needed</b> · {render.describe(asset, children)}"
        text = render.card_text(
            brand_name=brand.name,
            asset=asset,
            card=card,
            captions=captions,
            labels=labels,
            children=children,
            header=header,
            footer=footer,
        )
        return text, markup

    def _state(
        self, card: TelegramCard, labels: dict[str, str], mode: str
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        if card.closed_at is not None:
            return "✖️ Dismissed. The item stays in the brand's inbox on the web page.", None
        if card.kind == "approval":
            if card.status_message_id is None:
                return "", render.approval_keyboard(card)
            return "Decision recorded: status below.", None
        if card.job_id is not None:
            return "🚀 Sent: the status follows below.", None
        if mode == "edit":
            return "Choose a caption to write yourself, or regenerate.", render.edit_keyboard(
                card, labels
            )
        return "", render.card_keyboard(card, labels)

    async def show(self, bot: Bot, card: TelegramCard, *, mode: str = "card", **kw: Any) -> None:
        """Re-render the card message in place."""
        if card.message_id is None:
            return
        text, markup = await self.view(card, mode=mode, **kw)
        await safe_edit(bot, card.chat_id, card.message_id, text, markup)
