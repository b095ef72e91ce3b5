"""What every button and modal needs: where it came from, the card, and who is acting."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks, identity
from bots.slack.errors import funnel
from bots.slack.runtime import Runtime, runtime_of
from core.app.actor import Actor
from core.errors import Conflict, NotFound
from core.models import Brand, SlackCard, User
from core.target_states import now
from core.tenancy import BrandScope

log = logging.getLogger(__name__)
DECIDED = "This card was already decided."


@dataclass
class Origin:
    """Workspace, channel and person of an interaction."""

    team_id: str
    channel_id: str
    user_id: str
    name: str


def origin_of(body: dict[str, Any]) -> Origin:
    """Read workspace, channel and user from a block_actions or shortcut payload."""
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    channel = (
        (body.get("channel") or {}).get("id")
        or (body.get("container") or {}).get("channel_id")
        or ""
    )
    name = user.get("name") or user.get("username") or ""
    return Origin(str(team), str(channel), str(user.get("id") or ""), str(name))


def card_id_of(action: dict[str, Any]) -> int:
    """The card id a button carries; NotFound for anything we did not make."""
    try:
        return int(str(action.get("value") or ""))
    except ValueError:
        raise NotFound("This button is no longer valid.") from None


@dataclass
class Acting:
    """A card and the person acting on it."""

    card: SlackCard
    brand: Brand
    actor: Actor

    @property
    def user(self) -> User:
        """The acting core user."""
        return self.actor.user

    @property
    def scope(self) -> BrandScope:
        """What the acting person may read."""
        return self.actor.scope


async def acting_on(rt: Runtime, card_id: int, where: Origin) -> Acting:
    """The card of this channel and workspace, its brand still linked here, and the actor."""
    card = await rt.cards.load(card_id, team_id=where.team_id, channel_id=where.channel_id)
    brand = await Brand.get(id=card.brand_id)
    actor = await identity.actor_for(
        brand,
        team_id=where.team_id,
        channel_id=where.channel_id,
        slack_user_id=where.user_id,
        display_name=where.name,
    )
    return Acting(card, brand, actor)


@dataclass
class Press:
    """A button press, acknowledged: the runtime, where it came from, its payload."""

    rt: Runtime
    where: Origin
    body: dict[str, Any]
    action: dict[str, Any]
    client: AsyncWebClient

    async def open_card(self, card_id: int | None = None) -> Acting:
        """The pressed card (the button's value unless `card_id`) and who is acting;
        Conflict when the card was decided already."""
        chosen = card_id_of(self.action) if card_id is None else card_id
        acting = await acting_on(self.rt, chosen, self.where)
        ensure_open(acting.card)
        return acting


PressHandler = Callable[[Press], Awaitable[None]]


def on_button(app: AsyncApp, action_id: str) -> Callable[[PressHandler], PressHandler]:
    """Register `handler(press)` for a button: acknowledged at once (Slack waits 3 s),
    errors told to the person who pressed it (`funnel`)."""

    def register(handler: PressHandler) -> PressHandler:
        @funnel
        async def listener(
            ack: AsyncAck,
            body: dict[str, Any],
            action: dict[str, Any],
            client: AsyncWebClient,
            context: AsyncBoltContext,
        ) -> None:
            await ack()
            await handler(Press(runtime_of(context), origin_of(body), body, action, client))

        app.action(action_id)(listener)
        return handler

    return register


def ensure_open(card: SlackCard) -> None:
    """Conflict when the card was decided already."""
    if card.decision == "sent":
        raise Conflict("Already on its way: see the status in the thread.")
    if card.decision and card.decision != "requested":
        raise Conflict(DECIDED)


def who(card: SlackCard, where: Origin, user: User) -> str:
    """How the decider is named on a card: a mention in their own workspace, else a name."""
    if card.team_id == where.team_id:
        return f"<@{where.user_id}>"
    return blocks.esc(user.display_name or user.email)[:64]


async def mark(
    rt: Runtime, cards: list[SlackCard], decision: str, where: Origin, user: User, note: str = ""
) -> None:
    """Record the decision on the cards and show it on each message."""
    moment = now()
    for card in cards:
        card.decision, card.decided_by, card.decided_at = decision, who(card, where, user), moment
        card.decision_note = note
        await card.save(
            update_fields=["decision", "decided_by", "decided_at", "decision_note", "updated_at"]
        )
        try:
            await rt.cards.show(card)
        except SlackApiError as exc:  # one gone message must not hide the others
            log.warning("card %s could not be updated: %s", card.id, exc.response.get("error"))
