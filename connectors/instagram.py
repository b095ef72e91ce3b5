"""Instagram (Instagram Login, graph.instagram.com): containers, status polling, media_publish.

Meta pulls the media from our signed `/m/<token>` URLs, so PUBLIC_BASE_URL must be reachable
from the internet. Before each post the account's `content_publishing_limit` is read; a full
quota is a retryable error that waits until the rolling 24-hour window frees a slot.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors._http import access_token, forget_tokens, human_delay, store_tokens
from connectors._instagram_posts import FIELDS, media_id, media_page, source_post
from connectors._meta import (
    GraphClient,
    api_root,
    graph_time,
    remember_container,
    remembered_container,
)
from connectors._oauth import OAuthApp, authorization_url, exchange_code, oauth_app
from connectors.base import Connector, PublishState, PublishStatus
from core.ai.style_rules import DEFAULT_RULES
from core.errors import ConnectorError
from core.media.items import media_items
from core.media_links import signed_media_url
from core.models import (
    AccountStatus,
    AssetKind,
    Brand,
    MediaAsset,
    PublishTarget,
    SocialAccount,
    TranscodedMedia,
)
from core.ports.post_source import PostPage, SourcePost

SCOPES = ("instagram_business_basic", "instagram_business_content_publish")
DAY = 86400.0


class InstagramConnector(Connector):
    """Instagram professional accounts: photos, Reels and carousels; their posts come into
    the inbox (`core.ports.post_source.PostSource`)."""

    platform = "instagram"
    label = "Instagram"
    rules = DEFAULT_RULES["instagram"]
    supports_carousel = True
    refresh_ahead = timedelta(days=10)

    @property
    def graph(self) -> GraphClient:
        """The graph.instagram.com client."""
        return GraphClient(
            self.ctx, self.platform, self.label, self.ctx.settings.instagram_api_base
        )

    def _app(self) -> OAuthApp:
        s = self.ctx.settings
        return oauth_app(
            s,
            "instagram",
            self.label,
            authorize_url=s.instagram_authorize_url,
            token_url=s.instagram_token_url,
            scopes=SCOPES,
            scope_separator=",",
        )

    def media_profile(self, asset: MediaAsset) -> str:
        """JPEG photos within Instagram's aspect range; 9:16 H.264 for Reels."""
        return "vertical_9x16" if asset.kind == AssetKind.VIDEO else "instagram_image"

    # --- connect -----------------------------------------------------------------------

    async def authorization_url(
        self,
        brand: Brand,
        *,
        state: str,
        redirect_uri: str,
        code_verifier: str,
        params: Mapping[str, str],
    ) -> str:
        """Instagram's Business Login window."""
        return authorization_url(self._app(), redirect=redirect_uri, state=state)

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Code → short token → 60-day token; the account is the professional IG user."""
        token = await exchange_code(
            self._app(),
            code=str(oauth_params.get("code", "")),
            redirect=str(oauth_params.get("redirect_uri", "")),
        )
        if isinstance(token.get("data"), list) and token["data"]:
            token = token["data"][0]
        short = token.get("access_token")
        if not short:
            raise ConnectorError(
                "Instagram did not complete the sign-in. Please try again.",
                platform=self.platform,
                code="oauth_refused",
            )
        app = self._app()
        long = await self.graph.request(
            "GET",
            "",
            None,
            url=api_root(self.ctx.settings.instagram_api_base) + "/access_token",
            params={
                "grant_type": "ig_exchange_token",
                "client_secret": app.client_secret,
                "access_token": short,
            },
        )
        me = await self.graph.get("me", long["access_token"], fields="user_id,username")
        external_id = str(me.get("user_id") or me.get("id"))
        account, _ = await SocialAccount.get_or_create(
            brand=brand,
            platform=self.platform,
            external_id=external_id,
            defaults={"display_name": ""},
        )
        account.display_name = f"@{me.get('username', external_id)}"
        account.status, account.status_reason = AccountStatus.OK, ""
        account.meta = {**(account.meta or {}), "username": me.get("username", "")}
        await store_tokens(
            self.ctx.cipher,
            account,
            access=long["access_token"],
            expires_in=long.get("expires_in"),
            save=False,
        )
        await account.save()
        return account

    async def disconnect(self, account: SocialAccount) -> None:
        """Instagram Login has no revoke call: forget the token and stop using the account."""
        await forget_tokens(account)

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """`ig_refresh_token`: a new 60-day token (the token must be ≥ 24 h old)."""
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        data = await self.graph.request(
            "GET",
            "",
            None,
            url=api_root(self.ctx.settings.instagram_api_base) + "/refresh_access_token",
            params={"grant_type": "ig_refresh_token", "access_token": token},
        )
        return await store_tokens(
            self.ctx.cipher, account, access=data["access_token"], expires_in=data.get("expires_in")
        )

    # --- publish -----------------------------------------------------------------------

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """Containers → FINISHED → media_publish → permalink."""
        job = await self.job_of(target)
        asset: MediaAsset = job.asset
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        ig = account.external_id
        await self.check_quota(ig, token)
        rows = [
            await self.prepare_media(item, self.media_profile(item))
            for item in await media_items(asset)
        ]
        urls = [(row, signed_media_url(self.ctx.settings, row)) for row in rows]
        if asset.kind == AssetKind.CAROUSEL:
            children = [
                await self._container(ig, token, row, url, carousel_item=True)
                for row, url in urls[:10]
            ]
            for child in children:
                await self.wait_finished(child, token)
            container = (
                await self.graph.post(
                    f"{ig}/media",
                    token,
                    media_type="CAROUSEL",
                    children=",".join(children),
                    caption=caption,
                )
            )["id"]
        else:
            row, url = urls[0]
            container = await self._container(ig, token, row, url, caption=caption)
        await self.wait_finished(container, token)
        await remember_container(target, container, self.platform)
        try:
            media = await self.graph.post(
                f"{ig}/media_publish", token, creation_id=container, creates=True
            )
        except ConnectorError as exc:
            if exc.code == "2207042":
                raise await self.quota_error(ig, token) from None
            raise
        media_id = str(media["id"])
        return media_id, await self.permalink(media_id, token)

    async def _container(
        self,
        ig: str,
        token: str,
        row: TranscodedMedia,
        url: str,
        *,
        caption: str | None = None,
        carousel_item: bool = False,
    ) -> str:
        fields: dict[str, Any] = {"caption": caption}
        if row.mime_type.startswith("video/"):
            fields.update(
                media_type="VIDEO" if carousel_item else "REELS",
                video_url=url,
                share_to_feed=None if carousel_item else True,
            )
        else:
            fields["image_url"] = url
        if carousel_item:
            fields["is_carousel_item"] = True
        return str((await self.graph.post(f"{ig}/media", token, **fields))["id"])

    async def wait_finished(self, container: str, token: str) -> None:
        """Poll the container's status_code until FINISHED; ERROR/EXPIRED become typed errors."""
        await self.graph.wait_container(
            container, token, state_field="status_code", detail_field="status"
        )

    async def check_quota(self, ig: str, token: str) -> None:
        """Read `content_publishing_limit`; a full quota is a retryable error with a wait."""
        data = await self.graph.get(
            f"{ig}/content_publishing_limit", token, fields="quota_usage,config"
        )
        entries = data.get("data") or [{}]
        usage = int(entries[0].get("quota_usage") or 0)
        total = int((entries[0].get("config") or {}).get("quota_total") or 50)
        if usage >= total:
            raise await self.quota_error(ig, token, total)

    async def quota_error(self, ig: str, token: str, total: int = 50) -> ConnectorError:
        """The limit error, waiting until the oldest post of the last 24 h leaves the window."""
        wait = 3600.0
        try:
            recent = await self.graph.get(
                f"{ig}/media", token, fields="id,timestamp", limit=min(total, 100)
            )
            now = time.time()
            stamps = [graph_time(m.get("timestamp")) for m in recent.get("data", [])]
            in_window = [s for s in stamps if s and now - s < DAY]
            if len(in_window) >= total:
                wait = max(min(in_window) + DAY - now, 60.0)
        except ConnectorError:
            pass
        return ConnectorError(
            f"Instagram's daily publishing limit for this account is reached ({total} posts "
            f"in 24 hours); it will be retried in {human_delay(wait)}.",
            platform=self.platform,
            retryable=True,
            retry_after=wait,
            code="2207042",
        )

    async def permalink(self, media_id: str, token: str) -> str:
        """The post's public link."""
        data = await self.graph.get(media_id, token, fields="id,permalink")
        return str(data.get("permalink") or f"https://www.instagram.com/{media_id}")

    # --- status and reconciliation -----------------------------------------------------

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """Published while the media exists."""
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        try:
            data = await self.graph.get(external_id, token, fields="id,permalink")
        except ConnectorError as exc:
            if exc.code in ("33", "100"):
                return PublishStatus(PublishState.NOT_FOUND)
            raise
        return PublishStatus(PublishState.PUBLISHED, data.get("permalink"))

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """Was the recorded container published? Then find that post among recent media."""
        container = await remembered_container(target)
        if container is None:
            return None  # the crash came before media_publish could be called
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        try:
            state = (await self.graph.get(container, token, fields="status_code")).get(
                "status_code"
            )
        except ConnectorError as exc:
            if exc.retryable or exc.needs_reconnect:
                raise
            state = None
        if state != "PUBLISHED":
            return None
        since = (target.publish_started_at or datetime.now(UTC)).timestamp() - 600
        recent = await self.graph.get(
            f"{account.external_id}/media", token, fields="id,caption,timestamp,permalink", limit=25
        )
        for item in recent.get("data", []):
            if (item.get("caption") or "") == target.caption and (
                graph_time(item.get("timestamp")) or 0
            ) >= since:
                return str(item["id"]), str(item.get("permalink") or "")
        raise ConnectorError(
            "Instagram says the post was published but it cannot be found "
            "among the account's recent posts; check the account.",
            platform=self.platform,
            code="publish_unconfirmed",
        )

    async def list_posts(
        self, account: SocialAccount, *, limit: int, after: str | None = None
    ) -> PostPage:
        """A page of the account's media, newest first (`GET /{ig-user-id}/media`)."""
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        page = await self.graph.get(
            f"{account.external_id}/media", token, fields=FIELDS, limit=limit, after=after
        )
        return media_page(page)

    async def read_post(self, account: SocialAccount, post_id: str) -> SourcePost:
        """The media object again: Instagram's signed CDN links expire."""
        if media_id(post_id) is None:
            raise ConnectorError(
                "This is not an Instagram post id.", platform=self.platform, code="bad_id"
            )
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        fresh = await self.graph.get(post_id, token, fields=FIELDS)
        return source_post({**fresh, "id": post_id})  # the post asked for, whatever it says


CONNECTOR = InstagramConnector
