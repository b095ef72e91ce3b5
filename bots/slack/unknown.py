"""The buttons of a target whose outcome is unknown, in a card's status reply:
`Mark as posted` and `Publish again` (the use case is `Publishing.resolve`)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bots.slack import blocks
from bots.slack.errors import tell
from bots.slack.interaction import Press, acting_on, card_id_of, on_button
from core.errors import NotFound
from core.models import PublishTarget, SlackCard


async def answer_unknown(press: Press, *, posted: bool) -> None:
    """Check the person and the card of this channel, resolve, follow the job again."""
    rt, where = press.rt, press.where
    target = await PublishTarget.get_or_none(id=card_id_of(press.action))
    card = target and await SlackCard.get_or_none(
        job_id=target.job_id, team_id=where.team_id, channel_id=where.channel_id
    )
    if target is None or card is None:
        raise NotFound("This button is no longer valid.")
    a = await acting_on(rt, card.id, where)
    await rt.services.publishing.resolve(a.actor, target_id=target.id, posted=posted)
    await tell(
        press.client,
        where.channel_id,
        where.user_id,
        "✅ Marked as posted." if posted else "🔁 Publishing it again.",
    )
    await rt.watcher.attach(await SlackCard.get(id=card.id))


def register(app: AsyncApp) -> None:
    """Add the two listeners."""

    @on_button(app, blocks.MARK_POSTED)
    async def mark_posted(press: Press) -> None:
        """Mark as posted: the person saw the post on the network."""
        await answer_unknown(press, posted=True)

    @on_button(app, blocks.PUBLISH_AGAIN)
    async def publish_again(press: Press) -> None:
        """Publish again: the person saw the post is missing."""
        await answer_unknown(press, posted=False)
