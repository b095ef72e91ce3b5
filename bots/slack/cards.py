"""Cards: one Block Kit message per asset in a channel, persisted, re-rendered from the DB."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack import blocks
from bots.slack.client import SlackClients
from core.columns import column
from core.errors import InvalidInput, NotFound
from core.media_links import signed_media_url
from core.models import (
    AssetKind,
    Brand,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SlackCard,
    TranscodedMedia,
    User,
)
from core.publishing import default_platforms
from oneclick.services import Services

log = logging.getLogger(__name__)
GONE = "This message is no longer valid here. Share the media again."
DELETED = "This item was deleted, so there is nothing to do with it anymore."


class SlackCards:
    """Creates, loads and renders the cards of every workspace."""

    def __init__(self, services: Services, clients: SlackClients) -> None:
        self.services = services
        self.clients = clients

    def labels(self) -> dict[str, str]:
        """Platform name → human label."""
        return self.services.connectors.labels()

    async def platforms_for(self, brand: Brand, asset: MediaAsset) -> list[str]:
        """The brand's connected platforms that can take this asset."""
        return await self.services.connectors.platforms_for(brand, asset)

    async def image_url(self, asset: MediaAsset) -> str | None:
        """A signed public URL of a preview image (a web-sized photo or a video cover)."""
        settings = self.services.settings
        if asset.kind == AssetKind.IMAGE:
            try:
                made = await self.services.pipeline.ensure(asset, ["web_image"])
                return signed_media_url(settings, made["web_image"])
            except Exception:  # a preview must never block the card
                log.warning("no preview image for asset %s", asset.id, exc_info=True)
                return None
        cover = (
            await TranscodedMedia.filter(asset_id=asset.id)
            .exclude(thumbnail_path="")
            .order_by("-id")
            .first()
        )
        return signed_media_url(settings, cover, cover=True) if cover else None

    async def create(
        self,
        *,
        brand: Brand,
        asset: MediaAsset,
        team_id: str,
        channel_id: str,
        kind: str,
        actor: User | None = None,
        job: PublishJob | None = None,
        job_key: str = "",
    ) -> SlackCard:
        """Store the card and post it in the channel."""
        platforms = await self.platforms_for(brand, asset)
        if not platforms:
            raise InvalidInput(
                "This brand has no connected network that takes this media. "
                "Connect one on the brand's Connections page."
            )
        selected = default_platforms(asset, platforms)
        if job is not None:
            platforms = selected = list(
                dict.fromkeys(
                    await column(
                        PublishTarget.filter(job_id=job.id)
                        .order_by("id")
                        .values_list("platform", flat=True),
                        str,
                    )
                )
            )
        card = await SlackCard.create(
            brand=brand,
            asset=asset,
            team_id=team_id,
            channel_id=channel_id,
            kind=kind,
            platforms=platforms,
            selected=selected,
            job=job,
            job_key=job_key,
            created_by=actor,
        )
        client = await self.clients.for_team(team_id)
        text, body = await self.render(card)
        sent = await self._post(client, channel=channel_id, text=text, blocks=body)
        card.message_ts = str(sent["ts"])
        await card.save(update_fields=["message_ts", "updated_at"])
        return card

    async def _post(self, client: AsyncWebClient, **kwargs: Any) -> Any:
        try:
            return await client.chat_postMessage(**kwargs, unfurl_links=False)
        except SlackApiError as exc:
            if exc.response.get("error") != "invalid_blocks":
                raise
            log.info(
                "Slack refused the card's blocks (%s): posting without the image",
                exc.response.get("errors"),
            )
            kwargs["blocks"] = _without_images(kwargs["blocks"])
            return await client.chat_postMessage(**kwargs, unfurl_links=False)

    async def load(self, card_id: int, *, team_id: str, channel_id: str) -> SlackCard:
        """A card of this channel whose asset still exists; NotFound (plain words) otherwise."""
        card = await SlackCard.get_or_none(id=card_id, team_id=team_id, channel_id=channel_id)
        if card is None:
            raise NotFound(GONE)
        asset = await MediaAsset.get_or_none(id=card.asset_id)
        if asset is None or asset.deleted_at is not None:
            raise NotFound(DELETED)
        return card

    async def render(self, card: SlackCard) -> tuple[str, list[dict[str, Any]]]:
        """The fallback text and the blocks, as the card's state says."""
        asset = await MediaAsset.get(id=card.asset_id)
        brand = await Brand.get(id=card.brand_id)
        labels = self.labels()
        if card.job_id is not None:
            targets = await PublishTarget.filter(job_id=card.job_id).order_by("id")
            captions = {t.platform: t.caption for t in targets}
        else:
            adapted = await self.services.captions.adapt(asset, card.platforms, origin="slack")
            captions = {p: c.text for p, c in adapted.items()}
        children = await MediaAsset.filter(parent_id=asset.id).count()
        what = blocks.describe(asset, children)
        if card.kind == "approval":
            header = f"🕒 *Approval needed* · {blocks.esc(brand.name)} · {what}"
            text = f"Approval needed in {brand.name}"
        else:
            header = (
                f"📥 *New in {blocks.esc(brand.name)}'s inbox* · {what} · "
                f"from {blocks.esc(str(asset.source))}"
            )
            text = f"New item in {brand.name}'s inbox"
        body = blocks.card_blocks(
            card,
            header=header,
            asset=asset,
            captions=captions,
            labels=labels,
            image_url=await self.image_url(asset),
            decision=self.decision_line(card),
            children=children,
        )
        return text, body

    @staticmethod
    def decision_line(card: SlackCard) -> str:
        """Who decided and when, once the card is no longer open."""
        who = card.decided_by or "someone on the web"  # stored as mrkdwn (a mention or a name)
        at = f" on {blocks.when(card.decided_at)}" if card.decided_at else ""
        note = f": {blocks.esc(card.decision_note)}" if card.decision_note else ""
        return {
            "approved": f"✅ Approved by {who}{at}. Status in the thread.",
            "sent": f"🚀 Sent by {who}{at}. Status in the thread.",
            "requested": f"🕒 Sent for approval by {who}{at}.",
            "rejected": f"🚫 Rejected by {who}{at}{note}",
            "dismissed": f"🚫 Dismissed by {who}{at}{note}",
        }.get(card.decision, "")

    async def show(self, card: SlackCard) -> None:
        """Re-render the card message in place."""
        if card.message_ts is None:
            return
        client = await self.clients.for_team(card.team_id)
        text, body = await self.render(card)
        try:
            await client.chat_update(
                channel=card.channel_id, ts=card.message_ts, text=text, blocks=body
            )
        except SlackApiError as exc:
            if exc.response.get("error") != "invalid_blocks":
                raise
            await client.chat_update(
                channel=card.channel_id, ts=card.message_ts, text=text, blocks=_without_images(body)
            )


def _without_images(body: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The image blocks Slack could not fetch become a line naming the media."""
    return [
        b
        if b.get("type") != "image"
        else {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "🖼 " + blocks.esc(str(b.get("alt_text", "media")))}
            ],
        }
        for b in body
    ]
