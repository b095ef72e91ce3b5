"""Buttons on a card: platform checkboxes and `Approve & publish`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.errors import funnel, tell
from bots.slack.interaction import (
    Acting,
    Origin,
    acting_on,
    card_id_of,
    ensure_open,
    mark,
    origin_of,
)
from bots.slack.runtime import Runtime
from core.errors import Conflict, InvalidInput
from core.models import JobStatus, PublishTarget, SlackCard, TargetStatus
from core.publishing import create_job, decide, existing_job, scoped_key
from core.target_states import transition
from tasks.publish import start_job

ON_ITS_WAY = "Already on its way: see the status in the thread."


def card_key(card: SlackCard) -> str:
    """The idempotency key of a card's publish request."""
    return f"slack:card:{card.id}"


def _chosen(body: dict[str, Any], card: SlackCard) -> list[str]:
    ticked = blocks.selected_from_state(body.get("state") or {}, card.id)
    chosen = card.selected if ticked is None else ticked
    return [p for p in card.platforms if p in chosen]


async def approve_pending(rt: Runtime, a: Acting, where: Origin, chosen: list[str]) -> None:
    """An approver approves a waiting job: decide, drop unticked networks, start, follow."""
    assert a.card.job_id is not None
    job = await a.scope.job(a.card.job_id)
    if not chosen:
        raise InvalidInput("Tick at least one network to publish to.")
    job = await decide(a.scope, job, approve=True, origin="slack")
    for target in await PublishTarget.filter(job_id=job.id, status=TargetStatus.PENDING):
        if target.platform not in chosen:
            await transition(target, TargetStatus.CANCELLED, origin="slack",
                             actor_id=a.user.id)
    await start_job(job.id)
    await mark(rt, list(await SlackCard.filter(job_id=job.id)), "approved", where, a.user)
    await rt.watcher.attach(await SlackCard.get(id=a.card.id))


async def publish_inbox(rt: Runtime, a: Acting, where: Origin, chosen: list[str],
                        client: AsyncWebClient) -> None:
    """Publish an inbox item (one job per card); a non-approver's request waits for approval."""
    card, key = a.card, card_key(a.card)
    if card.job_id is not None or await existing_job(key, brand_id=card.brand_id):
        raise Conflict(ON_ITS_WAY)
    if not chosen:
        raise InvalidInput("Tick at least one network to publish to.")
    asset = await a.scope.asset(card.asset_id)
    # the job stores the brand-scoped form of the key; the notifier matches on it
    card.job_key, card.selected = scoped_key(key, brand_id=card.brand_id) or "", chosen
    await card.save(update_fields=["job_key", "selected", "updated_at"])
    captions = await rt.services.captions.captions_for_publish(asset, chosen, {})
    job, created = await create_job(
        a.scope, asset=asset, platforms=chosen, known_platforms=rt.services.connectors.platforms(),
        captions=captions, origin="slack", idempotency_key=key)
    if not created:
        raise Conflict(ON_ITS_WAY)
    card = await SlackCard.get(id=card.id)  # the notifier may have turned it into an approval
    if job.status == JobStatus.AWAITING_APPROVAL:
        if card.job_id is None:
            card.kind, card.job_id = "approval", job.id
            await card.save(update_fields=["kind", "job_id", "updated_at"])
            await rt.cards.show(card)
        await tell(client, where.channel_id, where.user_id,
                   f"🕒 Sent for approval: an approver of {a.brand.name} decides.")
        return
    card.job_id = job.id
    await card.save(update_fields=["job_id", "updated_at"])
    await start_job(job.id)
    await mark(rt, [card], "sent", where, a.user)
    await rt.watcher.attach(await SlackCard.get(id=card.id))


def register(app: AsyncApp, rt: Runtime) -> None:
    """Add the button listeners."""

    @app.action(blocks.APPROVE)
    @funnel
    async def approve(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                      client: AsyncWebClient) -> None:
        """Approve & publish: ack at once, then decide or publish."""
        await ack()
        where = origin_of(body)
        a = await acting_on(rt, card_id_of(action), where)
        ensure_open(a.card)
        chosen = _chosen(body, a.card)
        if a.card.kind == "approval" and a.card.job_id is not None:
            await approve_pending(rt, a, where, chosen)
        else:
            await publish_inbox(rt, a, where, chosen, client)

    @app.action(blocks.PLATFORMS)
    @funnel
    async def platforms(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient) -> None:
        """Remember the ticked networks and show them on the card."""
        await ack()
        where = origin_of(body)
        card_id = int(str(action.get("block_id", "")).rpartition(":")[2] or 0)
        a = await acting_on(rt, card_id, where)
        ensure_open(a.card)
        ticked = {str(o.get("value")) for o in action.get("selected_options") or []}
        a.card.selected = [p for p in a.card.platforms if p in ticked]
        await a.card.save(update_fields=["selected", "updated_at"])
        await rt.cards.show(a.card)

    @app.action("oc_reconnect")
    async def reconnect(ack: AsyncAck) -> None:
        """A link button: Slack opens the URL, we only acknowledge."""
        await ack()

