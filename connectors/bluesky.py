"""Bluesky through the AT Protocol: app-password sessions, blobs, post records with facets.

Connect with `com.atproto.server.createSession` (handle or email + an app password); the
session JWTs are stored encrypted and renewed with `refreshSession`. Images go up with
`uploadBlob`; videos go to the video service with a service token from `getServiceAuth`
and are polled with `getJobStatus`; the post is one `createRecord` of `app.bsky.feed.post`
with link and hashtag facets (UTF-8 byte offsets).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors._bluesky_api import (
    DID,
    HANDLE,
    IMAGES_MAX,
    LABEL,
    PLATFORM,
    POST,
    TEXT_MAX_BYTES,
    TEXT_MAX_GRAPHEMES,
    UNREACHABLE,
    facets,
    grapheme_len,
    jwt_expiry_seconds,
    map_error,
    post_url,
    service_did,
)
from connectors._http import (
    access_token,
    call,
    forget_tokens,
    json_body,
    media_bytes,
    poll_until,
    refresh_token_of,
    store_tokens,
)
from connectors.base import Connector, PublishState, PublishStatus
from core.ai.style_rules import DEFAULT_RULES
from core.errors import AuthExpired, ConnectorError, InvalidInput, OutboundRefused
from core.models import (
    AccountStatus,
    AssetKind,
    Brand,
    MediaAsset,
    PublishTarget,
    SocialAccount,
    TranscodedMedia,
)
from core.net_guard import OutboundPolicy, origin, vet
from core.safe_links import host_of

log = logging.getLogger(__name__)


class BlueskyConnector(Connector):
    """A Bluesky account (any PDS), signed in with an app password."""

    platform = PLATFORM
    label = LABEL
    rules = DEFAULT_RULES["bluesky"]
    auth_kind = "app_password"
    supports_carousel = True
    credential_fields = (
        ("identifier", "Handle or email"),
        ("password", "App password"),
        ("service", "Server (leave empty for bsky.social)"),
    )
    refresh_ahead = timedelta(minutes=90)

    def media_profile(self, asset: MediaAsset) -> str:
        """Bluesky video (3 min, 100 MB) or Bluesky images (1 MB each)."""
        return "bluesky_video" if asset.kind == AssetKind.VIDEO else "bluesky_image"

    async def _xrpc(
        self, method: str, base: str, nsid: str, token: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await call(
            self.ctx.outbound,
            method,
            f"{base.rstrip('/')}/xrpc/{nsid}",
            platform=PLATFORM,
            label=LABEL,
            errors=map_error,
            headers=headers,
            **kwargs,
        )
        return json_body(response)

    def _pds(self, account: SocialAccount) -> str:
        """The account's stored PDS, checked again (it is used as a base URL)."""
        try:
            return origin(
                str((account.meta or {}).get("pds") or ""), OutboundPolicy.of(self.ctx.settings)
            )
        except OutboundRefused:
            raise ConnectorError(
                "This Bluesky account's server address is not usable; "
                "reconnect it with an app password.",
                platform=PLATFORM,
                needs_reconnect=True,
                code="bad_pds",
            ) from None

    def link_hosts(self, account: SocialAccount) -> tuple[str, ...] | None:
        """Post links point to the Bluesky web app."""
        return (host_of(self.ctx.settings.bluesky_web_base),)

    async def _store_session(self, account: SocialAccount, session: Mapping[str, Any]) -> None:
        access, refresh = str(session["accessJwt"]), str(session["refreshJwt"])
        await store_tokens(
            self.ctx.cipher,
            account,
            access=access,
            refresh=refresh,
            expires_in=jwt_expiry_seconds(access),
            refresh_expires_in=jwt_expiry_seconds(refresh),
        )

    # --- connecting ----------------------------------------------------------------------

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """createSession with the app password; the password itself is never stored."""
        identifier = str(oauth_params.get("identifier") or "").strip().lstrip("@")
        password = str(oauth_params.get("password") or "").strip()
        service = (
            str(oauth_params.get("service") or "").strip() or self.ctx.settings.bluesky_service
        )
        if not identifier or not password:
            raise InvalidInput(
                "Give the Bluesky handle (or email) and an app password "
                "(Settings → Privacy and security → App passwords)."
            )
        policy = OutboundPolicy.of(self.ctx.settings)
        try:
            service = origin(service if "://" in service else "https://" + service, policy)
        except OutboundRefused as exc:
            log.info("bluesky server address refused: %s", exc.detail)
            raise InvalidInput(
                "The Bluesky server must be a public https:// address like "
                "bsky.social (or leave it empty)."
            ) from None
        try:
            session = await self._xrpc(
                "POST",
                service,
                "com.atproto.server.createSession",
                json={"identifier": identifier, "password": password},
            )
            pds = await self._session_pds(session, service, policy)
            handle, did = str(session["handle"]), str(session["did"])
            if not HANDLE.fullmatch(handle) or not DID.fullmatch(did):
                raise ValueError("the session names no valid handle or DID")
        except ConnectorError as exc:
            if isinstance(exc, AuthExpired) or exc.code == "AuthenticationRequired":
                raise InvalidInput(
                    "Bluesky did not accept that handle and app password. "
                    "Check them and use an app password, not the account "
                    "password."
                ) from None
            log.info("bluesky sign-in failed: %s %s", exc.code, getattr(exc, "detail", ""))
            raise InvalidInput(UNREACHABLE) from None
        except (KeyError, TypeError, ValueError) as exc:
            log.info("bluesky sign-in answer unusable: %s", type(exc).__name__)
            raise InvalidInput(UNREACHABLE) from None
        account, _ = await SocialAccount.update_or_create(
            brand=brand,
            platform=PLATFORM,
            external_id=did,
            defaults={
                "display_name": f"@{handle}",
                "status": AccountStatus.OK,
                "status_reason": "",
                "meta": {"did": did, "handle": handle, "pds": pds},
            },
        )
        await self._store_session(account, session)
        return account

    @staticmethod
    async def _session_pds(session: Mapping[str, Any], service: str, policy: OutboundPolicy) -> str:
        """The PDS the DID document names (its origin only, a public address), else the
        server signed in on: later calls go there with the account's tokens."""
        pds = service
        for entry in (session.get("didDoc") or {}).get("service", []) or []:
            if str(entry.get("id", "")).endswith("#atproto_pds") and entry.get("serviceEndpoint"):
                pds = origin(str(entry["serviceEndpoint"]), policy)
        await vet(pds, policy)
        return pds

    async def disconnect(self, account: SocialAccount) -> None:
        """deleteSession (best effort), then forget the session."""
        refresh = refresh_token_of(self.ctx.cipher, account)
        if refresh and self._pds(account):
            with contextlib.suppress(ConnectorError):
                await self._xrpc(
                    "POST", self._pds(account), "com.atproto.server.deleteSession", refresh
                )
        await forget_tokens(account)

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """refreshSession: new access and refresh JWTs, stored at once."""
        refresh = refresh_token_of(self.ctx.cipher, account)
        if not refresh:
            raise ConnectorError(
                "The Bluesky session cannot be renewed; reconnect with an app password.",
                platform=PLATFORM,
                needs_reconnect=True,
                code="no_refresh_token",
            )
        session = await self._xrpc(
            "POST", self._pds(account), "com.atproto.server.refreshSession", refresh
        )
        if HANDLE.fullmatch(str(session.get("handle") or "")):
            account.meta = {**(account.meta or {}), "handle": str(session["handle"])}
            await account.save(update_fields=["meta"])
        await self._store_session(account, session)
        return account

    # --- publishing ----------------------------------------------------------------------

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """Upload the media, then create the post record with facets and the embed."""
        length = grapheme_len(caption)
        if length > TEXT_MAX_GRAPHEMES or len(caption.encode()) > TEXT_MAX_BYTES:
            raise ConnectorError(
                f"The post text has {length} characters; Bluesky allows {TEXT_MAX_GRAPHEMES}.",
                platform=PLATFORM,
                code="text_too_long",
            )
        job = await self.job_of(target)
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        meta = account.meta or {}
        pds, did = self._pds(account), str(meta.get("did") or account.external_id)
        profile = self.media_profile(job.asset)
        rows = await self.ctx.pipeline.ensure_each(job.asset, [profile])
        items = [row[profile] for row in rows]
        if job.asset.kind == AssetKind.VIDEO:
            embed = await self._video_embed(items[0], token, pds, did)
        else:
            images = []
            for media in items[:IMAGES_MAX]:
                data = await media_bytes(await self.local_file(media), media.size_bytes)
                blob = await self._xrpc(
                    "POST",
                    pds,
                    "com.atproto.repo.uploadBlob",
                    token,
                    content=data,
                    headers={"Content-Type": media.mime_type or "image/jpeg"},
                )
                images.append({"alt": "", "image": blob["blob"], "aspectRatio": _aspect(media)})
            embed = {"$type": "app.bsky.embed.images", "images": images}
        record: dict[str, Any] = {
            "$type": POST,
            "text": caption,
            "embed": embed,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        if found := facets(caption):
            record["facets"] = found
        created = await self._xrpc(
            "POST",
            pds,
            "com.atproto.repo.createRecord",
            token,
            json={"repo": did, "collection": POST, "record": record},
            creates=True,
        )
        uri = str(created["uri"])
        return uri, post_url(self.ctx.settings.bluesky_web_base, str(meta.get("handle")), uri)

    async def _video_embed(
        self, media: TranscodedMedia, token: str, pds: str, did: str
    ) -> dict[str, Any]:
        auth = await self._xrpc(
            "GET",
            pds,
            "com.atproto.server.getServiceAuth",
            token,
            params={
                "aud": service_did(pds),
                "lxm": "com.atproto.repo.uploadBlob",
                "exp": int(time.time()) + 1800,
            },
        )
        data = await media_bytes(await self.local_file(media), media.size_bytes)
        video = self.ctx.settings.bluesky_video_service
        job = await self._xrpc(
            "POST",
            video,
            "app.bsky.video.uploadVideo",
            auth["token"],
            params={"did": did, "name": Path(media.file_path).name},
            content=data,
            timeout=600.0,
            headers={"Content-Type": "video/mp4"},
        )
        status = job.get("jobStatus", job)

        async def done() -> dict[str, Any] | None:
            answer = await self._xrpc(
                "GET", video, "app.bsky.video.getJobStatus", params={"jobId": status["jobId"]}
            )
            state = answer.get("jobStatus", answer)
            if state.get("blob"):
                return dict(state["blob"])
            if state.get("state") == "JOB_STATE_FAILED":
                log.info(
                    "bluesky video job failed: %.300r", state.get("message") or state.get("error")
                )
                raise ConnectorError(
                    "Bluesky could not process the video. Try another file.",
                    platform=PLATFORM,
                    code="video_failed",
                )
            return None

        blob = status.get("blob") or await poll_until(
            done,
            deadline=self.ctx.settings.connector_poll_timeout_seconds,
            interval=self.ctx.settings.connector_poll_interval_seconds,
            platform=PLATFORM,
            what="The Bluesky video",
        )
        return {"$type": "app.bsky.embed.video", "video": blob, "aspectRatio": _aspect(media)}

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """getRecord of the post URI: published, or not found."""
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        repo, collection, rkey = external_id.removeprefix("at://").split("/", 2)
        try:
            await self._xrpc(
                "GET",
                self._pds(account),
                "com.atproto.repo.getRecord",
                token,
                params={"repo": repo, "collection": collection, "rkey": rkey},
            )
        except ConnectorError as exc:
            if exc.code in ("RecordNotFound", "http_404"):
                return PublishStatus(PublishState.NOT_FOUND)
            raise
        handle = str((account.meta or {}).get("handle"))
        return PublishStatus(
            PublishState.PUBLISHED,
            post_url(self.ctx.settings.bluesky_web_base, handle, external_id),
        )

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """A recent post of the account with this target's text (listRecords)."""
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        meta = account.meta or {}
        listing = await self._xrpc(
            "GET",
            self._pds(account),
            "com.atproto.repo.listRecords",
            token,
            params={
                "repo": meta.get("did") or account.external_id,
                "collection": POST,
                "limit": 25,
            },
        )
        since = (target.created_at or datetime.now(UTC)) - timedelta(minutes=2)
        for item in listing.get("records", []):
            value = item.get("value") or {}
            try:
                created = datetime.fromisoformat(str(value.get("createdAt")).replace("Z", "+00:00"))
            except ValueError:
                continue
            if value.get("text") == target.caption and created >= since:
                uri = str(item["uri"])
                return uri, post_url(
                    self.ctx.settings.bluesky_web_base, str(meta.get("handle")), uri
                )
        return None


def _aspect(media: TranscodedMedia) -> dict[str, int]:
    return {"width": int(media.width or 1), "height": int(media.height or 1)}


CONNECTOR = BlueskyConnector
