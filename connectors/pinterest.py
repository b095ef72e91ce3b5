"""Pinterest pins through API v5: image pins (sync) and video pins (media upload, poll, pin).

The board is picked while connecting (a `ConnectChoice` of the person's boards). OAuth uses
HTTP Basic client authentication at `/v5/oauth/token`; refresh tokens are continuous, so
every refresh stores the new one.
"""

from __future__ import annotations

import asyncio
import base64
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
    retry_after_seconds,
    store_tokens,
)
from connectors._oauth import OAuthApp, authorization_url, exchange_code, oauth_app, refresh_grant
from connectors.base import (
    ConnectChoice,
    ConnectOption,
    Connector,
    PublishState,
    PublishStatus,
)
from core.ai.style_rules import DEFAULT_RULES
from core.errors import AuthExpired, ConnectorError, InvalidInput
from core.models import (
    AccountStatus,
    AssetKind,
    Brand,
    MediaAsset,
    PublishTarget,
    SocialAccount,
)

PLATFORM = "pinterest"
LABEL = "Pinterest"
SCOPES = ("boards:read", "pins:read", "pins:write", "user_accounts:read")
TITLE_MAX = 100
DESCRIPTION_MAX = 500
ALT_MAX = 500


def pin_title(caption: str) -> str:
    """A pin title from the caption: its first line, cut at a word within 100 characters."""
    line = next((ln.strip() for ln in caption.splitlines() if ln.strip()), "")
    if len(line) <= TITLE_MAX:
        return line
    cut = line[: TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,.;:-")
    return cut + "…"


def _clean(message: str) -> str:
    """Pinterest's own message, short and without payload characters."""
    text = "".join(ch for ch in message if ch not in '{}[]<>"').strip()
    return text[:160].rstrip(" .") or "no reason given"


def map_error(response: httpx.Response) -> ConnectorError | None:
    """Pinterest's `{"code": n, "message": ...}` errors as typed errors."""
    status = response.status_code
    message = str(json_body(response).get("message", ""))
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 401:
        return AuthExpired(
            "Pinterest no longer accepts this connection; it will be renewed, or "
            "reconnect Pinterest on the brand's Connections page.",
            platform=PLATFORM,
            code="unauthorized",
        )
    if status == 403:
        return ConnectorError(
            "The Pinterest connection lacks the permission to create pins. "
            "Reconnect Pinterest and allow it.",
            platform=PLATFORM,
            needs_reconnect=True,
            code="forbidden",
        )
    if status == 404 and "board" in message.lower():
        return ConnectorError(
            "The Pinterest board picked for this brand no longer exists. "
            "Reconnect Pinterest and pick a board.",
            platform=PLATFORM,
            needs_reconnect=True,
            code="board_not_found",
        )
    if status == 429:
        return ConnectorError(
            "Pinterest is limiting how fast we may post; it will be retried shortly.",
            platform=PLATFORM,
            retryable=True,
            retry_after=wait or 60.0,
            code="rate_limited",
        )
    if status >= 500:
        return ConnectorError(
            "Pinterest had a temporary problem; it will be retried.",
            platform=PLATFORM,
            retryable=True,
            retry_after=wait,
            code="server_error",
        )
    if status in (400, 409, 413, 422):
        return ConnectorError(
            f"Pinterest refused the pin: {_clean(message)}.",
            platform=PLATFORM,
            code="invalid_request",
        )
    return None


def pin_url(web_base: str, pin_id: str) -> str:
    """The public link of a pin."""
    return f"{web_base.rstrip('/')}/pin/{pin_id}/"


class PinterestConnector(Connector):
    """A Pinterest account posting to one board."""

    platform = PLATFORM
    label = LABEL
    rules = DEFAULT_RULES["pinterest"]
    refresh_ahead = timedelta(days=3)

    def _app(self) -> OAuthApp:
        base = self.ctx.settings.pinterest_api_base.rstrip("/")
        return oauth_app(
            self.ctx.settings,
            PLATFORM,
            LABEL,
            authorize_url=self.ctx.settings.pinterest_authorize_url,
            token_url=f"{base}/v5/oauth/token",
            scopes=SCOPES,
            scope_separator=",",
            auth_method="client_secret_basic",
        )

    async def _api(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        url = self.ctx.settings.pinterest_api_base.rstrip("/") + path
        return await call(
            self.ctx.http,
            method,
            url,
            platform=PLATFORM,
            label=LABEL,
            errors=map_error,
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )

    def media_profile(self, asset: MediaAsset) -> str:
        """A 2:3 video pin, or a pin image."""
        return "pinterest_2x3" if asset.kind == AssetKind.VIDEO else "pinterest_image"

    # --- connecting ----------------------------------------------------------------------

    async def authorization_url(
        self,
        brand: Brand,
        *,
        state: str,
        redirect_uri: str,
        code_verifier: str,
        params: Mapping[str, str],
    ) -> str:
        """Pinterest's consent page."""
        return authorization_url(self._app(), redirect=redirect_uri, state=state)

    async def _exchange(self, oauth_params: Mapping[str, Any]) -> dict[str, Any]:
        # after the board picker the web app passes the carry back (merged, or under "carry")
        carry = oauth_params.get("carry")
        if isinstance(carry, Mapping) and carry.get("access_token"):
            return dict(carry)
        if oauth_params.get("access_token"):
            return {
                k: str(oauth_params[k])
                for k in ("access_token", "refresh_token", "expires_in", "refresh_token_expires_in")
                if oauth_params.get(k) is not None
            }
        token = await exchange_code(
            self._app(),
            code=str(oauth_params.get("code") or ""),
            redirect=str(oauth_params.get("redirect_uri") or ""),
            continuous_refresh="true",
        )
        return {k: str(v) for k, v in token.items() if v is not None}

    async def _boards(self, token: str) -> list[dict[str, Any]]:
        boards: list[dict[str, Any]] = []
        bookmark: str | None = None
        for _ in range(10):
            params: dict[str, Any] = {"page_size": 100}
            if bookmark:
                params["bookmark"] = bookmark
            body = json_body(await self._api("GET", "/v5/boards", token, params=params))
            boards += [b for b in body.get("items", []) if isinstance(b, dict)]
            bookmark = body.get("bookmark")
            if not bookmark:
                break
        return boards

    async def connect_options(
        self, brand: Brand, oauth_params: Mapping[str, Any]
    ) -> ConnectChoice | None:
        """Exchange the code and offer the person's boards to pick one."""
        token = await self._exchange(oauth_params)
        boards = await self._boards(token["access_token"])
        if not boards:
            raise InvalidInput(
                "This Pinterest account has no boards yet. Create a board on "
                "Pinterest, then connect again."
            )
        return ConnectChoice(
            title="Pick the Pinterest board to post to",
            options=[
                ConnectOption(
                    id=str(b["id"]),
                    label=str(b.get("name") or b["id"]),
                    detail=str(b.get("privacy", "")).lower(),
                )
                for b in boards
            ],
            carry={
                k: token[k]
                for k in ("access_token", "refresh_token", "expires_in", "refresh_token_expires_in")
                if k in token
            },
        )

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Store the account with the picked board (the only board if there is just one)."""
        token = await self._exchange(oauth_params)
        access = token["access_token"]
        boards = {str(b["id"]): b for b in await self._boards(access)}
        choice = oauth_params.get("choice") or []
        picked = [str(c) for c in (choice if isinstance(choice, list) else [choice])]
        if not picked and len(boards) == 1:
            picked = list(boards)
        if not picked or picked[0] not in boards:
            raise InvalidInput("Pick one of your Pinterest boards to connect.")
        board = boards[picked[0]]
        user = json_body(await self._api("GET", "/v5/user_account", access))
        username = str(user.get("username") or "")
        account, _ = await SocialAccount.update_or_create(
            brand=brand,
            platform=PLATFORM,
            external_id=str(user.get("id") or username),
            defaults={
                "display_name": f"{username} · {board.get('name', '')}".strip(" ·"),
                "status": AccountStatus.OK,
                "status_reason": "",
                "meta": {
                    "username": username,
                    "board_id": str(board["id"]),
                    "board_name": str(board.get("name", "")),
                },
            },
        )
        await store_tokens(
            self.ctx.cipher,
            account,
            access=access,
            refresh=token.get("refresh_token"),
            expires_in=token.get("expires_in"),
            refresh_expires_in=token.get("refresh_token_expires_in"),
        )
        return account

    async def disconnect(self, account: SocialAccount) -> None:
        """Forget the tokens (Pinterest v5 has no token revocation endpoint)."""
        await forget_tokens(account)

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """Continuous refresh: a new access token and a new 60-day refresh token."""
        current = refresh_token_of(self.ctx.cipher, account)
        if not current:
            raise ConnectorError(
                "Pinterest cannot be renewed without a refresh token; reconnect it.",
                platform=PLATFORM,
                needs_reconnect=True,
                code="no_refresh_token",
            )
        token = await refresh_grant(self._app(), refresh_token=current)
        await store_tokens(
            self.ctx.cipher,
            account,
            access=str(token["access_token"]),
            refresh=token.get("refresh_token"),
            expires_in=token.get("expires_in"),
            refresh_expires_in=token.get("refresh_token_expires_in"),
        )
        return account

    # --- publishing ----------------------------------------------------------------------

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """An image pin at once, or a video pin after its upload is processed."""
        if len(caption) > DESCRIPTION_MAX:
            raise ConnectorError(
                f"The description is {len(caption):,} characters long; "
                f"Pinterest allows {DESCRIPTION_MAX}.",
                platform=PLATFORM,
                code="caption_too_long",
            )
        board_id = (account.meta or {}).get("board_id")
        if not board_id:
            raise ConnectorError(
                "No Pinterest board is picked for this brand. Reconnect "
                "Pinterest and pick a board.",
                platform=PLATFORM,
                needs_reconnect=True,
                code="no_board",
            )
        job = await self.job_of(target)
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        media = await self.prepare_media(job.asset, self.media_profile(job.asset))
        if job.asset.kind == AssetKind.VIDEO:
            source = await self._video_source(
                token, await self.local_file(media), await self.local_cover(media)
            )
        else:
            data = await media_bytes(await self.local_file(media), media.size_bytes)
            source = {
                "source_type": "image_base64",
                "content_type": media.mime_type or "image/jpeg",
                "data": base64.b64encode(data).decode(),
            }
        prefs = (job.brand.settings or {}).get("pinterest", {}) or {}
        title = pin_title(caption)
        body: dict[str, Any] = {
            "board_id": board_id,
            "title": title,
            "description": caption,
            "alt_text": (prefs.get("alt_text") or title)[:ALT_MAX],
            "media_source": source,
        }
        if prefs.get("link"):
            body["link"] = str(prefs["link"])[:2048]
        pin = json_body(await self._api("POST", "/v5/pins", token, json=body, creates=True))
        pin_id = str(pin["id"])
        return pin_id, pin_url(self.ctx.settings.pinterest_web_base, pin_id)

    async def _video_source(self, token: str, path: Path, cover: Path | None) -> dict[str, Any]:
        registered = json_body(
            await self._api("POST", "/v5/media", token, json={"media_type": "video"})
        )
        media_id = str(registered["media_id"])
        fields = {str(k): str(v) for k, v in (registered.get("upload_parameters") or {}).items()}
        data = await asyncio.to_thread(path.read_bytes)
        await call(
            self.ctx.http,
            "POST",
            str(registered["upload_url"]),
            platform=PLATFORM,
            label=LABEL,
            data=fields,
            timeout=600.0,
            files={"file": (path.name, data, "video/mp4")},
        )

        async def ready() -> str | None:
            state = json_body(await self._api("GET", f"/v5/media/{media_id}", token))
            status = str(state.get("status", ""))
            if status == "failed":
                raise ConnectorError(
                    "Pinterest could not process the video. Try another video file.",
                    platform=PLATFORM,
                    code="media_failed",
                )
            return status if status == "succeeded" else None

        await poll_until(
            ready,
            deadline=self.ctx.settings.connector_poll_timeout_seconds,
            interval=self.ctx.settings.connector_poll_interval_seconds,
            platform=PLATFORM,
            what="The Pinterest video upload",
        )
        source: dict[str, Any] = {"source_type": "video_id", "media_id": media_id}
        has_cover: bool = cover is not None and await asyncio.to_thread(cover.is_file)
        if cover is not None and has_cover:
            image = await asyncio.to_thread(cover.read_bytes)
            source.update(
                cover_image_content_type="image/jpeg",
                cover_image_data=base64.b64encode(image).decode(),
            )
        else:
            source["cover_image_key_frame_time"] = 1
        return source

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """The pin exists (published) or not."""
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        try:
            await self._api("GET", f"/v5/pins/{external_id}", token)
        except ConnectorError as exc:
            if exc.code == "http_404" or exc.code == "board_not_found":
                return PublishStatus(PublishState.NOT_FOUND)
            raise
        return PublishStatus(
            PublishState.PUBLISHED, pin_url(self.ctx.settings.pinterest_web_base, external_id)
        )

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """A pin on the board with this target's description, made since the target began."""
        board_id = (account.meta or {}).get("board_id")
        if not board_id:
            return None
        token = access_token(self.ctx.cipher, account, platform=PLATFORM)
        body = json_body(
            await self._api("GET", f"/v5/boards/{board_id}/pins", token, params={"page_size": 25})
        )
        since = (target.created_at or datetime.now(UTC)) - timedelta(minutes=2)
        for pin in body.get("items", []):
            created = _parse_time(str(pin.get("created_at", "")))
            if pin.get("description") == target.caption and created and created >= since:
                pin_id = str(pin["id"])
                return pin_id, pin_url(self.ctx.settings.pinterest_web_base, pin_id)
        return None


def _parse_time(value: str) -> datetime | None:
    """Pinterest's `created_at` (ISO 8601, UTC, often without a zone)."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


CONNECTOR = PinterestConnector
