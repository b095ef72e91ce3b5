"""Mastodon (any server): per-server app registration, OAuth code flow, media and statuses.

The app is registered on the person's server (`POST /api/v1/apps`) the first time that
server is used and kept (encrypted secret) in `OAuthClientApp`. Media go to
`/api/v2/media` (200 ready, 202 processing → poll `/api/v1/media/:id`), then one
`/api/v1/statuses` call carrying an `Idempotency-Key` derived from the target, so a
repeated call can never post twice. Limits are read from the server's `/api/v2/instance`.
Mastodon's own tokens never expire; servers that do issue refresh tokens get refreshed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

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
from connectors._mastodon_api import (
    LABEL,
    LIMITS_TTL_SECONDS,
    PLATFORM,
    SCOPES,
    UNREACHABLE,
    map_error,
    normalize_server,
    server_answers,
    status_length,
)
from connectors._oauth import OAuthApp, authorization_url
from connectors.base import Connector, PublishState, PublishStatus
from core.ai.style_rules import DEFAULT_RULES
from core.errors import AuthExpired, ConnectorError, InvalidInput, OutboundRefused
from core.models import (
    AccountStatus,
    AssetKind,
    Brand,
    MediaAsset,
    OAuthClientApp,
    PublishTarget,
    SocialAccount,
)
from core.net_guard import OutboundPolicy
from core.safe_links import host_of, web_link


class MastodonConnector(Connector):
    """A Mastodon account on any server."""

    platform = PLATFORM
    label = LABEL
    rules = DEFAULT_RULES["mastodon"]
    supports_carousel = True
    credential_fields = (("server", "Your Mastodon server (like mastodon.social)"),)

    @functools.cached_property
    def _limits_seen(self) -> dict[str, tuple[float, dict[str, Any]]]:
        """Server → (valid until, on the monotonic clock; its limits)."""
        return {}

    @functools.cached_property
    def _limits_locks(self) -> dict[str, asyncio.Lock]:
        """One reader of a server's limits at a time: a burst of posts asks once."""
        return {}

    def media_profile(self, asset: MediaAsset) -> str:
        """A web-safe video under 99 MB, or a web image under 16 MB."""
        return "mastodon_video" if asset.kind == AssetKind.VIDEO else "web_image"

    def _server(self, value: str) -> str:
        return normalize_server(value, OutboundPolicy.of(self.ctx.settings))

    def _server_of(self, account: SocialAccount) -> str:
        """The account's stored server, checked again (it is used as a base URL)."""
        try:
            return self._server(str((account.meta or {}).get("server") or ""))
        except InvalidInput:
            raise ConnectorError(
                "This Mastodon account's server address is not usable; reconnect it.",
                platform=PLATFORM,
                needs_reconnect=True,
                code="bad_server",
            ) from None

    def link_hosts(self, account: SocialAccount) -> tuple[str, ...] | None:
        """Post links point to the account's own server."""
        return (host_of(str((account.meta or {}).get("server") or "")),)

    async def _api(
        self, method: str, server: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return await call(
            self.ctx.outbound,
            method,
            server + path,
            platform=PLATFORM,
            label=LABEL,
            errors=map_error,
            headers=headers,
            **kwargs,
        )

    # --- the per-server app --------------------------------------------------------------

    async def _client_app(self, server: str, redirect: str, *, register: bool) -> OAuthApp:
        row = await OAuthClientApp.get_or_none(
            platform=PLATFORM, server=server, redirect_uri=redirect
        )
        if row is None:
            if not register:
                raise InvalidInput(
                    "This Mastodon sign-in was not started here. Start connecting Mastodon again."
                )
            with server_answers("app registration"):
                data = json_body(
                    await self._api(
                        "POST",
                        server,
                        "/api/v1/apps",
                        data={
                            "client_name": self.ctx.settings.mastodon_app_name,
                            "redirect_uris": redirect,
                            "scopes": " ".join(SCOPES),
                            "website": self.ctx.settings.mastodon_app_website,
                        },
                    )
                )
                client_id, secret = str(data["client_id"]), str(data["client_secret"])
            row, _ = await OAuthClientApp.get_or_create(
                platform=PLATFORM,
                server=server,
                redirect_uri=redirect,
                defaults={
                    "client_id": client_id,
                    "scopes": " ".join(SCOPES),
                    "client_secret_enc": self.ctx.cipher.encrypt(secret),
                },
            )
        return OAuthApp(
            platform=PLATFORM,
            label=LABEL,
            client_id=row.client_id,
            client_secret=self.ctx.cipher.decrypt(row.client_secret_enc) or "",
            authorize_url=f"{server}/oauth/authorize",
            token_url=f"{server}/oauth/token",
            scopes=SCOPES,
            pkce=True,
        )

    async def _token(self, server: str, app: OAuthApp, grant: dict[str, str]) -> dict[str, Any]:
        """POST /oauth/token on the server, through the guarded client like every call."""
        answer = json_body(
            await self._api(
                "POST",
                server,
                "/oauth/token",
                data={"client_id": app.client_id, "client_secret": app.client_secret, **grant},
            )
        )
        if not answer.get("access_token"):
            raise ConnectorError(
                "Mastodon did not hand over a token.", platform=PLATFORM, code="no_token"
            )
        return answer

    async def authorization_url(
        self,
        brand: Brand,
        *,
        state: str,
        redirect_uri: str,
        code_verifier: str,
        params: Mapping[str, str],
    ) -> str:
        """Register (once) on the person's server, then its sign-in page (PKCE S256)."""
        server = self._server(str(params.get("server") or params.get("instance") or ""))
        app = await self._client_app(server, redirect_uri, register=True)
        return authorization_url(
            app, redirect=redirect_uri, state=state, code_verifier=code_verifier
        )

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Exchange the code on the same server, read the account and the server's limits."""
        start = oauth_params.get("start") or {}
        server = self._server(
            str(start.get("server") or start.get("instance") or oauth_params.get("server") or "")
        )
        redirect = str(oauth_params.get("redirect_uri") or "")
        app = await self._client_app(server, redirect, register=False)
        code = str(oauth_params.get("code") or "")
        if not code:
            raise InvalidInput("Mastodon did not send an authorization code back.")
        try:
            token = await self._token(
                server,
                app,
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect,
                    "code_verifier": str(oauth_params.get("code_verifier") or ""),
                },
            )
        except ConnectorError as exc:
            if exc.retryable or isinstance(exc, OutboundRefused):
                raise InvalidInput(UNREACHABLE) from None
            raise InvalidInput(
                "Mastodon refused the sign-in. Please start connecting again."
            ) from None
        access = str(token["access_token"])
        host = host_of(server)
        with server_answers("account check"):
            me = json_body(
                await self._api("GET", server, "/api/v1/accounts/verify_credentials", access)
            )
            account_id, acct = str(me["id"]), str(me.get("acct") or me.get("username") or "")
            limits = await self._limits(server)
        account, _ = await SocialAccount.update_or_create(
            brand=brand,
            platform=PLATFORM,
            external_id=f"{account_id}@{host}",
            defaults={
                "display_name": f"@{acct}@{host}"[:200],
                "status": AccountStatus.OK,
                "status_reason": "",
                "meta": {
                    "server": server,
                    "account_id": account_id,
                    "acct": acct,
                    "url": web_link(
                        str(me.get("url") or ""),
                        hosts=(host,),
                        allow_http=self.ctx.settings.outbound_allow_http,
                    ),
                    "limits": limits,
                },
            },
        )
        await store_tokens(
            self.ctx.cipher,
            account,
            access=access,
            refresh=token.get("refresh_token"),
            expires_in=token.get("expires_in"),
        )
        return account

    async def _limits(self, server: str) -> dict[str, Any]:
        """The server's real limits from /api/v2/instance (defaults where it says nothing),
        read again after LIMITS_TTL_SECONDS: a server changes them rarely, and every post
        needs them."""
        seen = self._limits_seen.get(server)
        if seen is not None and seen[0] > time.monotonic():
            return seen[1]
        async with self._limits_locks.setdefault(server, asyncio.Lock()):
            seen = self._limits_seen.get(server)  # read by another post meanwhile
            if seen is not None and seen[0] > time.monotonic():
                return seen[1]
            return await self._read_limits(server)

    async def _read_limits(self, server: str) -> dict[str, Any]:
        config = (
            json_body(await self._api("GET", server, "/api/v2/instance")).get("configuration") or {}
        )
        statuses, media = config.get("statuses") or {}, config.get("media_attachments") or {}
        limits = {
            "max_characters": int(statuses.get("max_characters") or 500),
            "max_media_attachments": int(statuses.get("max_media_attachments") or 4),
            "characters_reserved_per_url": int(statuses.get("characters_reserved_per_url") or 23),
            "image_size_limit": int(media.get("image_size_limit") or 16 * 1024 * 1024),
            "video_size_limit": int(media.get("video_size_limit") or 99 * 1024 * 1024),
        }
        self._limits_seen[server] = (time.monotonic() + LIMITS_TTL_SECONDS, limits)
        return limits

    async def disconnect(self, account: SocialAccount) -> None:
        """Revoke the token on the server (best effort) and forget it."""
        server = str((account.meta or {}).get("server") or "")
        row = await OAuthClientApp.filter(platform=PLATFORM, server=server).first()
        token = None
        with contextlib.suppress(ValueError):
            token = self.ctx.cipher.decrypt(account.access_token_enc)
        if row is not None and token:
            with contextlib.suppress(ConnectorError):
                await self._api(
                    "POST",
                    self._server_of(account),
                    "/oauth/revoke",
                    data={
                        "client_id": row.client_id,
                        "token": token,
                        "client_secret": self.ctx.cipher.decrypt(row.client_secret_enc),
                    },
                )
        await forget_tokens(account)

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """Refresh where the server issued a refresh token; else check the token still works
        (Mastodon's tokens do not expire: a refused one means reconnecting)."""
        server = self._server_of(account)
        current = refresh_token_of(self.ctx.cipher, account)
        if current:
            row = await OAuthClientApp.filter(platform=PLATFORM, server=server).first()
            if row is None:
                raise ConnectorError(
                    "The Mastodon app registration is missing; reconnect the account.",
                    platform=PLATFORM,
                    needs_reconnect=True,
                    code="no_app",
                )
            app = await self._client_app(server, row.redirect_uri, register=False)
            try:
                token = await self._token(
                    server, app, {"grant_type": "refresh_token", "refresh_token": current}
                )
            except ConnectorError as exc:
                if exc.retryable:
                    raise
                raise ConnectorError(
                    "Mastodon refused to renew the connection; reconnect the account.",
                    platform=PLATFORM,
                    needs_reconnect=True,
                    code="refresh_refused",
                ) from None
            await store_tokens(
                self.ctx.cipher,
                account,
                access=str(token["access_token"]),
                refresh=token.get("refresh_token"),
                expires_in=token.get("expires_in"),
            )
            return account
        token_now = access_token(self.ctx.cipher, account, platform=PLATFORM)
        try:
            await self._api("GET", server, "/api/v1/accounts/verify_credentials", token_now)
        except AuthExpired as exc:
            raise ConnectorError(
                "Mastodon revoked this connection; reconnect the account on "
                "the brand's Connections page.",
                platform=PLATFORM,
                needs_reconnect=True,
                code="revoked",
            ) from exc
        return account

    # --- publishing ----------------------------------------------------------------------

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """Upload the media, wait until processed, then one idempotent status."""
        server = self._server_of(account)
        limits = await self._limits(server)
        length = status_length(caption, limits["characters_reserved_per_url"])
        if length > limits["max_characters"]:
            raise ConnectorError(
                f"The post has {length} characters; this Mastodon server "
                f"allows {limits['max_characters']}.",
                platform=PLATFORM,
                code="text_too_long",
            )
        job = await self.job_of(target)
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        profile = self.media_profile(job.asset)
        rows = await self.ctx.pipeline.ensure_each(job.asset, [profile])
        media_ids = []
        for row in rows[: limits["max_media_attachments"]]:
            media_ids.append(await self._upload(server, token, row[profile], limits))
        prefs = (job.brand.settings or {}).get("mastodon", {}) or {}
        body: dict[str, Any] = {
            "status": caption,
            "media_ids": media_ids,
            "visibility": prefs.get("visibility", "public"),
        }
        if prefs.get("language"):
            body["language"] = prefs["language"]
        status = json_body(
            await self._api(
                "POST",
                server,
                "/api/v1/statuses",
                token,
                json=body,
                creates=True,
                headers={"Idempotency-Key": self.idempotency_key(target)},
            )
        )
        return str(status["id"]), str(status.get("url") or status.get("uri"))

    @staticmethod
    def idempotency_key(target: PublishTarget) -> str:
        """One key per target: the server answers a repeat with the status it made."""
        return f"oneclick-target-{target.id}"

    async def _upload(self, server: str, token: str, media: Any, limits: Mapping[str, int]) -> str:
        video = media.mime_type.startswith("video/")
        cap = limits["video_size_limit" if video else "image_size_limit"]
        if media.size_bytes and media.size_bytes > cap:
            raise ConnectorError(
                f"The {'video' if video else 'image'} is "
                f"{media.size_bytes / 1048576:.0f} MB; this Mastodon server "
                f"takes at most {cap / 1048576:.0f} MB.",
                platform=PLATFORM,
                code="media_too_large",
            )
        data = await media_bytes(await self.local_file(media), media.size_bytes)
        answer = await self._api(
            "POST",
            server,
            "/api/v2/media",
            token,
            timeout=600.0,
            files={"file": (Path(media.file_path).name, data, media.mime_type)},
        )
        media_id = str(json_body(answer)["id"])
        if answer.status_code == 200:
            return media_id

        async def processed() -> str | None:
            check = await self.ctx.outbound.get(
                f"{server}/api/v1/media/{media_id}", headers={"Authorization": f"Bearer {token}"}
            )
            if check.status_code == 206:
                return None
            if check.status_code == 422:
                raise ConnectorError(
                    "Mastodon could not process the media file. Try another file.",
                    platform=PLATFORM,
                    code="media_failed",
                )
            if check.is_success:
                return media_id
            raise map_error(check) or ConnectorError(
                f"Mastodon answered {check.status_code} while processing the media.",
                platform=PLATFORM,
                retryable=True,
                code="media_check",
            )

        return await poll_until(
            processed,
            deadline=self.ctx.settings.connector_poll_timeout_seconds,
            interval=self.ctx.settings.connector_poll_interval_seconds,
            platform=PLATFORM,
            what="The Mastodon media",
        )

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """GET /api/v1/statuses/:id: published (with its URL) or not found."""
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        try:
            answer = await self._api(
                "GET", self._server_of(account), f"/api/v1/statuses/{external_id}", token
            )
        except ConnectorError as exc:
            if exc.code == "http_404":
                return PublishStatus(PublishState.NOT_FOUND)
            raise
        status = json_body(answer)
        return PublishStatus(PublishState.PUBLISHED, str(status.get("url") or status.get("uri")))

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """A recent status of the account whose source text is this target's caption."""
        meta = account.meta or {}
        server, token = (
            self._server_of(account),
            access_token(self.ctx.cipher, account, platform=PLATFORM),
        )
        listing = (
            await self._api(
                "GET",
                server,
                f"/api/v1/accounts/{meta.get('account_id')}/statuses",
                token,
                params={"limit": 20, "exclude_replies": "true", "exclude_reblogs": "true"},
            )
        ).json()
        since = (target.created_at or datetime.now(UTC)) - timedelta(minutes=2)
        for status in listing if isinstance(listing, list) else []:
            created = datetime.fromisoformat(str(status["created_at"]).replace("Z", "+00:00"))
            if created < since:
                continue
            source = json_body(
                await self._api("GET", server, f"/api/v1/statuses/{status['id']}/source", token)
            )
            if str(source.get("text", "")).strip() == target.caption.strip():
                return str(status["id"]), str(status.get("url") or status.get("uri"))
        return None


CONNECTOR = MastodonConnector
