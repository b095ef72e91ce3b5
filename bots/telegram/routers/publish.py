"""Publish from a card (one job per card, however often it is tapped), Retry a target, and
decide an unknown one (Mark as posted / Publish again)."""

from __future__ import annotations

from aiogram import Bot, F, Router, types

from bots.telegram import callbacks as cb
from bots.telegram import render
from bots.telegram.cards import Cards
from bots.telegram.routers.card import STALE, card_for, editable
from bots.telegram.routers.common import acting
from bots.telegram.status import StatusWatcher
from core.app.actor import Actor
from core.errors import InvalidInput, NotFound
from core.models import Brand, PublishTarget, TelegramCard
from oneclick.services import Services

router = Router(name="publish")
ON_ITS_WAY = "Already on its way: see the status message."


def card_key(card: TelegramCard) -> str:
    """The idempotency key of a card's publish request."""
    return f"telegram:card:{card.id}"


@router.callback_query(cb.CardCb.filter(F.a == cb.PUBLISH))
async def publish(
    query: types.CallbackQuery,
    callback_data: cb.CardCb,
    bot: Bot,
    services: Services,
    cards: Cards,
    watcher: StatusWatcher,
) -> None:
    """Publish the card's networks (or find the job this card already made); show its status."""
    card, _, actor = await card_for(query, callback_data.c, cards)
    if card.job_id is not None:
        await query.answer(ON_ITS_WAY)
        return
    editable(card)
    if not card.selected:
        raise InvalidInput("Switch on at least one network first.")
    result = await services.publishing.publish(
        actor, asset_id=card.asset_id, platforms=card.selected, idempotency_key=card_key(card)
    )
    if not result.created:
        await query.answer(ON_ITS_WAY)
        return
    job = result.job
    await query.answer("Sent for approval." if result.awaiting_approval else "Publishing…")
    card.job_id = job.id
    await card.save(update_fields=["job_id", "updated_at"])
    await cards.show(bot, card)
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
    watcher.watch(card.id)


async def _target_acting(query: types.CallbackQuery, target_id: int) -> tuple[int, Actor]:
    """The tapped status button's target (shown in this chat) and who acts on it."""
    if query.message is None:
        raise NotFound(STALE)
    target = await PublishTarget.get_or_none(id=target_id)
    if target is None or not await TelegramCard.exists(
        job_id=target.job_id, chat_id=str(query.message.chat.id)
    ):
        raise NotFound(STALE)
    brand = await Brand.get(id=target.brand_id)
    _, actor = await acting(query.message.chat.id, query.from_user, brand)
    return target.id, actor


@router.callback_query(cb.UnknownCb.filter())
async def decide_unknown(
    query: types.CallbackQuery,
    callback_data: cb.UnknownCb,
    services: Services,
    watcher: StatusWatcher,
) -> None:
    """Mark as posted, or Publish again, a target whose outcome is unknown."""
    target_id, actor = await _target_acting(query, callback_data.t)
    posted = bool(callback_data.p)
    target = await services.publishing.resolve(actor, target_id=target_id, posted=posted)
    await query.answer("Marked as posted." if posted else "Publishing again…")
    await watcher.watch_job(target.job_id)


@router.callback_query(cb.RetryCb.filter())
async def retry(
    query: types.CallbackQuery,
    callback_data: cb.RetryCb,
    services: Services,
    watcher: StatusWatcher,
) -> None:
    """Put a failed target back in the queue and follow it again."""
    target_id, actor = await _target_acting(query, callback_data.t)
    target = await services.publishing.retry(actor, target_id=target_id)
    await query.answer("Retrying…")
    await watcher.watch_job(target.job_id)
