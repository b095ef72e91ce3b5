"""A loopback fake of a Mastodon server: apps, OAuth (with PKCE), media, statuses.

`POST /api/v1/apps` registers a client; `/oauth/authorize` approves at once and checks
the client and redirect URI; `/oauth/token` checks the secret, code, redirect URI and the
PKCE verifier. Like Mastodon, tokens never expire and no refresh token is issued, unless
`refresh_tokens=True` (as Pleroma/Akkoma-style servers do). `POST /api/v2/media` answers
200 for images and 202 for videos, `GET /api/v1/media/:id` 206 then 200 (or 422);
`POST /api/v1/statuses` honours `Idempotency-Key` and refuses unprocessed media and
over-long text (links count 23). Faults: token_expired, rate_limited, server_error,
validation_failed, media_failed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import regex
from aiohttp import web

from tests.fakes.loopback import LoopbackFake

API_FAULTS = ("token_expired", "rate_limited", "server_error")
_URL = regex.compile(r"https?://[^\s<>\"]+")


def err(status: int, message: str, **headers: str) -> web.Response:
    """Mastodon's error body."""
    return web.json_response({"error": message}, status=status, headers=headers)


class FakeMastodon(LoopbackFake):
    """State: apps, codes, tokens, media, statuses, idempotency keys."""

    create_calls = (("POST", "/api/v1/statuses"),)

    def __init__(self, *, refresh_tokens: bool = False, max_characters: int = 500) -> None:
        super().__init__()
        self.issue_refresh = refresh_tokens
        self.max_characters = max_characters
        self.apps: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.tokens: set[str] = set()
        self.refresh_tokens: dict[str, str] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, str] = {}
        self.revoked: list[str] = []

    def routes(self, app: web.Application) -> None:
        """Mastodon's endpoints."""
        app.router.add_post("/api/v1/apps", self.register_app)
        app.router.add_get("/oauth/authorize", self.authorize)
        app.router.add_post("/oauth/token", self.token)
        app.router.add_post("/oauth/revoke", self.revoke)
        app.router.add_get("/api/v1/accounts/verify_credentials", self.verify)
        app.router.add_get("/api/v2/instance", self.instance)
        app.router.add_post("/api/v2/media", self.upload_media)
        app.router.add_get("/api/v1/media/{id}", self.get_media)
        app.router.add_post("/api/v1/statuses", self.post_status)
        app.router.add_get("/api/v1/statuses/{id}", self.get_status)
        app.router.add_get("/api/v1/statuses/{id}/source", self.status_source)
        app.router.add_get("/api/v1/accounts/{id}/statuses", self.account_statuses)

    def authed(self, request: web.Request) -> web.Response | None:
        """None for a valid token, else Mastodon's answer (faults apply)."""
        fault = self.take(*API_FAULTS)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if fault == "token_expired":
            self.tokens.discard(token)
        if fault == "rate_limited":
            reset = (datetime.now(UTC) + timedelta(seconds=120)).isoformat()
            return err(
                429,
                "Too many requests",
                **{
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset,
                },
            )
        if fault == "server_error":
            return err(503, "Service Unavailable")
        if token not in self.tokens:
            return err(401, "The access token is invalid")
        return None

    # --- apps and OAuth ------------------------------------------------------------------

    async def register_app(self, request: web.Request) -> web.Response:
        """Register a client for the given redirect URI(s) and scopes."""
        self.counts["apps"] += 1
        form = dict(await request.post())
        if not form.get("client_name") or not form.get("redirect_uris"):
            return err(422, "Validation failed: Application name can't be blank")
        client_id = secrets.token_urlsafe(16)
        app = {
            "id": str(self.next_id()),
            "name": form["client_name"],
            "website": form.get("website"),
            "redirect_uri": form["redirect_uris"],
            "redirect_uris": str(form["redirect_uris"]).split(),
            "scopes": str(form.get("scopes", "read")).split(),
            "client_id": client_id,
            "client_secret": secrets.token_urlsafe(24),
            "vapid_key": "fake",
        }
        self.apps[client_id] = app
        return web.json_response(app)

    async def authorize(self, request: web.Request) -> web.Response:
        """The sign-in page, approved at once."""
        q = request.query
        app = self.apps.get(q.get("client_id", ""))
        if app is None or q.get("redirect_uri") not in app["redirect_uris"]:
            return web.Response(status=400, text="The redirect uri included is not valid.")
        if not set(q.get("scope", "read").split()) <= set(app["scopes"]):
            return web.Response(status=400, text="The requested scope is invalid.")
        code = secrets.token_urlsafe(12)
        self.codes[code] = {
            "client_id": app["client_id"],
            "redirect_uri": q["redirect_uri"],
            "challenge": q.get("code_challenge", ""),
            "method": q.get("code_challenge_method", ""),
        }
        raise web.HTTPFound(
            q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")})
        )

    def issue(self, scope: str) -> dict[str, Any]:
        """A token (never expiring, like Mastodon's), with a refresh token if configured."""
        access = secrets.token_urlsafe(32)
        self.tokens.add(access)
        out: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "scope": scope,
            "created_at": int(datetime.now(UTC).timestamp()),
        }
        if self.issue_refresh:
            refresh = secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = access
            out.update(refresh_token=refresh, expires_in=7200)
        return out

    async def token(self, request: web.Request) -> web.Response:
        """`/oauth/token`: authorization_code (PKCE checked) or refresh_token."""
        form = {k: str(v) for k, v in (await request.post()).items()}
        app = self.apps.get(form.get("client_id", ""))
        if app is None or form.get("client_secret") != app["client_secret"]:
            return web.json_response(
                {"error": "invalid_client", "error_description": "Client authentication failed."},
                status=401,
            )
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            if (
                grant is None
                or grant["redirect_uri"] != form.get("redirect_uri")
                or grant["client_id"] != app["client_id"]
                or not self.pkce_ok(grant, form)
            ):
                return web.json_response(
                    {
                        "error": "invalid_grant",
                        "error_description": "The provided authorization grant is invalid.",
                    },
                    status=400,
                )
            return web.json_response(self.issue(" ".join(app["scopes"])))
        if form.get("grant_type") == "refresh_token" and self.issue_refresh:
            self.counts["refresh"] += 1
            if self.refresh_tokens.pop(form.get("refresh_token", ""), None) is None:
                return web.json_response({"error": "invalid_grant"}, status=400)
            return web.json_response(self.issue(" ".join(app["scopes"])))
        return web.json_response({"error": "unsupported_grant_type"}, status=400)

    @staticmethod
    def pkce_ok(grant: dict[str, str], form: dict[str, str]) -> bool:
        """S256: the challenge is the base64url SHA-256 of the verifier."""
        if not grant["challenge"]:
            return True
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        return (
            grant["method"] == "S256"
            and base64.urlsafe_b64encode(digest).decode().rstrip("=") == grant["challenge"]
        )

    async def revoke(self, request: web.Request) -> web.Response:
        """`/oauth/revoke`."""
        form = await request.post()
        self.tokens.discard(str(form.get("token")))
        self.revoked.append(str(form.get("token")))
        return web.json_response({})

    # --- API -----------------------------------------------------------------------------

    async def verify(self, request: web.Request) -> web.Response:
        """The signed-in account."""
        self.counts["verify"] += 1
        if (failed := self.authed(request)) is not None:
            return failed
        return web.json_response(
            {
                "id": "109000000000000001",
                "username": "acme",
                "acct": "acme",
                "display_name": "Acme Coffee",
                "url": f"{self.base_url}/@acme",
            }
        )

    async def instance(self, request: web.Request) -> web.Response:
        """Public server information with its limits."""
        return web.json_response(
            {
                "domain": "127.0.0.1",
                "title": "Fake Mastodon",
                "version": "4.3.0",
                "configuration": {
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                    "media_attachments": {
                        "supported_mime_types": ["image/jpeg", "image/png", "video/mp4"],
                        "image_size_limit": 16777216,
                        "video_size_limit": 103809024,
                    },
                },
            }
        )

    async def upload_media(self, request: web.Request) -> web.Response:
        """Multipart `file`: images ready at once (200), videos processing (202)."""
        if (failed := self.authed(request)) is not None:
            return failed
        form = await request.post()
        upload = form.get("file")
        if not hasattr(upload, "file"):
            return err(422, "Validation failed: File can't be blank")
        data = upload.file.read()
        video = upload.content_type.startswith("video/")
        media_id = str(110_000_000 + self.next_id())
        self.media[media_id] = {
            "id": media_id,
            "type": "video" if video else "image",
            "size": len(data),
            "ready": not video,
            "polls": 0,
            "failed": False,
        }
        body = {
            "id": media_id,
            "type": self.media[media_id]["type"],
            "url": None if video else f"{self.base_url}/media/{media_id}",
            "preview_url": f"{self.base_url}/media/{media_id}/small",
            "description": form.get("description"),
        }
        return web.json_response(body, status=202 if video else 200)

    async def get_media(self, request: web.Request) -> web.Response:
        """206 while processing, then 200 (or 422 when processing failed)."""
        if (failed := self.authed(request)) is not None:
            return failed
        media = self.media.get(request.match_info["id"])
        if media is None:
            return err(404, "Record not found")
        media["polls"] += 1
        if not media["ready"] and not media["failed"] and media["polls"] > 1:
            if self.take("media_failed"):
                media["failed"] = True
            else:
                media["ready"] = True
        if media["failed"]:
            return err(422, "Error processing thumbnail for uploaded media")
        body = {
            "id": media["id"],
            "type": media["type"],
            "url": f"{self.base_url}/media/{media['id']}" if media["ready"] else None,
        }
        return web.json_response(body, status=200 if media["ready"] else 206)

    def length(self, text: str) -> int:
        """Mastodon's count: graphemes, each URL 23."""
        return len(regex.findall(r"\X", _URL.sub("", text))) + 23 * len(_URL.findall(text))

    async def post_status(self, request: web.Request) -> web.Response:
        """A new status; a repeated Idempotency-Key returns the first one."""
        if (failed := self.authed(request)) is not None:
            return failed
        key = request.headers.get("Idempotency-Key")
        if key and key in self.idempotency:
            return web.json_response(self.statuses[self.idempotency[key]])
        body = await request.json()
        text, media_ids = body.get("status", ""), [str(m) for m in body.get("media_ids", [])]
        if self.take("validation_failed") or self.length(text) > self.max_characters:
            return err(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        if any(m not in self.media for m in media_ids) or len(media_ids) > 4:
            return err(422, "Validation failed: Media attachments are invalid")
        if any(not self.media[m]["ready"] for m in media_ids):
            return err(
                422, "Cannot attach files that have not finished processing. Try again in a moment!"
            )
        status_id = str(111_000_000 + self.next_id())
        status = {
            "id": status_id,
            "created_at": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "uri": f"{self.base_url}/users/acme/statuses/{status_id}",
            "url": f"{self.base_url}/@acme/{status_id}",
            "visibility": body.get("visibility", "public"),
            "content": f"<p>{text}</p>",
            "media_attachments": [self.media[m] for m in media_ids],
        }
        self.statuses[status_id] = {**status, "_text": text}
        if key:
            self.idempotency[key] = status_id
        self.published.append(
            {
                "id": status_id,
                "text": text,
                "media_ids": media_ids,
                "visibility": status["visibility"],
                "idempotency_key": key,
            }
        )
        return web.json_response(status)

    def public(self, status: dict[str, Any]) -> dict[str, Any]:
        """A status without the fake's private fields."""
        return {k: v for k, v in status.items() if not k.startswith("_")}

    async def get_status(self, request: web.Request) -> web.Response:
        """One status."""
        if (failed := self.authed(request)) is not None:
            return failed
        status = self.statuses.get(request.match_info["id"])
        return web.json_response(self.public(status)) if status else err(404, "Record not found")

    async def status_source(self, request: web.Request) -> web.Response:
        """The plain text a status was written with."""
        if (failed := self.authed(request)) is not None:
            return failed
        status = self.statuses.get(request.match_info["id"])
        if status is None:
            return err(404, "Record not found")
        return web.json_response({"id": status["id"], "text": status["_text"], "spoiler_text": ""})

    async def account_statuses(self, request: web.Request) -> web.Response:
        """The account's statuses, newest first."""
        if (failed := self.authed(request)) is not None:
            return failed
        limit = int(request.query.get("limit", "20"))
        newest = list(reversed(self.statuses.values()))[:limit]
        return web.json_response([self.public(s) for s in newest])
