"""A loopback fake of TikTok's Login Kit v2 and Content Posting API (direct post).

Speaks the documented shapes: `{"data": ..., "error": {"code", "message", "log_id"}}`
envelopes, `/v2/oauth/token/` with `client_key` and rotating refresh tokens,
`creator_info/query`, `video/init` with FILE_UPLOAD chunk rules checked, chunk `PUT`s
with `Content-Range` (206 until complete, then 201), `content/init` PHOTO pulling the
photo URLs, and `status/fetch`. Faults: token_expired, rate_limited, server_error,
invalid_file_upload, invalid_params, spam_risk_too_many_posts, url_ownership_unverified,
publish_failed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from aiohttp import web

from tests.fakes.loopback import LoopbackFake

MB = 1024 * 1024
CLIENT_KEY = "fake-tiktok-client-key"
CLIENT_SECRET = "fake-tiktok-client-secret"
API_FAULTS = ("token_expired", "rate_limited", "server_error")


@dataclass
class Upload:
    """One publish: its post info, the bytes received and its state."""

    publish_id: str
    kind: str
    post_info: dict[str, Any]
    source_info: dict[str, Any]
    received: bytearray = field(default_factory=bytearray)
    next_offset: int = 0
    status: str = "PROCESSING_UPLOAD"
    fail_reason: str = ""
    post_id: str | None = None
    polls: int = 0


class FakeTikTok(LoopbackFake):
    """The fake's state: OAuth codes and tokens, the creator, uploads and posts."""

    #: init, and the chunk that completes an upload (TikTok then publishes on its own)
    create_calls = (("POST", "/v2/post/publish/(video|content)/init/"), ("PUT", "/upload/"))

    def creates(self, request: web.Request, response: web.StreamResponse) -> bool:
        """An init, or the last chunk of an upload (201); earlier chunks answer 206."""
        return super().creates(request, response) and response.status != 206

    def posts(self) -> list[dict[str, Any]]:
        """Posts, counting uploads TikTok holds complete: it publishes those on its own."""
        for upload in list(self.uploads.values()):
            if upload.status == "PROCESSING_DOWNLOAD":
                self.complete(upload)
        return super().posts()

    def server_error(self) -> web.StreamResponse:
        """TikTok's body for a server error."""
        return self.fail(500, "internal_error", "Something went wrong. Try again later.")

    def __init__(self) -> None:
        super().__init__()
        self.codes: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, str] = {}  # access token -> open_id
        self.expired: set[str] = set()
        self.refresh_tokens: dict[str, str] = {}
        self.uploads: dict[str, Upload] = {}
        self.open_id = "open-id-creator-1"
        self.username = "acme.coffee"
        self.privacy_level_options = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        self.max_video_post_duration_sec = 600
        self.comment_disabled = False
        self.revoked: list[str] = []
        self.token_requests: list[dict[str, str]] = []

    def routes(self, app: web.Application) -> None:
        """TikTok's endpoints."""
        app.router.add_get("/v2/auth/authorize/", self.authorize)
        app.router.add_post("/v2/oauth/token/", self.token)
        app.router.add_post("/v2/oauth/revoke/", self.revoke)
        app.router.add_get("/v2/user/info/", self.user_info)
        app.router.add_post("/v2/post/publish/creator_info/query/", self.creator_info)
        app.router.add_post("/v2/post/publish/video/init/", self.video_init)
        app.router.add_post("/v2/post/publish/content/init/", self.content_init)
        app.router.add_post("/v2/post/publish/status/fetch/", self.status_fetch)
        app.router.add_put("/upload/", self.upload_chunk)

    # --- envelopes -------------------------------------------------------------------------

    @staticmethod
    def ok(data: dict[str, Any]) -> web.Response:
        """A success envelope."""
        return web.json_response(
            {"data": data, "error": {"code": "ok", "message": "", "log_id": secrets.token_hex(8)}}
        )

    @staticmethod
    def fail(status: int, code: str, message: str) -> web.Response:
        """An error envelope with the HTTP status TikTok uses for it."""
        return web.json_response(
            {
                "data": {},
                "error": {"code": code, "message": message, "log_id": secrets.token_hex(8)},
            },
            status=status,
        )

    def authed(self, request: web.Request) -> str | web.Response:
        """The caller's open_id, or the error TikTok answers (faults apply here)."""
        fault = self.take(*API_FAULTS)
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        if fault == "token_expired":
            self.expired.add(token)
        if fault == "rate_limited":
            return self.fail(429, "rate_limit_exceeded", "API rate limit exceeded")
        if fault == "server_error":
            return self.fail(500, "internal_error", "Something went wrong")
        if token not in self.tokens or token in self.expired:
            return self.fail(
                401,
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            )
        return self.tokens[token]

    # --- OAuth -----------------------------------------------------------------------------

    async def authorize(self, request: web.Request) -> web.Response:
        """The consent page, approved at once: back to redirect_uri with code and state."""
        q = request.query
        if q.get("client_key") != CLIENT_KEY or q.get("response_type") != "code":
            return web.Response(status=400, text="invalid client_key or response_type")
        code = secrets.token_urlsafe(12)
        self.codes[code] = {"redirect_uri": q["redirect_uri"], "scope": q.get("scope", "")}
        params = {"code": code, "scopes": q.get("scope", ""), "state": q.get("state", "")}
        raise web.HTTPFound(q["redirect_uri"] + "?" + urlencode(params))

    def issue(self) -> dict[str, Any]:
        """A fresh access and refresh token pair."""
        access, refresh = "act." + secrets.token_urlsafe(16), "rft." + secrets.token_urlsafe(16)
        self.tokens[access] = self.open_id
        self.refresh_tokens[refresh] = self.open_id
        return {
            "access_token": access,
            "expires_in": 86400,
            "open_id": self.open_id,
            "refresh_expires_in": 31536000,
            "refresh_token": refresh,
            "scope": "user.info.basic,video.publish,video.upload",
            "token_type": "Bearer",
        }

    async def token(self, request: web.Request) -> web.Response:
        """`/v2/oauth/token/`: authorization_code or refresh_token (rotated)."""
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        if form.get("client_key") != CLIENT_KEY or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response(
                {
                    "error": "invalid_client",
                    "error_description": "Client key or secret is invalid.",
                    "log_id": "x",
                },
                status=401,
            )
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(str(form.get("code")), None)
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                return web.json_response(
                    {
                        "error": "invalid_grant",
                        "error_description": "Authorization code is expired.",
                        "log_id": "x",
                    },
                    status=400,
                )
            return web.json_response(self.issue())
        if form.get("grant_type") == "refresh_token":
            self.counts["refresh"] += 1
            if self.refresh_tokens.pop(str(form.get("refresh_token")), None) is None:
                return web.json_response(
                    {
                        "error": "invalid_grant",
                        "error_description": "Refresh token is invalid or expired.",
                        "log_id": "x",
                    },
                    status=400,
                )
            return web.json_response(self.issue())
        return web.json_response({"error": "unsupported_grant_type", "log_id": "x"}, status=400)

    async def revoke(self, request: web.Request) -> web.Response:
        """`/v2/oauth/revoke/`."""
        form = await request.post()
        self.tokens.pop(str(form.get("token")), None)
        self.revoked.append(str(form.get("token")))
        return web.json_response({})

    # --- API -------------------------------------------------------------------------------

    async def user_info(self, request: web.Request) -> web.Response:
        """`/v2/user/info/` with the requested fields."""
        who = self.authed(request)
        if isinstance(who, web.Response):
            return who
        user = {
            "open_id": who,
            "union_id": "union-1",
            "display_name": "Acme Coffee",
            "username": self.username,
            "avatar_url": "https://example.invalid/a.jpg",
        }
        fields = request.query.get("fields", "").split(",")
        return self.ok({"user": {k: v for k, v in user.items() if k in fields}})

    async def creator_info(self, request: web.Request) -> web.Response:
        """`creator_info/query`: privacy options, toggles, longest video."""
        self.counts["creator_info"] += 1
        who = self.authed(request)
        if isinstance(who, web.Response):
            return who
        return self.ok(
            {
                "creator_avatar_url": "https://example.invalid/a.jpg",
                "creator_username": self.username,
                "creator_nickname": "Acme Coffee",
                "privacy_level_options": self.privacy_level_options,
                "comment_disabled": self.comment_disabled,
                "duet_disabled": False,
                "stitch_disabled": True,
                "max_video_post_duration_sec": self.max_video_post_duration_sec,
            }
        )

    def init_fault(self) -> web.Response | None:
        """The error faults that hit an init call."""
        fault = self.take("invalid_file_upload", "invalid_params", "spam_risk_too_many_posts")
        if fault == "invalid_file_upload":
            return self.fail(400, fault, "The file does not meet requirements.")
        if fault == "invalid_params":
            return self.fail(400, fault, "Invalid value for privacy_level.")
        if fault == "spam_risk_too_many_posts":
            return self.fail(403, fault, "The daily post cap has been reached.")
        return None

    async def video_init(self, request: web.Request) -> web.Response:
        """`video/init` with FILE_UPLOAD: checks the post info and the chunk plan."""
        self.counts["init"] += 1
        who = self.authed(request)
        if isinstance(who, web.Response):
            return who
        if (failed := self.init_fault()) is not None:
            return failed
        body = await request.json()
        info, source = body.get("post_info", {}), body.get("source_info", {})
        problem = self.check_post_info(info) or self.check_chunks(source)
        if problem:
            return self.fail(400, "invalid_params", problem)
        publish_id = f"v_pub_file~v2-1.{self.next_id()}"
        self.uploads[publish_id] = Upload(publish_id, "video", info, source)
        token = secrets.token_urlsafe(8)
        return self.ok(
            {
                "publish_id": publish_id,
                "upload_url": f"{self.base_url}/upload/?"
                + urlencode({"upload_id": publish_id, "upload_token": token}),
            }
        )

    def check_post_info(self, info: dict[str, Any]) -> str:
        """Why TikTok would refuse the post info ("" if fine)."""
        title = info.get("title", "")
        if len(title.encode("utf-16-le")) // 2 > 2200:
            return "title is too long"
        if info.get("privacy_level") not in self.privacy_level_options:
            return "privacy_level is not one of the creator's options"
        return ""

    @staticmethod
    def check_chunks(source: dict[str, Any]) -> str:
        """TikTok's chunk rules for FILE_UPLOAD."""
        if source.get("source") != "FILE_UPLOAD":
            return "source must be FILE_UPLOAD"
        size, chunk, count = (
            int(source.get(k, 0)) for k in ("video_size", "chunk_size", "total_chunk_count")
        )
        if size <= 0 or chunk <= 0 or not 1 <= count <= 1000:
            return "invalid chunk parameters"
        if size < 5 * MB:
            return "" if chunk == size and count == 1 else "files under 5 MB go in one chunk"
        if count == 1:
            return "" if chunk == size and size <= 64 * MB else "files over 64 MB need chunks"
        if not 5 * MB <= chunk <= 64 * MB or count != size // chunk:
            return "chunk_size or total_chunk_count breaks the chunk rules"
        if size - chunk * (count - 1) > 128 * MB:
            return "the last chunk is over 128 MB"
        return ""

    async def upload_chunk(self, request: web.Request) -> web.Response:
        """A chunk `PUT` with `Content-Range: bytes first-last/total`, in order."""
        upload = self.uploads.get(request.query.get("upload_id", ""))
        if upload is None:
            return web.Response(status=404)
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", request.headers.get("Content-Range", ""))
        data = await request.read()
        if match is None:
            return web.Response(status=400, text="missing Content-Range")
        first, last, total = (int(g) for g in match.groups())
        if (
            first != upload.next_offset
            or total != int(upload.source_info["video_size"])
            or last - first + 1 != len(data)
        ):
            return web.Response(status=416, text="chunk out of order or wrong size")
        self.counts["chunk"] += 1
        upload.received += data
        upload.next_offset = last + 1
        if upload.next_offset < total:
            return web.Response(status=206)
        upload.status = "PROCESSING_DOWNLOAD"
        return web.Response(status=201)

    async def content_init(self, request: web.Request) -> web.Response:
        """`content/init` PHOTO with PULL_FROM_URL: the photos are fetched from the URLs."""
        self.counts["init"] += 1
        who = self.authed(request)
        if isinstance(who, web.Response):
            return who
        if (failed := self.init_fault()) is not None:
            return failed
        if self.take("url_ownership_unverified"):
            return self.fail(
                403, "url_ownership_unverified", "Please verify the ownership of the domain."
            )
        body = await request.json()
        info, source = body.get("post_info", {}), body.get("source_info", {})
        if body.get("media_type") != "PHOTO" or source.get("source") != "PULL_FROM_URL":
            return self.fail(400, "invalid_params", "media_type or source is invalid")
        if info.get("privacy_level") not in self.privacy_level_options:
            return self.fail(400, "invalid_params", "privacy_level is invalid")
        publish_id = f"p_pub_url~v2.{self.next_id()}"
        upload = Upload(publish_id, "photo", info, source)
        async with httpx.AsyncClient(timeout=30) as client:  # generous on a busy machine
            for url in source.get("photo_images", []):
                response = await client.get(url)
                if response.status_code != 200 or not response.content.startswith(b"\xff\xd8"):
                    upload.status, upload.fail_reason = "FAILED", "photo_pull_failed"
                    break
                upload.received += response.content
            else:
                upload.status = "PROCESSING_DOWNLOAD"
        self.uploads[publish_id] = upload
        return self.ok({"publish_id": publish_id})

    async def status_fetch(self, request: web.Request) -> web.Response:
        """`status/fetch`: one processing answer, then PUBLISH_COMPLETE (or FAILED)."""
        self.counts["status"] += 1
        who = self.authed(request)
        if isinstance(who, web.Response):
            return who
        body = await request.json()
        upload = self.uploads.get(body.get("publish_id", ""))
        if upload is None:
            return self.fail(400, "invalid_publish_id", "publish_id does not exist")
        upload.polls += 1
        if upload.status == "PROCESSING_DOWNLOAD" and upload.polls > 1:
            if self.take("publish_failed"):
                upload.status, upload.fail_reason = "FAILED", "file_format_check_failed"
            else:
                self.complete(upload)
        data: dict[str, Any] = {"status": upload.status, "uploaded_bytes": len(upload.received)}
        if upload.fail_reason:
            data["fail_reason"] = upload.fail_reason
        if upload.post_id:
            data["publicaly_available_post_id"] = [int(upload.post_id)]
        return self.ok(data)

    def complete(self, upload: Upload) -> None:
        """Publish: record the post once."""
        upload.status = "PUBLISH_COMPLETE"
        upload.post_id = str(7_300_000_000_000_000_000 + self.next_id())
        text = (
            upload.post_info.get("title", "")
            if upload.kind == "video"
            else upload.post_info.get("description", "")
        )
        self.published.append(
            {
                "id": upload.post_id,
                "publish_id": upload.publish_id,
                "text": text,
                "kind": upload.kind,
                "privacy_level": upload.post_info.get("privacy_level"),
                "post_info": upload.post_info,
                "bytes": len(upload.received),
            }
        )
