"""One status message per published card, edited in place while the job's targets move.

The watcher polls the database (the job may run in another process), edits at most
once per `TELEGRAM_STATUS_MIN_INTERVAL_SECONDS` per message, and waits out 429
`retry_after`. Which message belongs to which job is stored on the card, so watchers
resume after a restart; a database that is away for a while is waited out (the shared
`CardWatchers._follow` runs the watcher again) until the job comes to rest.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup

from bots.common.watchers import CardWatchers
from bots.telegram import render
from bots.telegram.cards import Cards
from core.columns import column
from core.models import JobStatus, PublishJob, PublishTarget, TelegramCard

POLL_SECONDS = 0.25
FINAL = {
    JobStatus.PUBLISHED,
    JobStatus.PARTIAL,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
    JobStatus.REJECTED,
    JobStatus.AWAITING_APPROVAL,
}
log = logging.getLogger(__name__)


def _key(text: str, markup: InlineKeyboardMarkup | None) -> str:
    return text + "\x00" + (markup.model_dump_json() if markup else "")


class StatusWatcher(CardWatchers):
    """Keeps every open status message of this bot up to date."""

    def __init__(self, bot: Bot, cards: Cards) -> None:
        super().__init__()
        self.bot = bot
        self.cards = cards
        self.settings = cards.services.settings

    async def render(self, job_id: int) -> tuple[str, InlineKeyboardMarkup | None, bool]:
        """The status text, keyboard, and whether the job has come to rest."""
        job = await PublishJob.get(id=job_id)
        targets = await PublishTarget.filter(job_id=job_id).order_by("id")
        labels = self.cards.labels()
        url = self.settings.public_url(f"/brands/{job.brand_id}/connections")
        return (
            render.status_text(job, targets, labels),
            render.status_keyboard(targets, labels, url),
            job.status in FINAL,
        )

    async def watch_job(self, job_id: int) -> None:
        """Follow every status message of a job (after approval, retry)."""
        cards = await TelegramCard.filter(job_id=job_id, status_message_id__isnull=False)
        for card in cards:
            await TelegramCard.filter(id=card.id).update(status_done=False)
            self.watch(card.id)

    async def resume(self) -> int:
        """After a restart: follow every status message whose job had not come to rest."""
        ids = await column(
            TelegramCard.filter(status_message_id__isnull=False, status_done=False).values_list(
                "id", flat=True
            ),
            int,
        )
        for card_id in ids:
            self.watch(card_id)
        return len(ids)

    async def _run(self, card_id: int) -> None:
        """Edit the card's status message until its job comes to rest.

        A database or network error ends this run; `_follow` logs it, waits and runs it
        again, so a database blink never freezes the message.
        """
        shown, last_edit = "", 0.0
        interval = self.settings.telegram_status_min_interval_seconds
        while True:
            card = await TelegramCard.get_or_none(id=card_id)
            if card is None or card.job_id is None or card.status_message_id is None:
                return
            text, markup, final = await self.render(card.job_id)
            key = _key(text, markup)
            if key != shown:
                wait = interval - (time.monotonic() - last_edit)
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue  # re-read: the state may have moved on meanwhile
                try:
                    await self.bot.edit_message_text(
                        text=text,
                        chat_id=card.chat_id,
                        message_id=card.status_message_id,
                        reply_markup=markup,
                        parse_mode="HTML",
                        link_preview_options=render.NO_PREVIEW,
                    )
                except TelegramRetryAfter as exc:
                    await asyncio.sleep(exc.retry_after)
                    continue
                except TelegramBadRequest as exc:
                    if "not modified" not in exc.message:
                        log.info("status message of card %s is gone: %s", card_id, exc.message)
                        await TelegramCard.filter(id=card_id).update(status_done=True)
                        return
                shown, last_edit = key, time.monotonic()
            if final and key == shown:
                await TelegramCard.filter(id=card_id).update(status_done=True)
                return
            await asyncio.sleep(POLL_SECONDS)
