"""Threads: containers (IMAGE, VIDEO, CAROUSEL) → status FINISHED → threads_publish.

Like Instagram, Threads downloads the media from our signed URLs under PUBLIC_BASE_URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors._http import access_token, forget_tokens, human_delay, store_tokens
from connectors._meta import (
    GraphClient,
    api_root,
    remember_container,
    remembered_container,
)
from connectors._oauth import OAuthApp, authorization_url, exchange_code, oauth_app
from connectors.base import Connector, PublishState, PublishStatus
from core.ai.style_rules import DEFAULT_RULES
from core.errors import ConnectorError
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

SCOPES = ("threads_basic", "threads_content_publish")


class ThreadsConnector(Connector):
    """Threads profiles."""

    platform = "threads"
    label = "Threads"
    rules = DEFAULT_RULES["threads"]
    supports_carousel = True
    refresh_ahead = timedelta(days=10)

    @property
    def graph(self) -> GraphClient:
        """The graph.threads.net client."""
        return GraphClient(self.ctx, self.platform, self.label, self.ctx.settings.threads_api_base)

    @property
    def root(self) -> str:
        """graph.threads.net without the version (token endpoints live there)."""
        return api_root(self.ctx.settings.threads_api_base)

    def _app(self) -> OAuthApp:
        s = self.ctx.settings
        return oauth_app(
            s,
            "threads",
            self.label,
            authorize_url=s.threads_authorize_url,
            token_url=f"{self.root}/oauth/access_token",
            scopes=SCOPES,
            scope_separator=",",
        )

    def media_profile(self, asset: MediaAsset) -> str:
        """JPEG photos (≤ 8 MB); vertical H.264 video."""
        return "vertical_9x16" if asset.kind == AssetKind.VIDEO else "instagram_image"

    async def authorization_url(
        self,
        brand: Brand,
        *,
        state: str,
        redirect_uri: str,
        code_verifier: str,
        params: Mapping[str, str],
    ) -> str:
        """Threads' authorization window."""
        return authorization_url(self._app(), redirect=redirect_uri, state=state)

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Code → 1-hour token → `th_exchange_token` → 60-day token."""
        app = self._app()
        token = await exchange_code(
            app,
            code=str(oauth_params.get("code", "")),
            redirect=str(oauth_params.get("redirect_uri", "")),
        )
        long = await self.graph.request(
            "GET",
            "",
            None,
            url=f"{self.root}/access_token",
            params={
                "grant_type": "th_exchange_token",
                "client_secret": app.client_secret,
                "access_token": token.get("access_token", ""),
            },
        )
        me = await self.graph.get("me", long["access_token"], fields="id,username")
        account, _ = await SocialAccount.get_or_create(
            brand=brand,
            platform=self.platform,
            external_id=str(me["id"]),
            defaults={"display_name": ""},
        )
        account.display_name = f"@{me.get('username', me['id'])}"
        account.status, account.status_reason = AccountStatus.OK, ""
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
        """Threads has no revoke call: forget the token."""
        await forget_tokens(account)

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """`th_refresh_token`: a new 60-day token."""
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        data = await self.graph.request(
            "GET",
            "",
            None,
            url=f"{self.root}/refresh_access_token",
            params={"grant_type": "th_refresh_token", "access_token": token},
        )
        return await store_tokens(
            self.ctx.cipher, account, access=data["access_token"], expires_in=data.get("expires_in")
        )

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """Quota check → container(s) → FINISHED → threads_publish → permalink."""
        job = await self.job_of(target)
        asset: MediaAsset = job.asset
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        uid = account.external_id
        await self._check_quota(uid, token)
        profile = self.media_profile(asset)
        rows = [item[profile] for item in await self.ctx.pipeline.ensure_each(asset, [profile])]
        if asset.kind == AssetKind.CAROUSEL:
            children = [
                await self._container(uid, token, row, carousel_item=True) for row in rows[:20]
            ]
            for child in children:
                await self._wait(child, token)
            container = str(
                (
                    await self.graph.post(
                        f"{uid}/threads",
                        token,
                        media_type="CAROUSEL",
                        children=",".join(children),
                        text=caption,
                    )
                )["id"]
            )
        else:
            container = await self._container(uid, token, rows[0], text=caption)
        await self._wait(container, token)
        await remember_container(target, container, self.platform)
        media_id = str(
            (
                await self.graph.post(
                    f"{uid}/threads_publish", token, creation_id=container, creates=True
                )
            )["id"]
        )
        link = await self.graph.get(media_id, token, fields="id,permalink")
        return media_id, str(link.get("permalink") or "https://www.threads.net/")

    async def _container(
        self,
        uid: str,
        token: str,
        row: TranscodedMedia,
        *,
        text: str | None = None,
        carousel_item: bool = False,
    ) -> str:
        url = signed_media_url(self.ctx.settings, row)
        video = row.mime_type.startswith("video/")
        fields: dict[str, Any] = {
            "media_type": "VIDEO" if video else "IMAGE",
            "text": text,
            "video_url" if video else "image_url": url,
        }
        if carousel_item:
            fields["is_carousel_item"] = True
        return str((await self.graph.post(f"{uid}/threads", token, **fields))["id"])

    async def _wait(self, container: str, token: str) -> None:
        await self.graph.wait_container(
            container, token, state_field="status", detail_field="error_message"
        )

    async def _check_quota(self, uid: str, token: str) -> None:
        data = await self.graph.get(
            f"{uid}/threads_publishing_limit", token, fields="quota_usage,config"
        )
        entry = (data.get("data") or [{}])[0]
        total = int((entry.get("config") or {}).get("quota_total") or 250)
        if int(entry.get("quota_usage") or 0) >= total:
            wait = 3600.0
            raise ConnectorError(
                f"Threads' daily publishing limit for this profile is reached "
                f"({total} posts in 24 hours); it will be retried in "
                f"{human_delay(wait)}.",
                platform=self.platform,
                retryable=True,
                retry_after=wait,
                code="2207042",
            )

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """Published while the post exists."""
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
        """The recorded container was published? Then find the post by its text and time."""
        container = await remembered_container(target)
        if container is None:
            return None
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        state = (await self.graph.get(container, token, fields="status")).get("status")
        if state != "PUBLISHED":
            return None
        since = (target.publish_started_at or datetime.now(UTC)).timestamp() - 600
        recent = await self.graph.get(
            f"{account.external_id}/threads", token, fields="id,text,timestamp,permalink", limit=25
        )
        for item in recent.get("data", []):
            stamp = item.get("timestamp")
            when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").timestamp() if stamp else 0
            if (item.get("text") or "") == target.caption and when >= since:
                return str(item["id"]), str(item.get("permalink") or "")
        raise ConnectorError(
            "Threads says the post was published but it cannot be found among "
            "the profile's recent posts; check the profile.",
            platform=self.platform,
            code="publish_unconfirmed",
        )


CONNECTOR = ThreadsConnector
