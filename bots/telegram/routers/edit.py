"""Edit caption: pick a platform and send the text, or regenerate with a hint."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router, types
from aiogram.filters import Command

from bots.telegram import callbacks as cb
from bots.telegram import identity
from bots.telegram.cards import Cards
from bots.telegram.routers.card import STALE, card_for, editable
from bots.telegram.routers.common import acting
from core.app.actor import Actor
from core.app.roles import Action
from core.errors import NotFound
from core.models import Brand, TelegramCard, TelegramChatState
from oneclick.services import Services

router = Router(name="edit")


@router.callback_query(cb.CardCb.filter(F.a == cb.EDIT))
async def edit_menu(
    query: types.CallbackQuery, callback_data: cb.CardCb, bot: Bot, cards: Cards
) -> None:
    """Show the edit choices on the card."""
    card, brand, actor = await card_for(query, callback_data.c, cards)
    await actor.may(brand.id, Action.EDIT)
    editable(card)
    await query.answer()
    await cards.show(bot, card, mode="edit")


async def _pend(query: types.CallbackQuery, card: TelegramCard, kind: str, platform: str) -> None:
    assert query.message is not None
    state = await identity.chat_state(str(query.message.chat.id))
    state.pending_card_id = card.id
    state.pending_kind = kind
    state.pending_platform = platform
    state.pending_user_id = str(query.from_user.id)
    await state.save()


@router.callback_query(cb.CardCb.filter(F.a == cb.OVERRIDE))
async def choose_platform(
    query: types.CallbackQuery, callback_data: cb.CardCb, cards: Cards
) -> None:
    """The next text message of this person becomes the platform's caption."""
    card, brand, actor = await card_for(query, callback_data.c, cards)
    await actor.may(brand.id, Action.EDIT)
    editable(card)
    if callback_data.p not in card.platforms:
        raise NotFound(STALE)
    await _pend(query, card, "override", callback_data.p)
    label = cards.labels().get(callback_data.p, callback_data.p)
    await query.answer()
    assert query.message is not None
    await query.message.answer(
        f"Send the new <b>{escape(label)}</b> caption as your next message (/cancel to stop).",
        parse_mode="HTML",
        reply_markup=types.ForceReply(selective=True),
    )


@router.callback_query(cb.CardCb.filter(F.a == cb.HINT))
async def ask_hint(query: types.CallbackQuery, callback_data: cb.CardCb, cards: Cards) -> None:
    """The next text message of this person is a hint for regenerating the captions."""
    card, brand, actor = await card_for(query, callback_data.c, cards)
    await actor.may(brand.id, Action.EDIT)
    editable(card)
    await _pend(query, card, "hint", "")
    await query.answer()
    assert query.message is not None
    await query.message.answer(
        "How should the captions change? (e.g. “shorter”, “mention the sale”). /cancel to stop.",
        reply_markup=types.ForceReply(selective=True),
    )


async def regenerate(
    bot: Bot, services: Services, cards: Cards, card: TelegramCard, hint: str, actor: Actor
) -> None:
    """Remake the selected platforms' captions with the hint, then show the card.

    Why the rules wrote them instead of the AI (budget used up, AI down) is said in the chat.
    """
    made = await services.assets.adapt(
        actor,
        asset_id=card.asset_id,
        platforms=card.selected or card.platforms,
        hint=hint,
        regenerate=True,
    )
    await cards.show(bot, card)
    for note in dict.fromkeys(n for c in made.values() if (n := getattr(c, "note", None))):
        await bot.send_message(card.chat_id, note)


@router.callback_query(cb.CardCb.filter(F.a == cb.REGENERATE))
async def regenerate_tap(
    query: types.CallbackQuery, callback_data: cb.CardCb, bot: Bot, services: Services, cards: Cards
) -> None:
    """Regenerate with a preset hint (shorter, longer, more casual)."""
    card, _, actor = await card_for(query, callback_data.c, cards)
    editable(card)
    hint = cb.HINTS.get(callback_data.p)
    if hint is None:
        raise NotFound(STALE)
    # refused before the tap is answered, so the answer says why
    await services.assets.check_rewrite(actor, asset_id=card.asset_id)
    await query.answer(f"Rewriting: {hint}…")
    await regenerate(bot, services, cards, card, hint, actor)


@router.message(Command("cancel"))
async def cancel_pending(message: types.Message) -> None:
    """Forget a pending caption edit."""
    state = await identity.chat_state(str(message.chat.id))
    state.pending_card_id, state.pending_kind, state.pending_user_id = None, "", ""
    await state.save()
    await message.answer("OK, nothing pending.")


async def _pending_for(message: types.Message) -> TelegramChatState | None:
    if message.from_user is None:
        return None
    state = await TelegramChatState.get_or_none(chat_id=str(message.chat.id))
    if (
        state is None
        or state.pending_card_id is None
        or state.pending_user_id != str(message.from_user.id)
    ):
        return None
    return state


async def _has_pending(message: types.Message) -> bool:
    return await _pending_for(message) is not None


@router.message(F.text, ~F.text.startswith("/"), _has_pending)
async def pending_text(message: types.Message, bot: Bot, services: Services, cards: Cards) -> None:
    """The awaited caption (or hint) arrived."""
    state = await _pending_for(message)
    assert state is not None and message.text is not None
    card = await cards.load(state.pending_card_id or 0, str(message.chat.id))
    editable(card)
    brand = await Brand.get(id=card.brand_id)
    _, actor = await acting(message.chat.id, message.from_user, brand)
    if state.pending_kind == "override":
        caption = await services.assets.set_caption(
            actor, asset_id=card.asset_id, platform=state.pending_platform, text=message.text
        )
        reply = f"✅ {cards.labels().get(caption.platform, caption.platform)} caption updated."
    else:
        await regenerate(bot, services, cards, card, message.text[:300], actor)
        reply = "✅ Captions rewritten."
    state.pending_card_id, state.pending_kind, state.pending_user_id = None, "", ""
    await state.save()
    await cards.show(bot, card)
    await message.reply(reply)
