"""One loopback fake of Meta's APIs: graph.facebook.com, graph.instagram.com, graph.threads.net,
rupload.facebook.com, and the sign-in dialogs and token endpoints of all three.

Paths: `/fb/v24.0/…` (Facebook Graph), `/ig/v24.0/…` and `/ig/access_token` (Instagram
Graph), `/th/v1.0/…` and `/th/oauth/access_token` (Threads), `/rupload/…`, `/ig-api/oauth/
access_token` (api.instagram.com), `/dialog/{fb|ig|th}` (sign-in pages that approve at once
and redirect back with a code), `/cdn/…` (expiring CDN links of media listed for ingest).

Like Meta, it downloads `image_url` / `video_url` / `file_url` itself: an unreachable
PUBLIC_BASE_URL gives the 2207003 failure. Containers go IN_PROGRESS → FINISHED over a
few status polls. Errors use Meta's body `{"error": {message, type, code, error_subcode,
fbtrace_id}}`. Faults are injected by name (see `FAULTS`).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.loopback import AFTER_EFFECT
from tests.support.outbound import loopback_outbound
from tests.support.server import free_port

APP_IDS = {"ig": "ig-app-1", "fb": "fb-app-1", "th": "th-app-1"}
APP_SECRETS = {"ig": "ig-secret-1", "fb": "fb-secret-1", "th": "th-secret-1"}
IG_USER = {"user_id": "17841400000000001", "username": "acme.coffee", "id": "9900001"}
TH_USER = {"id": "25000000000001", "username": "acme.coffee"}
PAGES = [
    {"id": "101000000000001", "name": "Acme Coffee"},
    {"id": "101000000000002", "name": "Acme Bakery"},
]
DAY = 86400

#: fault name → (the call kinds it hits, HTTP status, code, subcode, message)
FAULTS: dict[str, tuple[tuple[str, ...], int, int, int | None, str]] = {
    "token_expired": (
        ("api",),
        400,
        190,
        463,
        "Error validating access token: Session has expired.",
    ),
    "token_revoked": (
        ("api",),
        400,
        190,
        460,
        "Error validating access token: The user has changed the password.",
    ),
    "rate_limited": (("api",), 400, 4, None, "Application request limit reached"),
    "app_rate_limited": (("api",), 400, 17, None, "User request limit reached"),
    "publish_limit": (
        ("publish",),
        400,
        9,
        2207042,
        "The maximum number of posts that can be published has been reached.",
    ),
    "container_expired": (
        ("publish",),
        400,
        24,
        2207020,
        "The media you are trying to publish has expired.",
    ),
    "server_error": (("publish",), 500, 1, 2207001, "An unexpected error has occurred."),
    "spam": (
        ("publish",),
        400,
        4,
        2207051,
        "We restrict certain activity to protect our community.",
    ),
    "image_too_large": (("create",), 400, 36000, 2207004, "The image size is too large."),
    "fetch_timeout": (("create",), 400, -2, 2207003, "Timeout while downloading media."),
    "refresh_refused": (("refresh",), 400, 190, 460, "Error validating access token."),
}
#: faults that are not errors of one call but states of the fake
STATE_FAULTS = ("quota_exhausted", "container_error")


@dataclass
class Token:
    """An access token the fake issued."""

    kind: str  # ig_short ig th_short th fb_short fb_user fb_page
    subject: str
    expired: bool = False
    created: float = field(default_factory=time.time)


@dataclass
class Container:
    """An Instagram or Threads media container, or a Facebook video upload."""

    id: str
    owner: str
    network: str
    media_type: str
    caption: str
    urls: list[str]
    children: list[str]
    polls_left: int
    status: str = "IN_PROGRESS"
    error: str = ""
    fetched: bool = False
    published_as: str | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (media_type, bytes)


@dataclass
class Media:
    """A published post."""

    id: str
    owner: str
    network: str
    caption: str
    media_type: str
    timestamp: float
    permalink: str
    product_type: str = "FEED"
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (media_type, bytes)
    thumbnail: bytes | None = None
    seeded: bool = False


class MetaGraphError(Exception):
    """A Graph API error answer."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        subcode: int | None = None,
        etype: str = "OAuthException",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.subcode = status, code, subcode
        self.message, self.etype, self.headers = message, etype, headers or {}

    def response(self) -> JSONResponse:
        """Meta's error body."""
        body: dict[str, Any] = {
            "message": self.message,
            "type": self.etype,
            "code": self.code,
            "fbtrace_id": "A" + secrets.token_hex(8),
        }
        if self.subcode is not None:
            body["error_subcode"] = self.subcode
        return JSONResponse({"error": body}, status_code=self.status, headers=self.headers)


class MetaGraphFake:
    """The fake's state, its faults and what tests inspect."""

    def __init__(
        self, *, in_progress_polls: int = 2, quota_total: int = 50, cdn_ttl: float = 3 * DAY
    ) -> None:
        self.base_url = ""
        self.tokens: dict[str, Token] = {}
        self.codes: dict[str, tuple[str, str]] = {}  # code → (network, redirect_uri)
        self.containers: dict[str, Container] = {}
        self.media: dict[str, Media] = {}
        self.faults: list[list[Any]] = []
        self.counts: Counter[str] = Counter()
        self.in_progress_polls = in_progress_polls
        self.quota_total = quota_total
        self.quota_exhausted = False
        self.container_error = ""
        self.cdn_ttl = cdn_ttl
        self.cdn_clock = 0.0
        self.fetched_urls: list[str] = []
        # generous: on a busy machine the app under test may take seconds to serve a link
        self.fetch_timeout = 30.0
        self._ids = itertools.count(17900000000000001)
        self._tasks: set[asyncio.Task[None]] = set()
        self.http = httpx.AsyncClient(timeout=self.fetch_timeout)
        self.after_faults: list[str] = []  # see tests.fakes.loopback.AFTER_EFFECT
        self.released = asyncio.Event()
        self.server: uvicorn.Server | None = None

    # --- what tests use -------------------------------------------------------------------

    def settings_overrides(self) -> dict[str, Any]:
        """Settings pointing every Meta endpoint at this fake."""
        b = self.base_url
        return {
            "graph_api_base": f"{b}/fb/v24.0",
            "instagram_api_base": f"{b}/ig/v24.0",
            "threads_api_base": f"{b}/th/v1.0",
            "rupload_base": f"{b}/rupload",
            "facebook_authorize_url": f"{b}/dialog/fb",
            "instagram_authorize_url": f"{b}/dialog/ig",
            "instagram_token_url": f"{b}/ig-api/oauth/access_token",
            "threads_authorize_url": f"{b}/dialog/th",
            "facebook_client_id": APP_IDS["fb"],
            "facebook_client_secret": APP_SECRETS["fb"],
            "instagram_client_id": APP_IDS["ig"],
            "instagram_client_secret": APP_SECRETS["ig"],
            "threads_client_id": APP_IDS["th"],
            "threads_client_secret": APP_SECRETS["th"],
            **loopback_outbound(b),  # its CDN links are downloaded through the outbound guard
        }

    def posts(self, network: str | None = None) -> list[dict[str, Any]]:
        """Posts published through the API (seeded ingest posts excluded), oldest first."""
        out = [
            m
            for m in self.media.values()
            if not m.seeded and (network is None or m.network == network)
        ]
        return [
            {
                "id": m.id,
                "text": m.caption,
                "network": m.network,
                "media_type": m.media_type,
                "permalink": m.permalink,
                "files": len(m.files),
            }
            for m in sorted(out, key=lambda m: m.timestamp)
        ]

    def inject(self, fault: str, times: int = 1) -> None:
        """Fail the next `times` calls the fault applies to."""
        if fault == "quota_exhausted":
            self.quota_exhausted = True
        elif fault == "container_error":
            self.container_error = "ERROR"
        elif fault in AFTER_EFFECT:  # hits the next call that publishes (media_publish…)
            self.after_faults.extend([fault] * times)
        elif fault not in FAULTS:
            raise KeyError(fault)
        else:
            self.faults.append([fault, times])

    def calls(self, kind: str) -> int:
        """How often a kind of call was made ("refresh", "publish", "create", "status"…)."""
        return self.counts[kind]

    def issue_code(self, network: str, redirect_uri: str) -> str:
        """An authorization code as the dialog would hand out."""
        code = "code-" + secrets.token_urlsafe(12)
        self.codes[code] = (network, redirect_uri)
        return code

    def seed_ig_post(
        self,
        caption: str,
        files: list[tuple[str, bytes]],
        *,
        thumbnail: bytes | None = None,
        product_type: str = "FEED",
        age: float = 60.0,
    ) -> str:
        """A post already on the Instagram account (for ingest); its id."""
        kinds = {t for t, _ in files}
        media_type = "CAROUSEL_ALBUM" if len(files) > 1 else next(iter(kinds))
        media_id = self._new_id()
        self.media[media_id] = Media(
            id=media_id,
            owner=IG_USER["user_id"],
            network="instagram",
            caption=caption,
            media_type=media_type,
            timestamp=time.time() - age,
            permalink=f"https://www.instagram.com/p/{media_id[-8:]}/",
            product_type=product_type,
            files=files,
            thumbnail=thumbnail,
            seeded=True,
        )
        return media_id

    def expire_cdn_links(self) -> None:
        """Every CDN link handed out so far stops working (their signature expires)."""
        self.cdn_clock += self.cdn_ttl + 1

    # --- internals shared with the routes -------------------------------------------------

    def _new_id(self) -> str:
        return str(next(self._ids))

    def new_token(self, kind: str, subject: str) -> str:
        """Issue a token."""
        token = f"{kind}-" + secrets.token_urlsafe(16)
        self.tokens[token] = Token(kind=kind, subject=subject)
        return token

    def take_fault(self, kind: str) -> MetaGraphError | None:
        """The injected error for this call kind, if one is pending."""
        for entry in self.faults:
            name, times = entry
            kinds, status, code, subcode, message = FAULTS[name]
            if kind not in kinds or times <= 0:
                continue
            entry[1] -= 1
            self.faults = [f for f in self.faults if f[1] > 0]
            headers = {}
            if code in (4, 17, 32):
                headers["X-Business-Use-Case-Usage"] = (
                    '{"1": [{"type": "instagram", "call_count": 100, "total_cputime": 10, '
                    '"total_time": 10, "estimated_time_to_regain_access": 7}]}'
                )
            etype = "OAuthException" if code in (190, 4, 17, 32, 9) else "IGApiException"
            return MetaGraphError(status, code, message, subcode, etype, headers)
        return None

    def take_after_effect(self) -> str | None:
        """The pending after-effect fault, if any."""
        return self.after_faults.pop(0) if self.after_faults else None

    def drop_connection(self, request: Request) -> None:
        """Close the socket a request came on, without an answer."""
        client = (request.client.host, request.client.port) if request.client else None
        connections = self.server.server_state.connections if self.server else set()
        for connection in list(connections):
            if getattr(connection, "client", None) == client:
                connection.transport.abort()
                return
        raise RuntimeError("the request's connection was not found")

    def cdn_url(self, media_id: str, index: int, thumb: bool = False) -> str:
        """A signed CDN link that expires after `cdn_ttl` on the fake's clock."""
        expires = int(self.cdn_clock + self.cdn_ttl)
        name = "thumb" if thumb else str(index)
        return f"{self.base_url}/cdn/{media_id}/{name}?oe={expires:x}&oh={secrets.token_hex(6)}"

    async def fetch(self, url: str) -> bytes:
        """Download a media URL like Meta's fetcher; MetaGraphError(2207003/2207052) if not."""
        self.fetched_urls.append(url)
        try:
            response = await self.http.get(url, timeout=self.fetch_timeout)
        except httpx.HTTPError:
            raise MetaGraphError(
                400,
                -2,
                "Timeout while downloading media: the media could "
                "not be downloaded from the URL in time.",
                2207003,
                "IGApiException",
            ) from None
        if response.status_code != 200:
            raise MetaGraphError(
                400,
                9004,
                "Media download has failed. The media URI doesn't meet our requirements.",
                2207052,
                "IGApiException",
            )
        return response.content

    def spawn(self, coro: Any) -> None:
        """Run a background job (the async fetch of a video)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def publishes_last_day(self, owner: str) -> list[Media]:
        """Posts the account published through the API in the last 24 hours."""
        since = time.time() - DAY
        return [
            m
            for m in self.media.values()
            if m.owner == owner and not m.seeded and m.timestamp >= since
        ]

    async def aclose(self) -> None:
        """Stop background jobs and the fetcher."""
        for task in list(self._tasks):
            task.cancel()
        await self.http.aclose()


@asynccontextmanager
async def running_meta_graph(**options: Any) -> AsyncIterator[MetaGraphFake]:
    """Serve the fake on a free loopback port inside the test's event loop."""
    from tests.fakes.meta_graph_routes import routes

    async def _graph_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MetaGraphError)
        return exc.response()

    fake = MetaGraphFake(**options)
    app = Starlette(
        routes=[Route(path, endpoint, methods=methods) for path, endpoint, methods in routes(fake)],
        exception_handlers={MetaGraphError: _graph_error},
    )
    port = free_port()
    fake.base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    fake.server = server
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        yield fake
    finally:
        fake.released.set()
        server.should_exit = True
        await fake.aclose()
        await task
