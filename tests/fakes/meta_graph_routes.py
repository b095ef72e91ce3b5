"""The HTTP routes of the Meta fake (see `tests.fakes.meta_graph`)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from tests.fakes.loopback import after_effect_answer
from tests.fakes.meta_graph import (
    APP_IDS,
    APP_SECRETS,
    DAY,
    IG_USER,
    PAGES,
    TH_USER,
    Container,
    Media,
    MetaGraphError,
    MetaGraphFake,
)

Endpoint = Callable[[Request], Awaitable[Response]]
LONG = 60 * DAY
NETS = {"ig": "instagram", "th": "threads", "fb": "facebook"}
MAX_IMAGE = 8 * 1024 * 1024


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


async def _params(request: Request) -> dict[str, str]:
    values = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        values.update({k: str(v) for k, v in form.items()})
    return values


def _bad(message: str, code: int = 100, subcode: int | None = None) -> MetaGraphError:
    return MetaGraphError(400, code, message, subcode)


def _fields(spec: str) -> dict[str, str]:
    """`a,b,children{c,d}` → {"a": "", "b": "", "children": "c,d"}."""
    out: dict[str, str] = {}
    depth, start = 0, 0
    spec = spec + ","
    for i, ch in enumerate(spec):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            item = spec[start:i].strip()
            start = i + 1
            if not item:
                continue
            if "{" in item:
                name, sub = item.split("{", 1)
                out[name] = sub.rstrip("}")
            else:
                out[item] = ""
    return out


def routes(fake: MetaGraphFake) -> list[tuple[str, Endpoint, list[str]]]:
    """Every route of the fake."""

    def token_of(request: Request, params: dict[str, str]) -> str:
        token = params.get("access_token", "")
        auth = request.headers.get("authorization", "")
        if not token and " " in auth:
            token = auth.split(" ", 1)[1].strip()
        return token

    def check_token(token: str, kinds: tuple[str, ...]) -> str:
        info = fake.tokens.get(token)
        if info is None or info.kind not in kinds:
            raise MetaGraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if info.expired:
            raise MetaGraphError(
                400, 190, "Error validating access token: Session has expired.", 463
            )
        return info.subject

    def fault(kind: str, token: str | None = None) -> None:
        error = fake.take_fault(kind)
        if error is None:
            return
        if error.code == 190 and token in fake.tokens:
            fake.tokens[token].expired = True
        raise error

    # --- sign-in dialogs and token endpoints ----------------------------------------------

    async def dialog(request: Request) -> Response:
        net = request.path_params["net"]
        q = request.query_params
        if q.get("client_id") != APP_IDS[net] or not q.get("redirect_uri"):
            return HTMLResponse("Invalid App ID or redirect URI.", status_code=400)
        code = fake.issue_code(net, q["redirect_uri"])
        query = urlencode({"code": code, "state": q.get("state", "")})
        suffix = "#_" if net == "ig" else ""
        return RedirectResponse(f"{q['redirect_uri']}?{query}{suffix}", status_code=302)

    def take_code(net: str, params: dict[str, str]) -> None:
        if (
            params.get("client_id") != APP_IDS[net]
            or params.get("client_secret") != APP_SECRETS[net]
        ):
            raise _bad("Error validating client secret.", 101)
        entry = fake.codes.pop(params.get("code", ""), None)
        if entry is None or entry[0] != net:
            raise _bad("This authorization code has been used.", 100, 36007)
        if entry[1] != params.get("redirect_uri"):
            raise _bad(
                "Error validating verification code. Please make sure your "
                "redirect_uri is identical to the one you used in the OAuth dialog "
                "request",
                100,
                36008,
            )

    async def ig_code_token(request: Request) -> Response:
        params = await _params(request)
        try:
            take_code("ig", params)
        except MetaGraphError as exc:
            return JSONResponse(
                {"error_type": "OAuthException", "code": 400, "error_message": exc.message},
                status_code=400,
            )
        token = fake.new_token("ig_short", IG_USER["user_id"])
        return JSONResponse(
            {
                "access_token": token,
                "user_id": int(IG_USER["user_id"]),
                "permissions": ["instagram_business_basic", "instagram_business_content_publish"],
            }
        )

    def long_lived(params: dict[str, str], net: str, grant: str, src: str, dst: str) -> Response:
        if params.get("grant_type") != grant:
            raise _bad(f"Unsupported grant_type {params.get('grant_type')!r}")
        token = params.get("access_token", "")
        if grant.endswith("exchange_token"):
            if params.get("client_secret") != APP_SECRETS[net]:
                raise _bad("Error validating client secret.", 101)
            subject = check_token(token, (src,))
        else:
            fake.counts["refresh"] += 1
            fault("refresh", token)
            info = fake.tokens.get(token)
            if info is not None and info.kind == dst and info.expired:
                # an access token refused mid-publish is still refreshable while unexpired
                info.expired = False
            subject = check_token(token, (dst,))
            fake.tokens[token].expired = True  # the old token stops working
        new = fake.new_token(dst, subject)
        return JSONResponse({"access_token": new, "token_type": "bearer", "expires_in": LONG})

    async def ig_exchange(request: Request) -> Response:
        return long_lived(await _params(request), "ig", "ig_exchange_token", "ig_short", "ig")

    async def ig_refresh(request: Request) -> Response:
        return long_lived(await _params(request), "ig", "ig_refresh_token", "ig", "ig")

    async def th_code_token(request: Request) -> Response:
        params = await _params(request)
        take_code("th", params)
        token = fake.new_token("th_short", TH_USER["id"])
        return JSONResponse({"access_token": token, "user_id": int(TH_USER["id"])})

    async def th_exchange(request: Request) -> Response:
        return long_lived(await _params(request), "th", "th_exchange_token", "th_short", "th")

    async def th_refresh(request: Request) -> Response:
        return long_lived(await _params(request), "th", "th_refresh_token", "th", "th")

    async def fb_oauth(request: Request) -> Response:
        params = await _params(request)
        if params.get("grant_type") == "fb_exchange_token":
            if (
                params.get("client_id") != APP_IDS["fb"]
                or params.get("client_secret") != APP_SECRETS["fb"]
            ):
                raise _bad("Error validating client secret.", 101)
            old = params.get("fb_exchange_token", "")
            info = fake.tokens.get(old)
            if info is not None and info.kind == "fb_user":
                fake.counts["refresh"] += 1
                fault("refresh", old)
            subject = check_token(old, ("fb_short", "fb_user"))
            token = fake.new_token("fb_user", subject)
            return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": LONG})
        take_code("fb", params)
        token = fake.new_token("fb_short", "fbuser-1")
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 5400})

    # --- the Graph APIs --------------------------------------------------------------------

    async def graph(request: Request) -> Response:
        net = request.path_params["net"]
        if net not in NETS:
            return JSONResponse({"error": {"message": "Unknown path"}}, status_code=404)
        parts = [p for p in request.path_params["path"].split("/") if p]
        params = await _params(request)
        token = token_of(request, params)
        kinds = {"ig": ("ig",), "th": ("th",), "fb": ("fb_user", "fb_page")}[net]
        subject = check_token(token, kinds)
        fake.counts["api"] += 1
        fault("api", token)
        handler = {"ig": ig_graph, "th": th_graph, "fb": fb_graph}[net]
        published = fake.counts["publish"]
        answer = JSONResponse(await handler(request.method, parts, params, subject, token))
        fault_name = fake.take_after_effect() if fake.counts["publish"] > published else None
        if fault_name is None:
            return answer
        return await after_effect_answer(
            fault_name,
            answer,
            released=fake.released,
            error=lambda: MetaGraphError(
                500, 1, "An unexpected error has occurred.", 2207001, "IGApiException"
            ).response(),
            drop=lambda: fake.drop_connection(request),
        )

    # Instagram ---------------------------------------------------------------------------

    async def ig_graph(
        method: str, parts: list[str], p: dict[str, str], subject: str, token: str
    ) -> dict[str, Any]:
        head = parts[0]
        tail = parts[1] if len(parts) > 1 else ""
        if head == "me" and not tail:
            return {k: IG_USER[k] for k in _fields(p.get("fields", "id")) if k in IG_USER}
        if head == subject and tail == "media" and method == "POST":
            return await create_container(subject, "instagram", p)
        if head == subject and tail == "media":
            return list_media(subject, "instagram", p)
        if head == subject and tail == "media_publish" and method == "POST":
            return publish(subject, "instagram", p.get("creation_id", ""))
        if head == subject and tail == "content_publishing_limit":
            return limit(subject, fake.quota_total)
        if head in fake.containers and not tail:
            return container_status(fake.containers[head], p)
        if head in fake.media and not tail:
            fake.counts["media_get"] += 1
            return media_fields(fake.media[head], p)
        raise _bad(
            "Unsupported get request. Object does not exist or cannot be loaded due "
            "to missing permissions.",
            100,
            33,
        )

    async def create_container(owner: str, network: str, p: dict[str, str]) -> dict[str, Any]:
        fake.counts["create"] += 1
        fault("create")
        media_type = p.get("media_type", "IMAGE" if "image_url" in p else "TEXT")
        if network == "instagram" and media_type == "VIDEO" and p.get("is_carousel_item") != "true":
            raise _bad("The VIDEO media type is no longer supported; use REELS.", 100, 2207023)
        cid = fake._new_id()
        children = [c for c in p.get("children", "").split(",") if c]
        caption = p.get("caption", p.get("text", ""))
        box = Container(
            id=cid,
            owner=owner,
            network=network,
            media_type=media_type,
            caption=caption,
            urls=[],
            children=children,
            polls_left=fake.in_progress_polls,
        )
        if media_type == "CAROUSEL":
            if not 2 <= len(children) <= 10 or any(
                c not in fake.containers or fake.containers[c].owner != owner for c in children
            ):
                raise _bad("Invalid carousel children.", 100, 2207028)
        elif "image_url" in p:
            data = await fake.fetch(p["image_url"])
            if len(data) > MAX_IMAGE:
                raise MetaGraphError(
                    400, 36000, "The image size is too large.", 2207004, "IGApiException"
                )
            if not data.startswith(b"\xff\xd8") and network == "instagram":
                raise _bad("Only JPEG images are supported.", 36001, 2207005)
            box.urls, box.fetched = [p["image_url"]], True
            box.files = [("IMAGE", data)]
        elif "video_url" in p:
            box.urls = [p["video_url"]]
            fake.spawn(fetch_video(box, p["video_url"]))
        elif media_type != "TEXT":
            raise _bad("The parameter image_url or video_url is required.", 100)
        else:
            box.fetched = True
        fake.containers[cid] = box
        return {"id": cid}

    async def fetch_video(box: Container, url: str) -> None:
        try:
            data = await fake.fetch(url)
        except MetaGraphError as exc:
            box.status, box.error = "ERROR", f"{exc.message} ({exc.subcode})"
            return
        box.files = [("VIDEO", data)]
        box.fetched = True

    def advance(box: Container) -> None:
        if box.status not in ("IN_PROGRESS",):
            return
        if fake.container_error:
            fake.container_error = ""
            box.status = "ERROR"
            box.error = "Error: Media upload has failed with error code 2207026"
            return
        children = [fake.containers[c] for c in box.children]
        for child in children:
            advance(child)
        if box.polls_left > 0:
            box.polls_left -= 1
            return
        if all(c.status == "FINISHED" for c in children) and (box.fetched or children):
            box.status = "FINISHED"
        elif any(c.status == "ERROR" for c in children):
            box.status, box.error = "ERROR", "Error: a carousel item failed"

    def container_status(box: Container, p: dict[str, str]) -> dict[str, Any]:
        fake.counts["status"] += 1
        advance(box)
        out: dict[str, Any] = {"id": box.id}
        for name in _fields(p.get("fields", "status_code")):
            if name == "status_code":
                out[name] = box.status
            elif name == "status":
                failed = box.status == "ERROR" and box.network == "instagram"
                out[name] = box.error if failed else box.status
            elif name == "error_message" and box.error:
                out[name] = box.error
        return out

    def publish(owner: str, network: str, creation_id: str) -> dict[str, Any]:
        fake.counts["publish"] += 1
        fault("publish")
        quota = fake.quota_total if network == "instagram" else 250
        if fake.quota_exhausted or len(fake.publishes_last_day(owner)) >= quota:
            raise MetaGraphError(400, 9, "Application request limit reached", 2207042)
        box = fake.containers.get(creation_id)
        if box is None or box.owner != owner:
            raise _bad("Invalid parameter: creation_id.", 100)
        if box.status == "PUBLISHED":
            raise MetaGraphError(400, 9007, "The media has already been published.", 2207008)
        if box.status != "FINISHED":
            raise MetaGraphError(400, 9007, "Media ID is not available.", 2207027)
        media_id = fake._new_id()
        files = [f for c in ([box] + [fake.containers[c] for c in box.children]) for f in c.files]
        if network == "instagram":
            link = f"https://www.instagram.com/p/{media_id[-10:]}/"
        else:
            link = f"https://www.threads.net/@{TH_USER['username']}/post/{media_id[-10:]}"
        media_type = "CAROUSEL_ALBUM" if box.media_type == "CAROUSEL" else box.media_type
        fake.media[media_id] = Media(
            id=media_id,
            owner=owner,
            network=network,
            caption=box.caption,
            media_type="VIDEO" if media_type == "REELS" else media_type,
            timestamp=time.time(),
            permalink=link,
            files=files,
            product_type="REELS" if media_type == "REELS" else "FEED",
        )
        box.status, box.published_as = "PUBLISHED", media_id
        return {"id": media_id}

    def limit(owner: str, total: int) -> dict[str, Any]:
        fake.counts["limit"] += 1
        used = total if fake.quota_exhausted else len(fake.publishes_last_day(owner))
        return {
            "data": [{"quota_usage": used, "config": {"quota_total": total, "quota_duration": DAY}}]
        }

    def media_fields(m: Media, p: dict[str, str], fields: str | None = None) -> dict[str, Any]:
        wanted = _fields(fields if fields is not None else p.get("fields", "id"))
        out: dict[str, Any] = {"id": m.id}
        values: dict[str, Any] = {
            "caption": m.caption,
            "text": m.caption,
            "message": m.caption,
            "media_type": m.media_type,
            "media_product_type": m.product_type,
            "permalink": m.permalink,
            "permalink_url": m.permalink,
            "timestamp": _iso(m.timestamp),
            "created_time": _iso(m.timestamp),
            "username": IG_USER["username"],
            "shortcode": m.permalink.rstrip("/")[-10:],
        }
        for name, sub in wanted.items():
            if name in values:
                out[name] = values[name]
            elif name == "media_url" and m.media_type != "CAROUSEL_ALBUM" and m.files:
                out[name] = fake.cdn_url(m.id, 0)
            elif name == "thumbnail_url" and m.media_type == "VIDEO":
                out[name] = fake.cdn_url(m.id, 0, thumb=True)
            elif name == "children" and m.media_type == "CAROUSEL_ALBUM":
                out[name] = {"data": [child_fields(m, i, sub or "id") for i in range(len(m.files))]}
        return out

    def child_fields(m: Media, index: int, spec: str) -> dict[str, Any]:
        kind = m.files[index][0]
        out: dict[str, Any] = {"id": f"{m.id}{index:02d}"}
        for name in _fields(spec):
            if name == "media_url":
                out[name] = fake.cdn_url(m.id, index)
            elif name == "media_type":
                out[name] = kind
            elif name == "thumbnail_url" and kind == "VIDEO":
                out[name] = fake.cdn_url(m.id, index, thumb=True)
        return out

    def list_media(owner: str, network: str, p: dict[str, str]) -> dict[str, Any]:
        fake.counts["list"] += 1
        items = sorted(
            (m for m in fake.media.values() if m.owner == owner and m.network == network),
            key=lambda m: m.timestamp,
            reverse=True,
        )
        start = int(p.get("after", "0") or 0)
        size = int(p.get("limit", "25") or 25)
        page = items[start : start + size]
        out: dict[str, Any] = {"data": [media_fields(m, p) for m in page]}
        if start + size < len(items):
            out["paging"] = {"cursors": {"after": str(start + size)}, "next": "omitted-use-cursor"}
        return out

    # Threads -------------------------------------------------------------------------------

    async def th_graph(
        method: str, parts: list[str], p: dict[str, str], subject: str, token: str
    ) -> dict[str, Any]:
        head = parts[0]
        tail = parts[1] if len(parts) > 1 else ""
        if head == "me" and not tail:
            return {k: TH_USER[k] for k in _fields(p.get("fields", "id")) if k in TH_USER}
        if head == subject and tail == "threads" and method == "POST":
            return await create_container(subject, "threads", p)
        if head == subject and tail == "threads":
            return list_media(subject, "threads", p)
        if head == subject and tail == "threads_publish" and method == "POST":
            return publish(subject, "threads", p.get("creation_id", ""))
        if head == subject and tail == "threads_publishing_limit":
            return limit(subject, 250)
        if head in fake.containers and not tail:
            box = fake.containers[head]
            return container_status(box, {"fields": p.get("fields", "status")})
        if head in fake.media and not tail:
            return media_fields(fake.media[head], p)
        raise _bad("Object does not exist.", 100, 33)

    # Facebook Pages ----------------------------------------------------------------------

    aliases: dict[str, str] = {}

    async def fb_graph(
        method: str, parts: list[str], p: dict[str, str], subject: str, token: str
    ) -> dict[str, Any]:
        head = parts[0]
        tail = parts[1] if len(parts) > 1 else ""
        info = fake.tokens[token]
        page_ids = {pg["id"] for pg in PAGES}
        if head == "me" and tail == "accounts":
            return {
                "data": [
                    {
                        **pg,
                        "access_token": fake.new_token("fb_page", pg["id"]),
                        "category": "Coffee shop",
                        "tasks": ["CREATE_CONTENT"],
                    }
                    for pg in PAGES
                ],
                "paging": {"cursors": {}},
            }
        if head == "me" and not tail:
            return {"id": subject, "name": "Alex Owner"}
        if head in page_ids and not tail:
            out: dict[str, Any] = {
                "id": head,
                "name": next(pg["name"] for pg in PAGES if pg["id"] == head),
            }
            if "access_token" in p.get("fields", "") and info.kind == "fb_user":
                out["access_token"] = fake.new_token("fb_page", head)
            return out
        if head in page_ids and tail:
            if info.kind != "fb_page" or subject != head:
                raise MetaGraphError(403, 200, "(#200) Requires a Page access token.")
            return await fb_page_edge(head, tail, p)
        key = aliases.get(head, head)
        if key in fake.containers and not tail:
            return video_status(fake.containers[key])
        if key in fake.media and not tail:
            return media_fields(fake.media[key], p)
        raise _bad("Object does not exist.", 100, 33)

    async def fb_page_edge(page: str, edge: str, p: dict[str, str]) -> dict[str, Any]:
        if edge == "photos":
            fake.counts["publish"] += 1
            fault("create")
            fault("publish")
            data = await fake.fetch(p.get("url", ""))
            photo_id = fake._new_id()
            post_id = f"{page}_{photo_id}"
            aliases[photo_id] = post_id
            fake.media[post_id] = Media(
                id=post_id,
                owner=page,
                network="facebook",
                caption=p.get("caption", p.get("message", "")),
                media_type="IMAGE",
                timestamp=time.time(),
                permalink=f"https://www.facebook.com/{page}/posts/{photo_id}",
                files=[("IMAGE", data)],
            )
            return {"id": photo_id, "post_id": post_id}
        if edge == "videos":
            fake.counts["publish"] += 1
            fault("publish")
            box = new_video(page, "VIDEO", p.get("description", ""))
            box.urls = [p.get("file_url", "")]
            fake.spawn(fetch_video(box, box.urls[0]))
            box.published_as = "pending"
            return {"id": box.id}
        if edge == "video_reels":
            phase = p.get("upload_phase")
            if phase == "start":
                box = new_video(page, "REELS", "")
                box.status = "UPLOAD_PENDING"
                return {
                    "video_id": box.id,
                    "upload_url": f"{fake.base_url}/rupload/video-upload/v24.0/{box.id}",
                }
            box = fake.containers.get(p.get("video_id", ""))
            if box is None or box.owner != page:
                raise _bad("Invalid video_id.")
            if phase == "finish":
                fake.counts["publish"] += 1
                fault("publish")
                if not box.fetched:
                    raise _bad("The video was not uploaded.", 6000, 1363130)
                box.caption = p.get("description", "")
                box.status, box.published_as = "IN_PROGRESS", "pending"
                return {"success": True}
        if edge in ("posts", "published_posts", "feed"):
            items = sorted(
                (m for m in fake.media.values() if m.owner == page),
                key=lambda m: m.timestamp,
                reverse=True,
            )
            return {"data": [media_fields(m, p) for m in items[: int(p.get("limit", 25))]]}
        raise _bad(f"Unknown edge {edge}.")

    def new_video(page: str, media_type: str, caption: str) -> Container:
        box = Container(
            id=fake._new_id(),
            owner=page,
            network="facebook",
            media_type=media_type,
            caption=caption,
            urls=[],
            children=[],
            polls_left=fake.in_progress_polls,
        )
        fake.containers[box.id] = box
        return box

    def video_status(box: Container) -> dict[str, Any]:
        fake.counts["status"] += 1
        if box.published_as == "pending" and box.status == "IN_PROGRESS":
            if box.error:
                box.status = "ERROR"
            elif box.fetched:
                if box.polls_left > 0:
                    box.polls_left -= 1
                else:
                    media_id = box.id
                    link = (
                        f"https://www.facebook.com/reel/{media_id}"
                        if box.media_type == "REELS"
                        else f"https://www.facebook.com/{box.owner}/videos/{media_id}"
                    )
                    fake.media[media_id] = Media(
                        id=media_id,
                        owner=box.owner,
                        network="facebook",
                        caption=box.caption,
                        media_type="VIDEO",
                        timestamp=time.time(),
                        permalink=link,
                        files=box.files,
                    )
                    box.status, box.published_as = "PUBLISHED", media_id
        if box.status == "ERROR":
            phase = {
                "status": "error",
                "errors": [{"code": 1363008, "message": box.error or "Processing failed"}],
            }
            return {"id": box.id, "status": {"video_status": "error", "processing_phase": phase}}
        done = box.status == "PUBLISHED"
        return {
            "id": box.id,
            "permalink_url": fake.media[box.id].permalink if done else None,
            "status": {
                "video_status": "ready" if done else "processing",
                "uploading_phase": {"status": "complete" if box.fetched else "in_progress"},
                "processing_phase": {"status": "complete" if done else "in_progress"},
                "publishing_phase": {
                    "status": "complete" if done else "not_started",
                    "publish_status": "published" if done else "not_published",
                },
            },
        }

    async def rupload(request: Request) -> Response:
        video_id = request.path_params["video_id"]
        auth = request.headers.get("authorization", "")
        token = auth.split(" ", 1)[1] if " " in auth else ""
        try:
            subject = check_token(token, ("fb_page",))
        except MetaGraphError as exc:
            return JSONResponse(
                {"debug_info": {"type": "OAuthException", "message": exc.message}}, status_code=401
            )
        box = fake.containers.get(video_id)
        if box is None or box.owner != subject:
            return JSONResponse(
                {"debug_info": {"type": "NotFound", "message": "Unknown video"}}, status_code=400
            )
        file_url = request.headers.get("file_url")
        try:
            data = await fake.fetch(file_url) if file_url else await request.body()
        except MetaGraphError as exc:
            return JSONResponse(
                {
                    "debug_info": {
                        "retriable": False,
                        "type": "ProcessingFailed",
                        "message": exc.message,
                    }
                },
                status_code=400,
            )
        box.files, box.fetched = [("VIDEO", data)], True
        return JSONResponse({"success": True})

    async def cdn(request: Request) -> Response:
        media = fake.media.get(request.path_params["media_id"])
        name = request.path_params["name"]
        expires = int(request.query_params.get("oe", "0"), 16)
        fake.counts["cdn"] += 1
        if media is None or expires < fake.cdn_clock:
            return Response("URL signature expired", status_code=403)
        if name == "thumb":
            return Response(media.thumbnail or b"", media_type="image/jpeg")
        kind, data = media.files[int(name)]
        return Response(data, media_type="video/mp4" if kind == "VIDEO" else "image/jpeg")

    return [
        ("/dialog/{net}", dialog, ["GET"]),
        ("/ig-api/oauth/access_token", ig_code_token, ["POST"]),
        ("/ig/access_token", ig_exchange, ["GET"]),
        ("/ig/refresh_access_token", ig_refresh, ["GET"]),
        ("/th/oauth/access_token", th_code_token, ["POST", "GET"]),
        ("/th/access_token", th_exchange, ["GET"]),
        ("/th/refresh_access_token", th_refresh, ["GET"]),
        ("/fb/v24.0/oauth/access_token", fb_oauth, ["GET", "POST"]),
        ("/rupload/video-upload/{ver}/{video_id}", rupload, ["POST"]),
        ("/cdn/{media_id}/{name}", cdn, ["GET"]),
        ("/{net:str}/{ver:str}/{path:path}", graph, ["GET", "POST"]),
    ]
