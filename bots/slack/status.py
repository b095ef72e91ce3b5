"""The status reply in a card's thread, one message edited in place while the job moves.

The watcher polls the database (the job may run in another process), edits at most once
per `SLACK_STATUS_MIN_INTERVAL_SECONDS` per message; 429s are waited out by the client's
retry handler. Which reply belongs to which job is stored on the card, so watchers resume
after a restart. A failure (the database blinked) is logged and the watcher follows the
job again after a pause (`CardWatchers._follow`), until the job comes to rest.
"""

from __future__ import annotations

import asyncio
import logging
import time

from slack_sdk.errors import SlackApiError

from bots.common.watchers import CardWatchers
from bots.slack import blocks
from bots.slack.cards import SlackCards
from core.columns import column
from core.errors import NotFound
from core.models import JobStatus, PublishJob, PublishTarget, SlackCard

POLL_SECONDS = 0.25
FINAL = {
    JobStatus.PUBLISHED,
    JobStatus.PARTIAL,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
    JobStatus.REJECTED,
}
log = logging.getLogger(__name__)


class StatusWatcher(CardWatchers):
    """Keeps every open status reply of this process up to date."""

    def __init__(self, cards: SlackCards) -> None:
        super().__init__()
        self.cards = cards
        self.settings = cards.services.settings

    async def render(self, job_id: int) -> tuple[str, list[blocks.Block] | None, bool]:
        """The status text, its blocks (buttons of unknown targets), whether it is at rest."""
        job = await PublishJob.get(id=job_id)
        targets = await PublishTarget.filter(job_id=job_id).order_by("id")
        labels = self.cards.labels()
        text = blocks.status_text(job, targets, labels)
        return text, blocks.status_blocks(text, targets, labels), job.status in FINAL

    async def attach(self, card: SlackCard) -> None:
        """Post the status reply under the card (once) and follow it."""
        if card.job_id is None or card.message_ts is None:
            return
        if card.status_ts is None:
            client = await self.cards.clients.for_team(card.team_id)
            text, shown, _ = await self.render(card.job_id)
            sent = await client.chat_postMessage(
                channel=card.channel_id,
                text=text,
                blocks=shown,
                thread_ts=card.message_ts,
                unfurl_links=False,
            )
            card.status_ts = str(sent["ts"])
            card.status_done = False
            await card.save(update_fields=["status_ts", "status_done", "updated_at"])
        self.watch(card.id)

    async def resume(self) -> int:
        """After a restart: follow every status reply whose job had not come to rest."""
        ids = await column(
            SlackCard.filter(status_ts__isnull=False, status_done=False).values_list(
                "id", flat=True
            ),
            int,
        )
        for card_id in ids:
            self.watch(card_id)
        return len(ids)

    async def _run(self, card_id: int) -> None:
        """Edit the reply whenever the job moves; return when it is at rest (or gone).

        Errors (a database blink) reach `CardWatchers._follow`, which logs, waits and
        runs this again: the reply keeps following the job until it ends.
        """
        shown, last_edit = "", 0.0
        interval = self.settings.slack_status_min_interval_seconds
        while True:
            card = await SlackCard.get_or_none(id=card_id)
            if card is None or card.job_id is None or card.status_ts is None:
                return
            text, layout, final = await self.render(card.job_id)
            key = text + repr(layout)
            if key != shown:
                wait = interval - (time.monotonic() - last_edit)
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue  # re-read: the state may have moved on meanwhile
                try:
                    client = await self.cards.clients.for_team(card.team_id)
                    await client.chat_update(
                        channel=card.channel_id, ts=card.status_ts, text=text, blocks=layout or []
                    )
                except (SlackApiError, NotFound) as exc:  # deleted, or the app uninstalled
                    log.info(
                        "status reply of card %s cannot be edited: %s",
                        card_id,
                        exc.response.get("error")
                        if isinstance(exc, SlackApiError)
                        else exc.user_message,
                    )
                    await SlackCard.filter(id=card_id).update(status_done=True)
                    return
                shown, last_edit = key, time.monotonic()
            if final and key == shown:
                await SlackCard.filter(id=card_id).update(status_done=True)
                return
            await asyncio.sleep(POLL_SECONDS)
