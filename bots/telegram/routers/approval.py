"""Approvers approve or reject a waiting job from its approval card."""

from __future__ import annotations

from aiogram import Bot, F, Router, types

from bots.telegram import callbacks as cb
from bots.telegram import render
from bots.telegram.cards import Cards
from bots.telegram.routers.card import card_for
from bots.telegram.status import StatusWatcher
from core.errors import Conflict
from core.models import PublishJob, TelegramCard
from oneclick.services import Services

router = Router(name="approval")


@router.callback_query(cb.CardCb.filter(F.a.in_({cb.APPROVE, cb.REJECT})))
async def decide_tap(
    query: types.CallbackQuery,
    callback_data: cb.CardCb,
    bot: Bot,
    services: Services,
    cards: Cards,
    watcher: StatusWatcher,
) -> None:
    """Record the decision (publishing starts when approved) and follow its status here too."""
    card, _, actor = await card_for(query, callback_data.c, cards)
    if card.kind != "approval" or card.job_id is None:
        raise Conflict("This card has no request waiting for a decision.")
    approve = callback_data.a == cb.APPROVE
    job = await services.publishing.decide(actor, job_id=card.job_id, approve=approve)
    await query.answer("Approved: publishing." if approve else "Rejected.")
    await _attach_status(bot, card, watcher, job)
    await watcher.watch_job(job.id)


async def _attach_status(
    bot: Bot, card: TelegramCard, watcher: StatusWatcher, job: PublishJob
) -> None:
    text, markup, _ = await watcher.render(job.id)
    sent = await bot.send_message(
        card.chat_id,
        text,
        reply_markup=markup,
        parse_mode="HTML",
        reply_to_message_id=card.message_id,
        link_preview_options=render.NO_PREVIEW,
    )
    card.status_message_id = sent.message_id
    await card.save(update_fields=["status_message_id", "updated_at"])
    await watcher.cards.show(bot, card)
