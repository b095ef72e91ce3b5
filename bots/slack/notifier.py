"""Core events → Slack: inbox cards, approval cards and reconnect notes in linked channels."""

from __future__ import annotations

import logging

from bots.slack import blocks
from bots.slack.cards import SlackCards
from bots.slack.client import SlackClients
from bots.slack.install import DbInstallationStore
from core.columns import column
from core.models import (
    Brand,
    ChatKind,
    ChatLink,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SlackCard,
    SocialAccount,
)
from core.ports.notifier import SyncSummary
from oneclick.services import Services

log = logging.getLogger(__name__)


def slack_clients(services: Services) -> SlackClients:
    """Clients backed by the database installation store."""
    store = DbInstallationStore(services.cipher, services.settings.slack_client_id or "")
    return SlackClients(services.settings, store)


class SlackNotifier:
    """Implements `core.ports.notifier.Notifier` for every linked Slack channel of a brand."""

    def __init__(self, services: Services, cards: SlackCards | None = None) -> None:
        self.services = services
        self.cards = cards or SlackCards(services, slack_clients(services))

    async def aclose(self) -> None:
        """Nothing to release: the Web API clients open a session per call."""

    @staticmethod
    async def _channels(brand_id: int) -> list[tuple[str, str]]:
        links = await ChatLink.filter(
            brand_id=brand_id, kind=ChatKind.SLACK, is_active=True
        ).order_by("id")
        return [(link.workspace_id, link.chat_id) for link in links]

    async def inbox_item(self, asset: MediaAsset) -> None:
        """A card for a new inbox item in every linked channel that has none yet."""
        if asset.parent_id is not None:
            return  # children travel with their carousel
        brand = await Brand.get(id=asset.brand_id)
        for team_id, channel_id in await self._channels(brand.id):
            if await SlackCard.exists(asset_id=asset.id, team_id=team_id, channel_id=channel_id):
                continue
            try:
                await self.cards.create(
                    brand=brand, asset=asset, team_id=team_id, channel_id=channel_id, kind="inbox"
                )
            except Exception:  # one broken channel must not stop the others
                log.exception(
                    "inbox card for asset %s in Slack channel %s failed", asset.id, channel_id
                )

    async def approval_needed(self, job: PublishJob) -> None:
        """The approval card in every linked channel (the card that asked turns into it)."""
        brand = await Brand.get(id=job.brand_id)
        asset = await MediaAsset.get(id=job.asset_id)
        platforms = list(
            dict.fromkeys(
                await column(
                    PublishTarget.filter(job_id=job.id)
                    .order_by("id")
                    .values_list("platform", flat=True),
                    str,
                )
            )
        )
        for team_id, channel_id in await self._channels(brand.id):
            try:
                if await SlackCard.exists(
                    job_id=job.id, team_id=team_id, channel_id=channel_id, kind="approval"
                ):
                    continue
                asking = None
                if job.idempotency_key:
                    asking = await SlackCard.get_or_none(
                        job_key=job.idempotency_key, team_id=team_id, channel_id=channel_id
                    )
                if asking is not None:
                    asking.kind, asking.job_id = "approval", job.id
                    asking.platforms = asking.selected = platforms
                    await asking.save()
                    await self.cards.show(asking)
                    continue
                await self.cards.create(
                    brand=brand,
                    asset=asset,
                    team_id=team_id,
                    channel_id=channel_id,
                    kind="approval",
                    job=job,
                )
            except Exception:
                log.exception(
                    "approval card for job %s in Slack channel %s failed", job.id, channel_id
                )

    async def account_needs_reconnect(self, account: SocialAccount) -> None:
        """A note with a Reconnect button to the brand's Connections page."""
        brand = await Brand.get(id=account.brand_id)
        label = self.cards.labels().get(account.platform, account.platform)
        url = self.services.settings.public_url(f"/brands/{brand.id}/connections")
        text = (
            f"⚠️ The {blocks.esc(label)} connection of *{blocks.esc(brand.name)}* needs to "
            f"be renewed: {blocks.esc(account.status_reason or 'it stopped working')}."
        )
        body = [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": text},
                "accessory": {
                    "type": "button",
                    "url": url,
                    "action_id": "oc_reconnect",
                    "text": {"type": "plain_text", "text": "🔌 Reconnect"},
                },
            }
        ]
        for team_id, channel_id in await self._channels(brand.id):
            try:
                client = await self.cards.clients.for_team(team_id)
                await client.chat_postMessage(channel=channel_id, text=text, blocks=body)
            except Exception:
                log.exception("reconnect note in Slack channel %s failed", channel_id)

    async def sync_summary(self, summary: SyncSummary) -> None:
        """One message after an account's first sync, linking to the brand's inbox."""
        brand = await Brand.get(id=summary.account.brand_id)
        url = self.services.settings.public_url(f"/brands/{brand.id}/inbox")
        text = (
            f"📥 *{blocks.esc(brand.name)}*: {blocks.esc(summary.text)} — <{url}|open the inbox>."
        )
        for team_id, channel_id in await self._channels(brand.id):
            try:
                client = await self.cards.clients.for_team(team_id)
                await client.chat_postMessage(channel=channel_id, text=text, unfurl_links=False)
            except Exception:
                log.exception("sync summary in Slack channel %s failed", channel_id)
