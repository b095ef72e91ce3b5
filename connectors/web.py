"""The brand's own public page and feeds, served by the web app (`/b/{slug}`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import Connector, PublishState, PublishStatus
from core.ai.style_rules import DEFAULT_RULES
from core.media.items import media_items
from core.models import (
    AccountStatus,
    AssetKind,
    Brand,
    MediaAsset,
    PublishTarget,
    SocialAccount,
    WebPost,
)


class WebConnector(Connector):
    """Publishes to the brand's web page, JSON Feed and RSS feed: no account needed."""

    platform = "web"
    label = "Web feed"
    rules = DEFAULT_RULES["web"]
    auth_kind = "builtin"
    supports_carousel = True

    def media_profile(self, asset: MediaAsset) -> str:
        """Browser-playable video, or a web image (per item of an album)."""
        return "web_image" if asset.kind == AssetKind.IMAGE else "web_video"

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """The brand's web account (created with the brand); re-enabled if disconnected."""
        account, _ = await SocialAccount.get_or_create(
            brand=brand,
            platform=self.platform,
            external_id=brand.slug,
            defaults={"display_name": f"{brand.name} web feed"},
        )
        if account.status != AccountStatus.OK:
            account.status = AccountStatus.OK
            await account.save(update_fields=["status"])
        return account

    async def disconnect(self, account: SocialAccount) -> None:
        """Stop offering the web feed as a target; published posts stay online."""
        account.status = AccountStatus.DISCONNECTED
        await account.save(update_fields=["status"])

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """Put the post on the brand's page and feeds; one post per target, ever."""
        job = await self.job_of(target)
        transcodes = [
            await self.prepare_media(item, self.media_profile(item))
            for item in await media_items(job.asset)
        ]
        post, _ = await WebPost.get_or_create(
            target_id=target.id,
            defaults={
                "brand_id": target.brand_id,
                "asset_id": job.asset.id,
                "transcode_id": transcodes[0].id,
                "caption": caption,
                "gallery": [t.id for t in transcodes],
            },
        )
        return str(post.id), self.post_url(job.brand.slug, post.id)

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """Published while the post exists and is not deleted."""
        post = await WebPost.get_or_none(
            id=int(external_id), brand_id=account.brand_id, deleted_at__isnull=True
        ).prefetch_related("brand")
        if post is None:
            return PublishStatus(PublishState.NOT_FOUND)
        return PublishStatus(PublishState.PUBLISHED, self.post_url(post.brand.slug, post.id))

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """The web feed has no token; nothing to refresh."""
        return account

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """The post this target made before a crash, if any."""
        post = await WebPost.get_or_none(target_id=target.id).prefetch_related("brand")
        if post is None:
            return None
        return str(post.id), self.post_url(post.brand.slug, post.id)

    def post_url(self, slug: str, post_id: int) -> str:
        """The public URL of one post."""
        return self.ctx.settings.public_url(f"/b/{slug}/p/{post_id}")


CONNECTOR = WebConnector
