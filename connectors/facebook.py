"""Facebook Pages: photos by URL, Reels (video_reels start → rupload file_url → finish) and
long videos (`/videos` with file_url). Pages are picked at connect; Page tokens are stored
encrypted, with the long-lived user token (also encrypted) kept to renew them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors._http import (
    access_token,
    call,
    forget_tokens,
    json_body,
    refresh_token_of,
    store_tokens,
)
from connectors._meta import (
    GraphClient,
    graph_error,
    graph_time,
    remember_container,
    remembered_container,
)
from connectors._oauth import OAuthApp, authorization_url, exchange_code, oauth_app
from connectors.base import (
    ConnectChoice,
    ConnectOption,
    Connector,
    PublishState,
    PublishStatus,
)
from core.ai.style_rules import DEFAULT_RULES
from core.errors import AuthExpired, ConnectorError, InvalidInput
from core.media_links import signed_media_url
from core.models import (
    AccountStatus,
    AssetKind,
    Brand,
    MediaAsset,
    PublishTarget,
    SocialAccount,
)

SCOPES = ("pages_show_list", "pages_read_engagement", "pages_manage_posts")
REELS_MAX_SECONDS = 90.0


class FacebookConnector(Connector):
    """Facebook Pages the brand manages."""

    platform = "facebook"
    label = "Facebook Page"
    rules = DEFAULT_RULES["facebook"]
    refresh_ahead = timedelta(days=10)

    @property
    def graph(self) -> GraphClient:
        """The graph.facebook.com client."""
        return GraphClient(self.ctx, self.platform, self.label, self.ctx.settings.graph_api_base)

    def _app(self) -> OAuthApp:
        s = self.ctx.settings
        return oauth_app(
            s,
            "facebook",
            self.label,
            authorize_url=s.facebook_authorize_url,
            token_url=f"{s.graph_api_base}/oauth/access_token",
            scopes=SCOPES,
            scope_separator=",",
        )

    def media_profile(self, asset: MediaAsset) -> str:
        """A web photo; vertical videos up to 90 s become Reels, others Page videos."""
        if asset.kind != AssetKind.VIDEO:
            return "web_image"
        return "fb_reels_9x16" if self._is_reel(asset) else "web_video"

    @staticmethod
    def _is_reel(asset: MediaAsset) -> bool:
        tall = (asset.height or 0) >= (asset.width or 0)
        return tall and (asset.duration_seconds or 0) <= REELS_MAX_SECONDS

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
        """Facebook Login's dialog asking for the Page permissions."""
        return authorization_url(self._app(), redirect=redirect_uri, state=state)

    async def _long_user_token(self, token: str) -> dict[str, Any]:
        """`fb_exchange_token`: a long-lived (≈60 day) user token."""
        app = self._app()
        return await self.graph.request(
            "GET",
            "oauth/access_token",
            None,
            params={
                "grant_type": "fb_exchange_token",
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "fb_exchange_token": token,
            },
        )

    async def connect_options(
        self, brand: Brand, oauth_params: Mapping[str, Any]
    ) -> ConnectChoice | None:
        """Exchange the code for a long-lived user token and list the person's Pages."""
        if oauth_params.get("choice"):
            return None
        token = await exchange_code(
            self._app(),
            code=str(oauth_params.get("code", "")),
            redirect=str(oauth_params.get("redirect_uri", "")),
        )
        long = await self._long_user_token(str(token.get("access_token", "")))
        pages = await self.graph.get(
            "me/accounts", long["access_token"], fields="id,name,category", limit=100
        )
        options = [
            ConnectOption(
                id=str(p["id"]),
                label=str(p.get("name", p["id"])),
                detail=str(p.get("category", "")),
            )
            for p in pages.get("data", [])
        ]
        return ConnectChoice(
            title="Choose the Facebook Pages to connect",
            options=options,
            carry={
                "user_token": long["access_token"],
                "user_expires_in": str(long.get("expires_in", "")),
            },
            multiple=True,
        )

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Connect one picked Page with its Page token."""
        choice = list(oauth_params.get("choice") or [])
        user_token = oauth_params.get("user_token")
        if not choice or not user_token:
            raise InvalidInput("Choose the Facebook Page to connect.")
        page = await self.graph.get(str(choice[0]), str(user_token), fields="id,name,access_token")
        if not page.get("access_token"):
            raise ConnectorError(
                "Facebook did not allow posting to this Page; you need a role "
                "on the Page that can create content.",
                platform=self.platform,
                code="no_page_token",
            )
        account, _ = await SocialAccount.get_or_create(
            brand=brand,
            platform=self.platform,
            external_id=str(page["id"]),
            defaults={"display_name": ""},
        )
        account.display_name = str(page.get("name", page["id"]))
        account.status, account.status_reason = AccountStatus.OK, ""
        expires = oauth_params.get("user_expires_in") or None
        await store_tokens(
            self.ctx.cipher,
            account,
            access=page["access_token"],
            refresh=str(user_token),
            expires_in=expires,
            refresh_expires_in=expires,
            save=False,
        )
        await account.save()
        return account

    async def disconnect(self, account: SocialAccount) -> None:
        """Stop using the Page: its token is forgotten (the user token stays for others)."""
        await forget_tokens(account, keep_refresh=True)

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """Renew the long-lived user token, then fetch a fresh Page token with it."""
        user = refresh_token_of(self.ctx.cipher, account)
        if not user:
            raise AuthExpired(
                "The Facebook connection has no renewable sign-in; reconnect the "
                "Page on the brand's Connections page.",
                platform=self.platform,
                code="no_refresh_token",
            )
        long = await self._long_user_token(user)
        page = await self.graph.get(
            account.external_id, long["access_token"], fields="id,access_token"
        )
        return await store_tokens(
            self.ctx.cipher,
            account,
            access=page["access_token"],
            refresh=long["access_token"],
            expires_in=long.get("expires_in"),
            refresh_expires_in=long.get("expires_in"),
        )

    # --- publish -----------------------------------------------------------------------

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """A photo (sync) or a Reel / video (uploaded by URL, then processed: async)."""
        job = await self.job_of(target)
        asset: MediaAsset = job.asset
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        page = account.external_id
        media = await self.prepare_media(asset, self.media_profile(asset))
        url = signed_media_url(self.ctx.settings, media)
        if asset.kind != AssetKind.VIDEO:
            photo = await self.graph.post(
                f"{page}/photos", token, url=url, caption=caption, published=True, creates=True
            )
            post_id = str(photo.get("post_id") or photo["id"])
            link = await self.graph.get(post_id, token, fields="id,permalink_url")
            return post_id, str(link.get("permalink_url") or f"https://www.facebook.com/{post_id}")
        if self._is_reel(asset):
            video_id = await self._reel(page, token, url, caption, target)
        else:
            video_id = str(
                (
                    await self.graph.post(
                        f"{page}/videos", token, file_url=url, description=caption, creates=True
                    )
                )["id"]
            )
            await remember_container(target, video_id, self.platform)
        return video_id, await self._wait_video(video_id, token)

    async def _reel(
        self, page: str, token: str, url: str, caption: str, target: PublishTarget
    ) -> str:
        start = await self.graph.post(f"{page}/video_reels", token, upload_phase="start")
        video_id = str(start["video_id"])
        upload_url = str(
            start.get("upload_url")
            or f"{self.ctx.settings.rupload_base}/video-upload/v24.0/{video_id}"
        )
        response = await call(
            self.ctx.http,
            "POST",
            upload_url,
            platform=self.platform,
            label=self.label,
            errors=self._rupload_error,
            headers={"Authorization": f"OAuth {token}", "file_url": url},
        )
        if not json_body(response).get("success"):
            raise self._rupload_error(response)
        await remember_container(target, video_id, self.platform)
        await self.graph.post(
            f"{page}/video_reels",
            token,
            upload_phase="finish",
            video_id=video_id,
            video_state="PUBLISHED",
            description=caption,
            creates=True,
        )
        return video_id

    def _rupload_error(self, response: Any) -> ConnectorError:
        info = json_body(response).get("debug_info") or {}
        if response.status_code == 401 or info.get("type") == "OAuthException":
            return graph_error(self.ctx, self.platform, self.label, code=190, subcode=None)
        if response.status_code >= 500 or info.get("retriable"):
            return graph_error(
                self.ctx,
                self.platform,
                self.label,
                code=None,
                subcode=2207001,
                status=response.status_code,
            )
        return graph_error(self.ctx, self.platform, self.label, code=None, subcode=2207052)

    async def _wait_video(self, video_id: str, token: str) -> str:
        async def check() -> str | None:
            data = await self.graph.get(video_id, token, fields="id,status,permalink_url")
            status = data.get("status") or {}
            state = _video_state(status)
            if state == PublishState.FAILED:
                raise ConnectorError(
                    "Facebook could not process this video: " + _video_error(status),
                    platform=self.platform,
                    code="video_failed",
                )
            if state == PublishState.PUBLISHED:
                return str(data.get("permalink_url") or f"https://www.facebook.com/{video_id}")
            return None

        return str(await self.graph.wait_for("Facebook's processing of the video", check))

    # --- status and reconciliation -----------------------------------------------------

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """A photo post exists, or a video's processing/publishing phases."""
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        fields = "id,permalink_url" + (",status" if "_" not in external_id else "")
        try:
            data = await self.graph.get(external_id, token, fields=fields)
        except ConnectorError as exc:
            if exc.code in ("33", "100"):
                return PublishStatus(PublishState.NOT_FOUND)
            raise
        state = (
            _video_state(data.get("status") or {}) if "status" in data else PublishState.PUBLISHED
        )
        return PublishStatus(
            state,
            data.get("permalink_url"),
            error=_video_error(data.get("status") or {}) if state == PublishState.FAILED else "",
        )

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """A recorded video id, or a Page post with this caption made since the attempt."""
        token = access_token(self.ctx.cipher, account, platform=self.platform)
        video_id = await remembered_container(target)
        if video_id:
            status = await self.get_status(video_id, account)
            if status.state == PublishState.PUBLISHED:
                return video_id, status.external_url or ""
            if status.state == PublishState.PROCESSING:
                return video_id, await self._wait_video(video_id, token)
            return None
        since = (target.publish_started_at or datetime.now(UTC)).timestamp() - 600
        posts = await self.graph.get(
            f"{account.external_id}/posts",
            token,
            fields="id,message,created_time,permalink_url",
            limit=25,
        )
        for post in posts.get("data", []):
            created = graph_time(post.get("created_time"))
            if (post.get("message") or "") == target.caption and created and created >= since:
                return str(post["id"]), str(post.get("permalink_url") or "")
        return None


def _video_state(status: Mapping[str, Any]) -> PublishState:
    phases = [
        status.get(k) or {} for k in ("uploading_phase", "processing_phase", "publishing_phase")
    ]
    if status.get("video_status") == "error" or any(p.get("status") == "error" for p in phases):
        return PublishState.FAILED
    publishing = status.get("publishing_phase") or {}
    if (
        publishing.get("status") == "complete"
        or status.get("video_status") == "ready"
        and publishing.get("publish_status") == "published"
    ):
        return PublishState.PUBLISHED
    return PublishState.PROCESSING


def _video_error(status: Mapping[str, Any]) -> str:
    for key in ("uploading_phase", "processing_phase", "publishing_phase"):
        for error in (status.get(key) or {}).get("errors") or []:
            return str(error.get("message", "unknown error"))[:200]
    return "the file was not accepted."


CONNECTOR = FacebookConnector
