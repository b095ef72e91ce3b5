"""A loopback fake of Pinterest API v5: OAuth, boards, pins and the video media upload.

Errors use Pinterest's `{"code": n, "message": ...}` bodies. The token endpoint demands
HTTP Basic client authentication and hands out continuous refresh tokens. Video pins go
through `POST /v5/media` → a multipart POST of every `upload_parameters` field plus `file`
to `upload_url` (answered 204 like S3) → `GET /v5/media/{id}` registered → processing →
succeeded. Faults: token_expired, rate_limited, server_error, board_not_found,
invalid_image, media_failed.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import BasicAuth, web

from tests.fakes.loopback import LoopbackFake

CLIENT_ID = "fake-pinterest-app"
CLIENT_SECRET = "fake-pinterest-secret"
API_FAULTS = ("token_expired", "rate_limited", "server_error")


def error(status: int, code: int, message: str, **headers: str) -> web.Response:
    """A Pinterest error answer."""
    return web.json_response({"code": code, "message": message}, status=status, headers=headers)


class FakePinterest(LoopbackFake):
    """State: OAuth codes and tokens, boards, media uploads and pins."""

    create_calls = (("POST", "/v5/pins"),)

    def __init__(self) -> None:
        super().__init__()
        self.codes: dict[str, str] = {}
        self.tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.boards = [
            {"id": "9001", "name": "Coffee ideas", "privacy": "PUBLIC"},
            {"id": "9002", "name": "Shop", "privacy": "PUBLIC"},
        ]
        self.media: dict[str, dict[str, Any]] = {}
        self.pins: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []

    def routes(self, app: web.Application) -> None:
        """Pinterest's endpoints (plus the S3-style upload target)."""
        app.router.add_get("/oauth/", self.authorize)
        app.router.add_post("/v5/oauth/token", self.token)
        app.router.add_get("/v5/user_account", self.user_account)
        app.router.add_get("/v5/boards", self.list_boards)
        app.router.add_get("/v5/boards/{board_id}/pins", self.board_pins)
        app.router.add_post("/v5/pins", self.create_pin)
        app.router.add_get("/v5/pins/{pin_id}", self.get_pin)
        app.router.add_post("/v5/media", self.register_media)
        app.router.add_get("/v5/media/{media_id}", self.get_media)
        app.router.add_post("/s3-upload/", self.s3_upload)

    def authed(self, request: web.Request) -> web.Response | None:
        """None if the bearer token is good, else Pinterest's error (faults apply)."""
        fault = self.take(*API_FAULTS)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if fault == "token_expired":
            self.tokens.discard(token)
        if fault == "rate_limited":
            return error(
                429,
                8,
                "You have exceeded your rate limit. Try again later.",
                **{"Retry-After": "30"},
            )
        if fault == "server_error":
            return error(503, 3, "Service unavailable.")
        if token not in self.tokens:
            return error(401, 2, "Authentication failed.")
        return None

    # --- OAuth ---------------------------------------------------------------------------

    async def authorize(self, request: web.Request) -> web.Response:
        """The consent page, approved at once."""
        q = request.query
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            return web.Response(status=400, text="bad client_id or response_type")
        code = secrets.token_urlsafe(12)
        self.codes[code] = q["redirect_uri"]
        raise web.HTTPFound(
            q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")})
        )

    def issue(self) -> dict[str, Any]:
        """A new access token and a new continuous refresh token."""
        access, refresh = "pina_" + secrets.token_urlsafe(16), "pinr_" + secrets.token_urlsafe(16)
        self.tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": 2592000,
            "refresh_token_expires_in": 5184000,
            "scope": "boards:read,pins:read,pins:write,user_accounts:read",
        }

    async def token(self, request: web.Request) -> web.Response:
        """`/v5/oauth/token` with HTTP Basic client auth."""
        try:
            auth = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            auth = None
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        if auth is None or (auth.login, auth.password) != (CLIENT_ID, CLIENT_SECRET):
            return error(401, 2, "Authentication failed.")
        if form.get("grant_type") == "authorization_code":
            if self.codes.pop(str(form.get("code")), None) != form.get("redirect_uri"):
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Invalid code"}, status=400
                )
            return web.json_response({**self.issue(), "response_type": "authorization_code"})
        if form.get("grant_type") == "refresh_token":
            self.counts["refresh"] += 1
            if str(form.get("refresh_token")) not in self.refresh_tokens:
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Invalid refresh token"},
                    status=400,
                )
            self.refresh_tokens.discard(str(form.get("refresh_token")))
            return web.json_response({**self.issue(), "response_type": "refresh_token"})
        return web.json_response({"error": "unsupported_grant_type"}, status=400)

    # --- API -----------------------------------------------------------------------------

    async def user_account(self, request: web.Request) -> web.Response:
        """`GET /v5/user_account`."""
        if (failed := self.authed(request)) is not None:
            return failed
        return web.json_response(
            {
                "account_type": "BUSINESS",
                "id": "5500",
                "username": "acmecoffee",
                "business_name": "Acme Coffee",
                "website_url": "https://acme.example",
            }
        )

    async def list_boards(self, request: web.Request) -> web.Response:
        """`GET /v5/boards` (one page)."""
        if (failed := self.authed(request)) is not None:
            return failed
        return web.json_response({"items": self.boards, "bookmark": None})

    async def board_pins(self, request: web.Request) -> web.Response:
        """`GET /v5/boards/{id}/pins`, newest first."""
        if (failed := self.authed(request)) is not None:
            return failed
        board = request.match_info["board_id"]
        items = [p for p in reversed(self.pins.values()) if p["board_id"] == board]
        return web.json_response({"items": items, "bookmark": None})

    async def create_pin(self, request: web.Request) -> web.Response:
        """`POST /v5/pins` with an image_base64 or video_id media source."""
        if (failed := self.authed(request)) is not None:
            return failed
        if self.take("board_not_found"):
            return error(404, 2, "Board not found.")
        body = await request.json()
        if body.get("board_id") not in {b["id"] for b in self.boards}:
            return error(404, 2, "Board not found.")
        if len(body.get("title", "")) > 100 or len(body.get("description", "")) > 800:
            return error(400, 1, "Invalid parameters: title or description too long")
        source = body.get("media_source") or {}
        problem = self.check_source(source)
        if problem:
            return error(400, 1, problem)
        pin_id = str(8_000_000 + self.next_id())
        pin = {
            "id": pin_id,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "board_id": body["board_id"],
            "title": body.get("title", ""),
            "description": body.get("description", ""),
            "link": body.get("link"),
            "alt_text": body.get("alt_text"),
            "media": {"media_type": "video" if source["source_type"] == "video_id" else "image"},
        }
        self.pins[pin_id] = pin
        self.published.append({**pin, "text": pin["description"], "source": source})
        return web.json_response(pin, status=201)

    def check_source(self, source: dict[str, Any]) -> str:
        """Why Pinterest would refuse the media source ("" if fine)."""
        if self.take("invalid_image"):
            return "Invalid image: the image could not be read"
        if source.get("source_type") == "image_base64":
            try:
                data = base64.b64decode(source.get("data", ""), validate=True)
            except (binascii.Error, ValueError):
                return "Invalid image base64"
            if not (data.startswith(b"\xff\xd8") or data.startswith(b"\x89PNG")):
                return "Invalid image: not a JPEG or PNG"
            return ""
        if source.get("source_type") == "video_id":
            media = self.media.get(str(source.get("media_id")))
            if media is None or media["status"] != "succeeded":
                return "Invalid media_id: the video is not uploaded and processed"
            if not (
                source.get("cover_image_url")
                or source.get("cover_image_data")
                or "cover_image_key_frame_time" in source
            ):
                return "A cover image is required for video pins"
            return ""
        return "Unsupported media source"

    async def get_pin(self, request: web.Request) -> web.Response:
        """`GET /v5/pins/{id}`."""
        if (failed := self.authed(request)) is not None:
            return failed
        pin = self.pins.get(request.match_info["pin_id"])
        return web.json_response(pin) if pin else error(404, 2, "Pin not found.")

    async def register_media(self, request: web.Request) -> web.Response:
        """`POST /v5/media` {media_type: video} → upload URL and S3-style parameters."""
        if (failed := self.authed(request)) is not None:
            return failed
        body = await request.json()
        if body.get("media_type") != "video":
            return error(400, 1, "media_type must be video")
        media_id = str(self.next_id())
        params = {
            "x-amz-date": "20261127T000000Z",
            "x-amz-signature": secrets.token_hex(8),
            "x-amz-security-token": secrets.token_hex(8),
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "key": f"uploads/{media_id}.mp4",
            "policy": secrets.token_hex(8),
            "x-amz-credential": "fake/credential",
            "Content-Type": "multipart/form-data",
        }
        self.media[media_id] = {"status": "registered", "params": params, "polls": 0, "bytes": 0}
        return web.json_response(
            {
                "media_id": media_id,
                "media_type": "video",
                "upload_url": f"{self.base_url}/s3-upload/",
                "upload_parameters": params,
            },
            status=201,
        )

    async def s3_upload(self, request: web.Request) -> web.Response:
        """The S3 POST: every upload parameter as a field, then `file`; 204 on success."""
        form = await request.post()
        key = str(form.get("key", ""))
        media = next((m for m in self.media.values() if m["params"]["key"] == key), None)
        if media is None or any(str(form.get(k)) != v for k, v in media["params"].items()):
            return web.Response(status=403, text="<Error><Code>AccessDenied</Code></Error>")
        upload = form.get("file")
        data = upload.file.read() if hasattr(upload, "file") else b""
        if not data:
            return web.Response(status=400, text="<Error><Code>MissingFile</Code></Error>")
        media.update(status="processing", bytes=len(data))
        return web.Response(status=204)

    async def get_media(self, request: web.Request) -> web.Response:
        """`GET /v5/media/{id}`: processing once, then succeeded (or failed)."""
        if (failed := self.authed(request)) is not None:
            return failed
        media_id = request.match_info["media_id"]
        media = self.media.get(media_id)
        if media is None:
            return error(404, 2, "Media not found.")
        if media["status"] == "processing":
            media["polls"] += 1
            if media["polls"] > 1:
                media["status"] = "failed" if self.take("media_failed") else "succeeded"
        return web.json_response(
            {"media_id": media_id, "media_type": "video", "status": media["status"]}
        )
