"""Publish from a card (one job per card, however often it is tapped), Retry a target, and
decide an unknown one (Mark as posted / Publish again)."""

from __future__ import annotations

from aiogram import Bot, F, Router, types

from bots.telegram import callbacks as cb
from bots.telegram.cards import Cards
from bots.telegram.routers.card import card_for, editable
from bots.telegram.routers.common import acting
from bots.telegram.status import StatusWatcher
from core.errors import InvalidInput, NotFound
from core.models import Brand, JobStatus, MediaAsset, PublishTarget, TelegramCard
from core.publishing import create_job, existing_job, retry_target
from core.unknown_targets import resolve_unknown
from oneclick.services import Services
from tasks.publish import enqueue_targets, start_job

router = Router(name="publish")


def card_key(card: TelegramCard) -> str:
    """The idempotency key of a card's publish request."""
    return f"telegram:card:{card.id}"


@router.callback_query(cb.CardCb.filter(F.a == cb.PUBLISH))
async def publish(query: types.CallbackQuery, callback_data: cb.CardCb, bot: Bot,
                  services: Services, cards: Cards, watcher: StatusWatcher) -> None:
    """Create the job (or find the one this card already made) and show its status."""
    card, _, _, scope = await card_for(query, callback_data.c, cards)
    key = card_key(card)
    job = await existing_job(key, brand_id=card.brand_id)
    if job is not None or card.job_id is not None:
        await query.answer("Already on its way: see the status message.")
        return
    editable(card)
    if not card.selected:
        raise InvalidInput("Switch on at least one network first.")
    asset = await MediaAsset.get(id=card.asset_id)
    captions = await services.captions.captions_for_publish(asset, card.selected, {})
    job, created = await create_job(
        scope, asset=asset, platforms=card.selected,
        known_platforms=services.connectors.platforms(), captions=captions, origin="telegram",
        idempotency_key=key)
    if not created:
        await query.answer("Already on its way: see the status message.")
        return
    waiting = job.status == JobStatus.AWAITING_APPROVAL
    await query.answer("Sent for approval." if waiting else "Publishing…")
    if job.status == JobStatus.RUNNING:
        await start_job(job.id)
    card.job_id = job.id
    await card.save(update_fields=["job_id", "updated_at"])
    await cards.show(bot, card)
    text, markup, _ = await watcher.render(job.id)
    sent = await bot.send_message(card.chat_id, text, reply_markup=markup, parse_mode="HTML",
                                  reply_to_message_id=card.message_id,
                                  link_preview_options={"is_disabled": True})
    card.status_message_id = sent.message_id
    await card.save(update_fields=["status_message_id", "updated_at"])
    watcher.watch(card.id)


@router.callback_query(cb.UnknownCb.filter())
async def decide_unknown(query: types.CallbackQuery, callback_data: cb.UnknownCb,
                         watcher: StatusWatcher) -> None:
    """Mark as posted, or Publish again, a target whose outcome is unknown."""
    if query.message is None:
        raise NotFound("This button is no longer valid.")
    target = await PublishTarget.get_or_none(id=callback_data.t)
    if target is None or not await TelegramCard.exists(
            job_id=target.job_id, chat_id=str(query.message.chat.id)):
        raise NotFound("This button is no longer valid.")
    brand = await Brand.get(id=target.brand_id)
    _, _, scope = await acting(query.message.chat.id, query.from_user, brand)
    target = await scope.target(target.id)
    posted = bool(callback_data.p)
    await resolve_unknown(scope, target, posted=posted, origin="telegram")
    if not posted:
        await enqueue_targets([target.id])
    await query.answer("Marked as posted." if posted else "Publishing again…")
    await watcher.watch_job(target.job_id)


@router.callback_query(cb.RetryCb.filter())
async def retry(query: types.CallbackQuery, callback_data: cb.RetryCb,
                watcher: StatusWatcher) -> None:
    """Put a failed target back in the queue and follow it again."""
    if query.message is None:
        raise NotFound("This button is no longer valid.")
    target = await PublishTarget.get_or_none(id=callback_data.t)
    if target is None or not await TelegramCard.exists(
            job_id=target.job_id, chat_id=str(query.message.chat.id)):
        raise NotFound("This button is no longer valid.")
    brand = await Brand.get(id=target.brand_id)
    _, _, scope = await acting(query.message.chat.id, query.from_user, brand)
    target = await scope.target(target.id)
    await retry_target(scope, target, origin="telegram")
    await enqueue_targets([target.id])
    await query.answer("Retrying…")
    await watcher.watch_job(target.job_id)
