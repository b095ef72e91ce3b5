"""Buttons on a card: platform checkboxes and `Approve & publish`.

On an approval card `Approve & publish` approves the waiting job (approvers); on an inbox
card it publishes the item (editors: the role table), which may become a request for
approval when the brand requires one.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.errors import tell
from bots.slack.interaction import Acting, Origin, Press, mark, on_button
from bots.slack.runtime import Runtime
from core.app.roles import Action
from core.errors import Conflict, InvalidInput
from core.models import SlackCard
from core.publishing import scoped_key

ON_ITS_WAY = "Already on its way: see the status in the thread."
TICK_ONE = "Tick at least one network to publish to."


def card_key(card: SlackCard) -> str:
    """The idempotency key of a card's publish request."""
    return f"slack:card:{card.id}"


def _chosen(body: dict[str, Any], card: SlackCard) -> list[str]:
    ticked = blocks.selected_from_state(body.get("state") or {}, card.id)
    chosen = card.selected if ticked is None else ticked
    return [p for p in card.platforms if p in chosen]


async def approve_pending(rt: Runtime, a: Acting, where: Origin, chosen: list[str]) -> None:
    """An approver approves a waiting job with the ticked networks, then follows it."""
    assert a.card.job_id is not None
    job = await rt.services.publishing.decide(
        a.actor, job_id=a.card.job_id, approve=True, platforms=chosen
    )
    await mark(rt, list(await SlackCard.filter(job_id=job.id)), "approved", where, a.user)
    await rt.watcher.attach(await SlackCard.get(id=a.card.id))


async def publish_inbox(
    rt: Runtime, a: Acting, where: Origin, chosen: list[str], client: AsyncWebClient
) -> None:
    """Publish an inbox item (one job per card); a request waits where approval is required."""
    card, key = a.card, card_key(a.card)
    await a.actor.may(card.brand_id, Action.PUBLISH)  # an approver: the role table's words
    if card.job_id is not None or await rt.services.publishing.existing(
        a.actor, brand_id=card.brand_id, idempotency_key=key
    ):
        raise Conflict(ON_ITS_WAY)
    if not chosen:
        raise InvalidInput(TICK_ONE)
    # the job stores the brand-scoped form of the key; the notifier matches on it
    card.job_key, card.selected = scoped_key(key, brand_id=card.brand_id) or "", chosen
    await card.save(update_fields=["job_key", "selected", "updated_at"])
    result = await rt.services.publishing.publish(
        a.actor, asset_id=card.asset_id, platforms=chosen, idempotency_key=key
    )
    if not result.created:
        raise Conflict(ON_ITS_WAY)
    card = await SlackCard.get(id=card.id)  # the notifier may have turned it into an approval
    if result.awaiting_approval:
        if card.job_id is None:
            card.kind, card.job_id = "approval", result.job.id
            await card.save(update_fields=["kind", "job_id", "updated_at"])
            await rt.cards.show(card)
        await tell(
            client,
            where.channel_id,
            where.user_id,
            f"🕒 Sent for approval: an approver of {a.brand.name} decides.",
        )
        return
    card.job_id = result.job.id
    await card.save(update_fields=["job_id", "updated_at"])
    await mark(rt, [card], "sent", where, a.user)
    await rt.watcher.attach(await SlackCard.get(id=card.id))


def register(app: AsyncApp) -> None:
    """Add the button listeners."""

    @on_button(app, blocks.APPROVE)
    async def approve(press: Press) -> None:
        """Approve & publish: decide a waiting job, or publish an inbox item."""
        a = await press.open_card()
        chosen = _chosen(press.body, a.card)
        if a.card.kind == "approval" and a.card.job_id is not None:
            await approve_pending(press.rt, a, press.where, chosen)
        else:
            await publish_inbox(press.rt, a, press.where, chosen, press.client)

    @on_button(app, blocks.PLATFORMS)
    async def platforms(press: Press) -> None:
        """Remember the ticked networks and show them on the card."""
        card_id = int(str(press.action.get("block_id", "")).rpartition(":")[2] or 0)
        a = await press.open_card(card_id)
        ticked = {str(o.get("value")) for o in press.action.get("selected_options") or []}
        a.card.selected = [p for p in a.card.platforms if p in ticked]
        await a.card.save(update_fields=["selected", "updated_at"])
        await press.rt.cards.show(a.card)

    @app.action("oc_reconnect")
    async def reconnect(ack: AsyncAck) -> None:
        """A link button: Slack opens the URL, we only acknowledge."""
        await ack()
