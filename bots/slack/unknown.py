"""The buttons of a target whose outcome is unknown, in a card's status reply:
`Mark as posted` and `Publish again` (the use case is `Publishing.resolve`)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.errors import funnel, tell
from bots.slack.interaction import acting_on, card_id_of, origin_of
from bots.slack.runtime import Runtime, runtime_of
from core.errors import NotFound
from core.models import PublishTarget, SlackCard


async def answer_unknown(
    rt: Runtime,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    *,
    posted: bool,
) -> None:
    """Check the person and the card of this channel, resolve, follow the job again."""
    where = origin_of(body)
    target = await PublishTarget.get_or_none(id=card_id_of(action))
    card = target and await SlackCard.get_or_none(
        job_id=target.job_id, team_id=where.team_id, channel_id=where.channel_id
    )
    if target is None or card is None:
        raise NotFound("This button is no longer valid.")
    a = await acting_on(rt, card.id, where)
    await rt.services.publishing.resolve(a.actor, target_id=target.id, posted=posted)
    await tell(
        client,
        where.channel_id,
        where.user_id,
        "✅ Marked as posted." if posted else "🔁 Publishing it again.",
    )
    await rt.watcher.attach(await SlackCard.get(id=card.id))


def register(app: AsyncApp) -> None:
    """Add the two listeners."""

    @app.action(blocks.MARK_POSTED)
    @funnel
    async def mark_posted(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """Mark as posted: the person saw the post on the network."""
        await ack()
        await answer_unknown(runtime_of(context), body, action, client, posted=True)

    @app.action(blocks.PUBLISH_AGAIN)
    @funnel
    async def publish_again(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """Publish again: the person saw the post is missing."""
        await ack()
        await answer_unknown(runtime_of(context), body, action, client, posted=False)
