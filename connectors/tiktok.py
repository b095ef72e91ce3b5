"""TikTok direct post through the Content Posting API v2.

Every post asks `creator_info/query` first (privacy options, interaction toggles, the
longest allowed video, whether the creator may post now). Videos go up with
`FILE_UPLOAD` in chunks planned by TikTok's rules; photos are pulled by TikTok from
signed media URLs (`PULL_FROM_URL`). `status/fetch` is polled until the post is live.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from connectors._http import (
    access_token,
    call,
    forget_tokens,
    json_body,
    poll_until,
    refresh_token_of,
    retry_after_seconds,
    store_tokens,
)
from connectors._oauth import OAuthApp, authorization_url, exchange_code, oauth_app, refresh_grant
from connectors.base import Connector, PublishState, PublishStatus
from core.ai.style_rules import DEFAULT_RULES
from core.errors import AuthExpired, ConnectorError, InvalidInput, PublishOutcomeUnknown
from core.media_links import signed_media_url
from core.models import (
    AccountStatus,
    AssetKind,
    Brand,
    MediaAsset,
    PublishTarget,
    SocialAccount,
)

PLATFORM = "tiktok"
LABEL = "TikTok"
MB = 1024 * 1024
MIN_CHUNK = 5 * MB
MAX_CHUNK = 64 * MB
MAX_LAST_CHUNK = 128 * MB
MAX_CHUNKS = 1000
TITLE_MAX = 2200  # UTF-16 code units
PHOTO_TITLE_MAX = 90
PHOTO_MAX = 35
SCOPES = ("user.info.basic", "video.publish", "video.upload")
# most private first: the fallback when the brand's choice is not offered
PRIVACY_ORDER = ("SELF_ONLY", "FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "PUBLIC_TO_EVERYONE")
PROCESSING = {"PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"}
DONE = {"PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit TikTok counts titles in."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class ChunkPlan:
    """How a video file is cut for `FILE_UPLOAD`."""

    video_size: int
    chunk_size: int
    total_chunk_count: int

    def ranges(self) -> list[tuple[int, int]]:
        """(first byte, last byte) of each chunk; the last chunk takes the remainder."""
        out = []
        for index in range(self.total_chunk_count):
            start = index * self.chunk_size
            last = index == self.total_chunk_count - 1
            end = self.video_size - 1 if last else start + self.chunk_size - 1
            out.append((start, end))
        return out


def plan_chunks(size: int, preferred: int = 10 * MB) -> ChunkPlan:
    """TikTok's chunk rules: 5-64 MB chunks, the last up to 128 MB, < 5 MB in one piece,
    count = floor(size / chunk_size), 1-1000 chunks."""
    if size <= 0:
        raise ValueError("an empty file cannot be uploaded")
    chunk = min(max(preferred, MIN_CHUNK), MAX_CHUNK)
    if size < MIN_CHUNK or size <= chunk:
        return ChunkPlan(size, size, 1)
    if size // chunk > MAX_CHUNKS:
        chunk = math.ceil(size / MAX_CHUNKS)
        if chunk > MAX_CHUNK:
            raise ValueError("the file is too large for TikTok (over 1,000 chunks of 64 MB)")
    return ChunkPlan(size, chunk, size // chunk)


def choose_privacy(wanted: str | None, options: Sequence[str]) -> str:
    """The brand's privacy level if TikTok offers it, else the most private one offered."""
    if wanted and wanted in options:
        return wanted
    for level in PRIVACY_ORDER:
        if level in options:
            return level
    if options:
        return options[0]
    raise ConnectorError(
        "TikTok offers no privacy setting for this account right now, so "
        "nothing can be posted; check the account in the TikTok app.",
        platform=PLATFORM,
        code="no_privacy_options",
    )


def post_url(web_base: str, username: str, publish_id: str, post_id: str | None) -> str:
    """The public link of a post, or the creator's profile while it has no public id."""
    profile = f"{web_base.rstrip('/')}/@{username}"
    if not post_id:
        return profile
    kind = "photo" if publish_id.startswith("p_") else "video"
    return f"{profile}/{kind}/{post_id}"


def _error(code: str, status: int, retry_after: float | None) -> ConnectorError | None:
    """A TikTok error code as a typed error with a plain message."""

    def err(text: str, **kw: Any) -> ConnectorError:
        return ConnectorError(text, platform=PLATFORM, code=code, **kw)

    if code == "access_token_invalid":
        return AuthExpired(
            "TikTok no longer accepts this connection; it will be renewed, or "
            "reconnect the account on the brand's Connections page.",
            platform=PLATFORM,
            code=code,
        )
    if code == "scope_not_authorized":
        return err(
            "The TikTok connection lacks the permission to post. Reconnect TikTok and "
            "allow posting.",
            needs_reconnect=True,
        )
    if code == "rate_limit_exceeded" or status == 429:
        return ConnectorError(
            "TikTok is limiting how often we may post; it will be retried in a minute.",
            platform=PLATFORM,
            code="rate_limit_exceeded",
            retryable=True,
            retry_after=retry_after or 60.0,
        )
    if code == "spam_risk_too_many_posts":
        return err("This TikTok account reached its daily posting limit. Try again tomorrow.")
    if code == "spam_risk_user_banned_from_posting":
        return err(
            "TikTok does not let this account post right now. Check the account in the TikTok app."
        )
    if code == "reached_active_user_cap":
        return err(
            "Our TikTok app reached its daily limit of posting accounts. Try again tomorrow.",
            retryable=True,
            retry_after=3600.0,
        )
    if code == "unaudited_client_can_only_post_to_private_accounts":
        return err(
            "This TikTok app is not audited yet, so it can only post to private "
            "accounts. Make the account private or ask the operator to get the app "
            "audited."
        )
    if code == "privacy_level_option_mismatch":
        return err(
            "TikTok refused the chosen privacy level for this account. Pick another "
            "one in the brand's TikTok settings."
        )
    if code == "url_ownership_unverified":
        return err(
            "TikTok could not fetch the photos because this server's web address is "
            "not verified in the TikTok app settings. The operator must verify the "
            "domain of PUBLIC_BASE_URL with TikTok."
        )
    if code == "invalid_file_upload":
        return err(
            "TikTok did not accept the video file (its format, size or length). Try another video."
        )
    if code == "invalid_params":
        return err(
            "TikTok refused the post's details as invalid. Check the caption and the "
            "brand's TikTok settings."
        )
    if code == "internal_error" or status >= 500:
        return ConnectorError(
            "TikTok had a temporary problem; it will be retried.",
            platform=PLATFORM,
            code=code or f"http_{status}",
            retryable=True,
            retry_after=retry_after,
        )
    return None


def map_error(response: httpx.Response) -> ConnectorError | None:
    """The error mapper for `call`: TikTok's `{"error": {"code": ...}}` bodies."""
    err = json_body(response).get("error")
    code = err.get("code", "") if isinstance(err, dict) else ""
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    return _error(str(code), response.status_code, wait)


class TikTokConnector(Connector):
    """A TikTok creator account posting directly (Content Posting API, direct post)."""

    platform = PLATFORM
    label = LABEL
    rules = DEFAULT_RULES["tiktok"]
    supports_carousel = True

    # --- set-up ------------------------------------------------------------------------

    def _app(self) -> OAuthApp:
        base = self.ctx.settings.tiktok_api_base.rstrip("/")
        return oauth_app(
            self.ctx.settings,
            PLATFORM,
            LABEL,
            authorize_url=self.ctx.settings.tiktok_authorize_url,
            token_url=f"{base}/v2/oauth/token/",
            scopes=SCOPES,
            scope_separator=",",
            client_id_param="client_key",
        )

    def _url(self, path: str) -> str:
        return self.ctx.settings.tiktok_api_base.rstrip("/") + path

    async def _api(self, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json; charset=UTF-8",
        }
        response = await call(
            self.ctx.http,
            method,
            self._url(path),
            platform=PLATFORM,
            label=LABEL,
            errors=map_error,
            headers=headers,
            **kwargs,
        )
        body = json_body(response)
        err = body.get("error") or {}
        code = err.get("code", "ok") if isinstance(err, dict) else "ok"
        if code != "ok":
            raise _error(code, response.status_code, None) or ConnectorError(
                "TikTok refused the request.", platform=PLATFORM, code=code
            )
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    def media_profile(self, asset: MediaAsset) -> str:
        """Vertical 9:16 video, or TikTok photos (JPEG, at most 1080p)."""
        return "vertical_9x16" if asset.kind == AssetKind.VIDEO else "tiktok_photo"

    async def authorization_url(
        self,
        brand: Brand,
        *,
        state: str,
        redirect_uri: str,
        code_verifier: str,
        params: Mapping[str, str],
    ) -> str:
        """TikTok's consent page (Login Kit v2, scopes comma-separated, `client_key`)."""
        return authorization_url(self._app(), redirect=redirect_uri, state=state)

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Exchange the code, read the user and creator info, store the account."""
        app = self._app()
        token = await exchange_code(
            app,
            code=str(oauth_params.get("code") or ""),
            redirect=str(oauth_params.get("redirect_uri") or ""),
        )
        granted = str(token.get("scope", "")).replace(" ", ",").split(",")
        if "video.publish" not in granted:
            raise InvalidInput(
                "TikTok was connected without the permission to post videos. "
                "Connect again and allow posting."
            )
        access = str(token["access_token"])
        user = (
            await self._api(
                "GET",
                "/v2/user/info/",
                access,
                params={"fields": "open_id,union_id,avatar_url,display_name,username"},
            )
        ).get("user", {})
        creator = await self._api("POST", "/v2/post/publish/creator_info/query/", access)
        open_id = str(user.get("open_id") or token.get("open_id") or "")
        username = str(user.get("username") or creator.get("creator_username") or "")
        account, _ = await SocialAccount.update_or_create(
            brand=brand,
            platform=PLATFORM,
            external_id=open_id,
            defaults={
                "display_name": user.get("display_name") or username or open_id,
                "status": AccountStatus.OK,
                "status_reason": "",
                "meta": {
                    "username": username,
                    "privacy_level_options": creator.get("privacy_level_options", []),
                    "max_video_post_duration_sec": creator.get("max_video_post_duration_sec"),
                },
            },
        )
        await store_tokens(
            self.ctx.cipher,
            account,
            access=access,
            refresh=token.get("refresh_token"),
            expires_in=token.get("expires_in"),
            refresh_expires_in=token.get("refresh_expires_in"),
        )
        return account

    async def disconnect(self, account: SocialAccount) -> None:
        """Revoke the token at TikTok (best effort) and forget it."""
        app = self._app()
        try:
            token = self.ctx.cipher.decrypt(account.access_token_enc)
        except ValueError:
            token = None
        if token:
            with contextlib.suppress(ConnectorError):  # the token is dropped here either way
                await call(
                    self.ctx.http,
                    "POST",
                    self._url("/v2/oauth/revoke/"),
                    platform=PLATFORM,
                    label=LABEL,
                    data={
                        "client_key": app.client_id,
                        "client_secret": app.client_secret,
                        "token": token,
                    },
                )
        await forget_tokens(account)

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """Renew the access token; TikTok rotates the refresh token, stored at once."""
        current = refresh_token_of(self.ctx.cipher, account)
        if not current:
            raise ConnectorError(
                "TikTok cannot be renewed without a refresh token; reconnect the account.",
                platform=PLATFORM,
                needs_reconnect=True,
                code="no_refresh_token",
            )
        app = self._app()
        token = await refresh_grant(app, refresh_token=current, client_key=app.client_id)
        await store_tokens(
            self.ctx.cipher,
            account,
            access=str(token["access_token"]),
            refresh=token.get("refresh_token"),
            expires_in=token.get("expires_in"),
            refresh_expires_in=token.get("refresh_expires_in"),
        )
        return account

    # --- publishing ----------------------------------------------------------------------

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """Direct post: creator info, init, upload (or pull), then poll until live."""
        job = await self.job_of(target)
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        creator = await self._api("POST", "/v2/post/publish/creator_info/query/", token)
        if creator.get("can_post") is False or creator.get("posting_blocked"):
            raise ConnectorError(
                "TikTok says this account cannot post right now (too many "
                "posts recently); it will be retried later.",
                platform=PLATFORM,
                retryable=True,
                retry_after=3600.0,
                code="creator_cannot_post",
            )
        prefs = (job.brand.settings or {}).get("tiktok", {}) or {}
        privacy = choose_privacy(
            prefs.get("privacy_level"), creator.get("privacy_level_options") or []
        )
        asset = job.asset
        if asset.kind == AssetKind.VIDEO:
            publish_id = await self._post_video(
                target, asset, caption, token, creator, prefs, privacy
            )
        else:
            publish_id = await self._post_photos(
                target, asset, caption, token, creator, prefs, privacy
            )
        username = str(
            creator.get("creator_username") or (account.meta or {}).get("username") or ""
        )
        try:
            status = await poll_until(
                lambda: self._finished(publish_id, token, username),
                deadline=self.ctx.settings.connector_poll_timeout_seconds,
                interval=self.ctx.settings.connector_poll_interval_seconds,
                platform=PLATFORM,
                what="The TikTok post",
            )
        except ConnectorError as exc:
            if not exc.retryable:
                raise
            # the upload is done: TikTok may still publish it, so never post blindly again
            raise PublishOutcomeUnknown(
                exc.user_message,
                platform=PLATFORM,
                retryable=True,
                retry_after=exc.retry_after,
                code=exc.code,
            ) from exc
        return publish_id, status.external_url or post_url(
            self.ctx.settings.tiktok_web_base, username, publish_id, None
        )

    def _post_info(
        self, caption: str, creator: Mapping[str, Any], prefs: Mapping[str, Any], privacy: str
    ) -> dict[str, Any]:
        def off(name: str) -> bool:
            return bool(creator.get(f"{name}_disabled")) or bool(prefs.get(f"disable_{name}"))

        return {
            "privacy_level": privacy,
            "disable_comment": off("comment"),
            "disable_duet": off("duet"),
            "disable_stitch": off("stitch"),
        }

    async def _post_video(
        self,
        target: PublishTarget,
        asset: MediaAsset,
        caption: str,
        token: str,
        creator: Mapping[str, Any],
        prefs: Mapping[str, Any],
        privacy: str,
    ) -> str:
        if utf16_len(caption) > TITLE_MAX:
            raise ConnectorError(
                f"The caption is {utf16_len(caption):,} characters long; "
                f"TikTok allows {TITLE_MAX:,}.",
                platform=PLATFORM,
                code="caption_too_long",
            )
        media = await self.prepare_media(asset, self.media_profile(asset))
        longest = creator.get("max_video_post_duration_sec")
        if longest and media.duration_seconds and media.duration_seconds > float(longest) + 0.5:
            raise ConnectorError(
                f"This video is {round(media.duration_seconds)} seconds long; "
                f"this TikTok account may post at most {longest} seconds.",
                platform=PLATFORM,
                code="video_too_long",
            )
        path = await self.local_file(media)
        size = await asyncio.to_thread(os.path.getsize, path)
        plan = plan_chunks(size, self.ctx.settings.tiktok_chunk_size_mb * MB)
        info = self._post_info(caption, creator, prefs, privacy)
        info["title"] = caption
        info["video_cover_timestamp_ms"] = int(prefs.get("video_cover_timestamp_ms", 1000))
        data = await self._api(
            "POST",
            "/v2/post/publish/video/init/",
            token,
            creates=True,
            json={
                "post_info": info,
                "source_info": {
                    "source": "FILE_UPLOAD",
                    "video_size": plan.video_size,
                    "chunk_size": plan.chunk_size,
                    "total_chunk_count": plan.total_chunk_count,
                },
            },
        )
        publish_id, upload_url = str(data["publish_id"]), str(data["upload_url"])
        # a checkpoint: after a crash the runner asks status/fetch about this id
        await PublishTarget.filter(id=target.id).update(external_id=publish_id)
        await self._upload(upload_url, path, media.mime_type, plan)
        return publish_id

    async def _upload(self, upload_url: str, path: Path, mime_type: str, plan: ChunkPlan) -> None:
        def read(start: int, end: int) -> bytes:
            with open(path, "rb") as fh:
                fh.seek(start)
                return fh.read(end - start + 1)

        for start, end in plan.ranges():
            chunk = await asyncio.to_thread(read, start, end)
            # the chunk that completes the upload makes the post: TikTok publishes it
            await call(
                self.ctx.http,
                "PUT",
                upload_url,
                platform=PLATFORM,
                label=LABEL,
                errors=map_error,
                content=chunk,
                timeout=600.0,
                creates=end + 1 >= plan.video_size,
                headers={
                    "Content-Type": mime_type or "video/mp4",
                    "Content-Range": f"bytes {start}-{end}/{plan.video_size}",
                },
            )

    async def _post_photos(
        self,
        target: PublishTarget,
        asset: MediaAsset,
        caption: str,
        token: str,
        creator: Mapping[str, Any],
        prefs: Mapping[str, Any],
        privacy: str,
    ) -> str:
        rows = await self.ctx.pipeline.ensure_each(asset, [self.media_profile(asset)])
        photos = [row[self.media_profile(asset)] for row in rows][:PHOTO_MAX]
        info = self._post_info(caption, creator, prefs, privacy)
        info.pop("disable_duet")
        info.pop("disable_stitch")
        first_line = caption.strip().splitlines()[0] if caption.strip() else ""
        if first_line and utf16_len(first_line) <= PHOTO_TITLE_MAX:
            info["title"] = first_line
        info["description"] = caption
        info["auto_add_music"] = bool(prefs.get("auto_add_music", True))
        urls = [signed_media_url(self.ctx.settings, p) for p in photos]
        body = {
            "post_info": info,
            "post_mode": "DIRECT_POST",
            "media_type": "PHOTO",
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_cover_index": 0,
                "photo_images": urls,
            },
        }
        data = await self._api(
            "POST", "/v2/post/publish/content/init/", token, creates=True, json=body
        )
        publish_id = str(data["publish_id"])
        await PublishTarget.filter(id=target.id).update(external_id=publish_id)
        return publish_id

    async def _fetch(self, publish_id: str, token: str, username: str) -> PublishStatus:
        data = await self._api(
            "POST", "/v2/post/publish/status/fetch/", token, json={"publish_id": publish_id}
        )
        state = str(data.get("status", ""))
        ids = data.get("publicaly_available_post_id") or []
        url = post_url(
            self.ctx.settings.tiktok_web_base, username, publish_id, str(ids[0]) if ids else None
        )
        if state in DONE:
            return PublishStatus(PublishState.PUBLISHED, url)
        if state == "FAILED":
            return PublishStatus(
                PublishState.FAILED, error=_fail_reason(str(data.get("fail_reason", "")))
            )
        return PublishStatus(PublishState.PROCESSING)

    async def _finished(self, publish_id: str, token: str, username: str) -> PublishStatus | None:
        status = await self._fetch(publish_id, token, username)
        if status.state == PublishState.FAILED:
            raise ConnectorError(status.error, platform=PLATFORM, code="publish_failed")
        return status if status.state == PublishState.PUBLISHED else None

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """status/fetch for the publish id, mapped to our states."""
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        try:
            return await self._fetch(
                external_id, token, str((account.meta or {}).get("username") or "")
            )
        except ConnectorError as exc:
            if exc.code in ("invalid_publish_id", "http_404"):
                return PublishStatus(PublishState.NOT_FOUND)
            raise

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """The post of the checkpointed publish id; a video without one never went out."""
        if target.external_id:
            status = await self.get_status(target.external_id, account)
            if status.state == PublishState.PUBLISHED:
                return target.external_id, status.external_url or ""
            return None
        job = await self.job_of(target)
        if job.asset.kind == AssetKind.VIDEO:
            return None  # no publish id means no upload session: nothing can go live
        return await super().find_published(target, account)


def _fail_reason(reason: str) -> str:
    """TikTok's fail_reason in plain words."""
    known = {
        "file_format_check_failed": "TikTok could not read the video format.",
        "duration_check_failed": "The video is too long or too short for TikTok.",
        "frame_rate_check_failed": "TikTok refused the video's frame rate.",
        "picture_size_check_failed": "TikTok refused the picture size.",
        "internal": "TikTok failed while processing the post.",
        "video_pull_failed": "TikTok could not download the video from this server.",
        "photo_pull_failed": "TikTok could not download the photos from this server; check "
        "that PUBLIC_BASE_URL is reachable from the internet.",
        "publish_cancelled": "The post was cancelled on TikTok.",
        "auth_removed": "The TikTok account removed this app's access.",
        "spam_risk_too_many_posts": "This TikTok account reached its daily posting limit.",
        "spam_risk": "TikTok flagged the post as spam risk.",
    }
    return known.get(
        reason,
        "TikTok could not publish the post"
        + (f" ({reason.replace('_', ' ')})." if reason else "."),
    )


CONNECTOR = TikTokConnector
