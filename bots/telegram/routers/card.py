"""The card's buttons: platform toggles, Cancel, and a catch-all for stale or forged taps."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router, types

from bots.telegram import callbacks as cb
from bots.telegram.cards import Cards
from bots.telegram.routers.common import acting
from core.app.actor import Actor
from core.app.roles import Action
from core.errors import Conflict, NotFound
from core.models import Brand, TelegramCard
from oneclick.services import Services

router = Router(name="card")
STALE = "This button is no longer valid."


async def card_for(
    query: types.CallbackQuery, card_id: int, cards: Cards
) -> tuple[TelegramCard, Brand, Actor]:
    """The tapped card (of this chat, linked brand, live asset) and who acts on it."""
    if query.message is None:
        raise NotFound(STALE)
    card = await cards.load(card_id, str(query.message.chat.id))
    brand = await Brand.get(id=card.brand_id)
    _, actor = await acting(query.message.chat.id, query.from_user, brand)
    await actor.scope.asset(card.asset_id)
    return card, brand, actor


def editable(card: TelegramCard) -> None:
    """Refuse changes to a card that was published or dismissed."""
    if card.closed_at is not None:
        raise Conflict("This card was dismissed. Send the media again to start over.")
    if card.job_id is not None:
        raise Conflict("This was already sent for publishing; see the status message.")


@router.callback_query(cb.CardCb.filter(F.a == cb.TOGGLE))
async def toggle(
    query: types.CallbackQuery, callback_data: cb.CardCb, bot: Bot, cards: Cards
) -> None:
    """Switch one platform on or off."""
    card, brand, actor = await card_for(query, callback_data.c, cards)
    await actor.may(brand.id, Action.PUBLISH)
    editable(card)
    platform = callback_data.p
    if platform not in card.platforms:
        raise NotFound(STALE)
    on = platform not in card.selected
    card.selected = (
        [p for p in card.platforms if p in card.selected or p == platform]
        if on
        else [p for p in card.selected if p != platform]
    )
    await card.save(update_fields=["selected", "updated_at"])
    await query.answer(f"{cards.labels().get(platform, platform)}: {'on' if on else 'off'}")
    await cards.show(bot, card)


@router.callback_query(cb.CardCb.filter(F.a == cb.CANCEL))
async def cancel(
    query: types.CallbackQuery, callback_data: cb.CardCb, bot: Bot, services: Services, cards: Cards
) -> None:
    """Dismiss the card (the asset stays in the inbox)."""
    card, _, actor = await card_for(query, callback_data.c, cards)
    editable(card)
    await services.assets.dismiss(actor, asset_id=card.asset_id, card_id=card.id)
    card.closed_at = datetime.now(UTC)
    await card.save(update_fields=["closed_at", "updated_at"])
    await query.answer("Dismissed.")
    await cards.show(bot, card)


@router.callback_query(cb.CardCb.filter(F.a == cb.BACK))
async def back(
    query: types.CallbackQuery, callback_data: cb.CardCb, bot: Bot, cards: Cards
) -> None:
    """Back from the edit menu to the card."""
    card, *_ = await card_for(query, callback_data.c, cards)
    await query.answer()
    await cards.show(bot, card)
