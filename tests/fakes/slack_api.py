"""A loopback fake of the Slack Web API, speaking its real HTTP protocol.

Serves `{base}/api/{method}` the way slack.com does: the token as `Authorization: Bearer`
(or a `token` field), bodies as JSON, form fields or query strings, HTTP 200 with
`{"ok": false, "error": ...}` for API errors and HTTP 429 with `Retry-After` when rate
limited. Files are downloaded from `url_private_download` with the bot token; without it
the fake answers an HTML login page with 200, like Slack. Image blocks are fetched (Slack
does) and refused with `invalid_blocks` when the image cannot be downloaded. Every call is
recorded.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

from tests.fakes.loopback import LoopbackFake

TRIGGER_TTL = 3.0


class ApiError(Exception):
    """A Slack API error answer."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.extra = error, extra


@dataclass
class Call:
    """One recorded Web API call."""

    method: str
    params: dict[str, Any]
    token: str
    at: float


@dataclass
class Team:
    """A workspace with its bot, people, channels and files."""

    id: str
    name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    file_data: dict[str, bytes] = field(default_factory=dict)


class FakeSlack(LoopbackFake):
    """State of the fake: workspaces, messages, views, files, OAuth codes, recorded calls."""

    def __init__(self, client_id: str = "1111.2222", client_secret: str = "oauth-secret") -> None:
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.teams: dict[str, Team] = {}
        self.calls_made: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.triggers: dict[str, float] = {}
        self.codes: dict[str, tuple[str, str]] = {}
        self.ratelimits: dict[str, list[int]] = {}
        self._seq = itertools.count(1)
        self._clock = itertools.count(1)

    # ---- test controls -------------------------------------------------------------------
    @property
    def api_base(self) -> str:
        """The SLACK_API_BASE of this fake."""
        return self.base_url + "/api/"

    def add_team(self, team_id: str, name: str = "Acme") -> Team:
        """A workspace with the app's bot installed (its token is known to the fake)."""
        n = next(self._seq)
        team = Team(team_id, name, f"xoxb-{team_id}-{n}-faketoken", f"UBOT{n}", f"BBOT{n}")
        self.teams[team_id] = team
        return team

    def add_user(self, team: Team, user_id: str, name: str) -> dict[str, Any]:
        """A person in the workspace."""
        user = {
            "id": user_id,
            "team_id": team.id,
            "name": name,
            "real_name": name.title(),
            "is_bot": False,
        }
        team.users[user_id] = user
        return user

    def add_channel(self, team: Team, channel_id: str, name: str) -> dict[str, Any]:
        """A public channel the bot is in."""
        channel = {"id": channel_id, "name": name, "is_channel": True, "is_member": True}
        team.channels[channel_id] = channel
        return channel

    def add_file(
        self, team: Team, user_id: str, name: str, data: bytes, mimetype: str
    ) -> dict[str, Any]:
        """A file a person uploaded (downloadable with the team's bot token)."""
        file_id = f"F{next(self._seq):08d}"
        url = f"{self.base_url}/files-pri/{team.id}-{file_id}/{name}"
        info = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "size": len(data),
            "user": user_id,
            "url_private": url,
            "url_private_download": url + "?download=1",
            "permalink": f"https://{team.name.lower()}.slack.com/files/{user_id}/{file_id}",
        }
        team.files[file_id], team.file_data[file_id] = info, data
        return info

    def trigger(self) -> str:
        """A fresh trigger id (valid for 3 s, once), as Slack puts in interaction payloads."""
        trigger_id = f"{next(self._seq)}.{int(time.time())}.faketrigger"
        self.triggers[trigger_id] = time.monotonic()
        return trigger_id

    def oauth_code(self, team: Team, user_id: str) -> str:
        """The code Slack would append to the redirect after the person clicks Allow."""
        code = f"code-{next(self._seq)}"
        self.codes[code] = (team.id, user_id)
        return code

    def ratelimit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of a method get HTTP 429 with Retry-After."""
        self.ratelimits.setdefault(method, []).extend([retry_after] * times)

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of one method."""
        return [c for c in self.calls_made if c.method == method]

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        """Top-level bot messages of a channel, oldest first."""
        return [m for (c, _), m in self.messages.items() if c == channel and not m.get("thread_ts")]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Replies in a message's thread."""
        return [
            m for (c, _), m in self.messages.items() if c == channel and m.get("thread_ts") == ts
        ]

    def ephemeral_texts(self, user: str | None = None) -> list[str]:
        """Texts of ephemeral messages (to one person, if given)."""
        return [
            str(e.get("text", "")) for e in self.ephemerals if user is None or e.get("user") == user
        ]

    # ---- the server ----------------------------------------------------------------------
    def routes(self, app: web.Application) -> None:
        """The Web API and private file downloads."""
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/files-pri/{key}/{name}", self._download)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        body = await request.read()
        kind = request.headers.get("Content-Type", "")
        if body and "json" in kind:
            params.update(json.loads(body))
        elif body:
            params.update(dict(parse_qsl(body.decode())))
        for key in ("blocks", "view", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _team_for(self, token: str) -> Team:
        for team in self.teams.values():
            if token == team.bot_token:
                return team
        raise ApiError("invalid_auth" if token else "not_authed")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = (
            auth.removeprefix("Bearer ").strip()
            if auth.startswith("Bearer")
            else str(params.get("token", ""))
        )
        self.calls_made.append(Call(method, params, token, time.monotonic()))
        self.counts[method] += 1
        waits = self.ratelimits.get(method)
        if waits:
            retry = waits.pop(0)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry)},
            )
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        try:
            if handler is None:
                raise ApiError("unknown_method")
            if method == "oauth.v2.access":
                result = await handler(params, auth)
            else:
                result = await handler(params, self._team_for(token))
        except ApiError as exc:
            return web.json_response({"ok": False, "error": exc.error, **exc.extra})
        return web.json_response({"ok": True, **result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        team_id, _, file_id = request.match_info["key"].partition("-")
        team = self.teams.get(team_id)
        auth = request.headers.get("Authorization", "")
        if team is None or file_id not in team.file_data or auth != f"Bearer {team.bot_token}":
            return web.Response(
                text="<html><body>Sign in to Slack</body></html>", content_type="text/html"
            )
        info = team.files[file_id]
        self.counts["download"] += 1
        return web.Response(body=team.file_data[file_id], content_type=info["mimetype"])

    # ---- validation ----------------------------------------------------------------------
    def _channel(self, team: Team, channel: Any) -> str:
        if not channel or str(channel) not in team.channels:
            raise ApiError("channel_not_found")
        return str(channel)

    async def _check_blocks(self, blocks: Any, limit: int) -> None:
        if blocks is None:
            return
        if not isinstance(blocks, list) or len(blocks) > limit:
            raise ApiError("invalid_blocks", errors=[f"must be a list of at most {limit}"])
        errors = []
        for i, block in enumerate(blocks):
            kind = block.get("type")
            if kind not in {"section", "context", "actions", "image", "divider", "header", "input"}:
                errors.append(f"unknown block type [json-pointer:/blocks/{i}/type]")
            if kind == "section" and len(block.get("text", {}).get("text", "")) > 3000:
                errors.append(f"must be less than 3001 characters [json-pointer:/blocks/{i}]")
            for el in block.get("elements", []) if kind == "actions" else []:
                if el.get("type") == "button" and len(el["text"]["text"]) > 75:
                    errors.append(f"button text too long [json-pointer:/blocks/{i}]")
                if el.get("type") == "checkboxes" and not 0 < len(el["options"]) <= 10:
                    errors.append(f"1 to 10 options [json-pointer:/blocks/{i}]")
            if kind == "image" and not await self._fetchable(block.get("image_url", "")):
                errors.append(f"downloading image failed [json-pointer:/blocks/{i}/image_url]")
        if errors:
            raise ApiError("invalid_blocks", errors=errors)

    @staticmethod
    async def _fetchable(url: str) -> bool:
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as s,
                s.get(url) as response,
            ):
                return response.status == 200 and response.content_type.startswith("image/")
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return False

    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self._clock):06d}"

    # ---- methods -------------------------------------------------------------------------
    async def m_auth_test(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        return {
            "url": f"https://{team.name.lower()}.slack.com/",
            "team": team.name,
            "user": "oneclick",
            "team_id": team.id,
            "user_id": team.bot_user_id,
            "bot_id": team.bot_id,
            "is_enterprise_install": False,
        }

    async def m_chat_postMessage(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        channel = self._channel(team, p.get("channel"))
        if not p.get("text") and not p.get("blocks"):
            raise ApiError("no_text")
        await self._check_blocks(p.get("blocks"), 50)
        if p.get("thread_ts") and (channel, str(p["thread_ts"])) not in self.messages:
            raise ApiError("thread_not_found")
        ts = self._ts()
        message = {
            "type": "message",
            "channel": channel,
            "ts": ts,
            "text": p.get("text", ""),
            "blocks": p.get("blocks") or [],
            "user": team.bot_user_id,
            "bot_id": team.bot_id,
            "team": team.id,
            "edits": 0,
        }
        if p.get("thread_ts"):
            message["thread_ts"] = str(p["thread_ts"])
        self.messages[(channel, ts)] = message
        return {"channel": channel, "ts": ts, "message": message}

    async def m_chat_update(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        channel = self._channel(team, p.get("channel"))
        message = self.messages.get((channel, str(p.get("ts"))))
        if message is None:
            raise ApiError("message_not_found")
        if message["team"] != team.id:
            raise ApiError("cant_update_message")
        await self._check_blocks(p.get("blocks"), 50)
        if "text" in p:
            message["text"] = p["text"]
        if "blocks" in p:
            message["blocks"] = p["blocks"] or []
        message["edits"] += 1
        return {"channel": channel, "ts": message["ts"], "text": message["text"]}

    async def m_chat_postEphemeral(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        channel = self._channel(team, p.get("channel"))
        if str(p.get("user")) not in team.users:
            raise ApiError("user_not_in_channel")
        self.ephemerals.append({"channel": channel, "user": p["user"], "text": p.get("text")})
        return {"message_ts": self._ts()}

    def _view(self, p: dict[str, Any], view_id: str) -> dict[str, Any]:
        view = dict(p["view"])
        if view.get("type") != "modal" or len(view.get("title", {}).get("text", "")) > 24:
            raise ApiError("invalid_arguments")
        if len(view.get("private_metadata", "")) > 3000 or len(view.get("blocks", [])) > 100:
            raise ApiError("invalid_arguments")
        view.update(id=view_id, hash=f"h{next(self._seq)}", state={"values": {}})
        self.views[view_id] = view
        return view

    async def m_views_open(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        issued = self.triggers.pop(str(p.get("trigger_id")), None)
        if issued is None:
            raise ApiError("invalid_trigger_id")
        if time.monotonic() - issued > TRIGGER_TTL:
            raise ApiError("expired_trigger_id")
        view = self._view(p, f"V{next(self._seq):08d}")
        view["team_id"] = team.id
        return {"view": view}

    async def m_views_update(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        view_id = str(p.get("view_id"))
        if view_id not in self.views:
            raise ApiError("not_found")
        return {"view": self._view(p, view_id)}

    async def m_files_info(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        info = team.files.get(str(p.get("file")))
        if info is None:
            raise ApiError("file_not_found")
        return {"file": info}

    async def m_users_info(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        user = team.users.get(str(p.get("user")))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": user}

    async def m_conversations_info(self, p: dict[str, Any], team: Team) -> dict[str, Any]:
        return {"channel": team.channels[self._channel(team, p.get("channel"))]}

    async def m_oauth_v2_access(self, p: dict[str, Any], auth: str) -> dict[str, Any]:
        client_id, client_secret = p.get("client_id"), p.get("client_secret")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            raise ApiError("invalid_client_id")
        found = self.codes.pop(str(p.get("code")), None)
        if found is None:
            raise ApiError("invalid_code")
        team = self.teams[found[0]]
        return {
            "app_id": "A0FAKEAPP",
            "authed_user": {"id": found[1]},
            "scope": "commands,chat:write,files:read",
            "token_type": "bot",
            "access_token": team.bot_token,
            "bot_user_id": team.bot_user_id,
            "team": {"id": team.id, "name": team.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }


@asynccontextmanager
async def running_fake() -> AsyncIterator[FakeSlack]:
    """A fake Slack Web API on a free loopback port."""
    async with FakeSlack().running() as fake:
        yield fake
