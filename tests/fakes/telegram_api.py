"""A loopback fake of the Telegram Bot API, speaking its real HTTP protocol.

Serves `{base}/bot{token}/{method}` (JSON, urlencoded or multipart bodies, like the real
server) and `{base}/file/bot{token}/{path}`. It records every call, parses real multipart
uploads, enforces the 20 MB getFile limit and the 1,024 caption / 4,096 text limits, can
answer 429 with `parameters.retry_after`, and lets tests push updates as if a user wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import AFTER_EFFECT, after_effect_answer
from tests.support.server import free_port

DOWNLOAD_LIMIT = 20 * 1024 * 1024
CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096


class ApiError(Exception):
    """A Bot API error answer."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class Call:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    at: float


@dataclass
class StoredFile:
    """A file the fake can hand out through getFile."""

    file_id: str
    unique_id: str
    size: int
    data: bytes | None
    path: str


@dataclass
class Upload:
    """Media a bot uploaded to a chat (sendVideo/sendPhoto/sendMediaGroup)."""

    chat_id: str
    message_id: int
    kind: str
    data: bytes
    file_name: str
    caption: str
    media_group_id: str | None = None
    at: float = field(default_factory=time.monotonic)  # when the post appeared


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class FakeTelegram:
    """State of the fake: bot, chats, messages, files, updates and recorded calls."""

    token: str = "123456:TEST-token-for-fake"
    bot_id: int = 123456
    username: str = "oneclick_test_bot"
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    base: str = ""
    # seconds each upload takes, one upload at a time (a post appears when its time is up,
    # even if the client went away meanwhile: the server had the whole request)
    upload_delay: float = 0.0
    _upload_lock: asyncio.Lock | None = None
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _failures: dict[str, list[tuple[int, str, dict[str, Any] | None]]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None
    _after: dict[str, list[str]] = field(default_factory=dict)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    # ---- test controls -------------------------------------------------------------------
    def add_channel(
        self, chat_id: str, title: str, *, admin: bool = True, username: str = ""
    ) -> None:
        """A channel the bot is (or is not) an administrator of."""
        self.channels[chat_id] = {
            "id": int(chat_id),
            "type": "channel",
            "title": title,
            "admin": admin,
            **({"username": username} if username else {}),
        }

    def add_file(self, data: bytes | None, *, name: str, size: int | None = None) -> StoredFile:
        """Register a file users can send; `data=None` with a `size` fakes a huge file."""
        n = next(self._ids)
        stored = StoredFile(
            file_id=f"FILE{n}",
            unique_id=f"U{n}",
            size=size if size is not None else len(data or b""),
            data=data,
            path=f"documents/file_{n}_{name}",
        )
        self.files[stored.file_id] = stored
        return stored

    def fail_next(
        self,
        method: str,
        *,
        code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of a method fail (429 with retry_after by default)."""
        params = {"retry_after": retry_after} if code == 429 else None
        text = description or (
            f"Too Many Requests: retry after {retry_after}" if code == 429 else "Bad Request"
        )
        self._failures.setdefault(method, []).extend([(code, text, params)] * times)

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (or the caller's webhook delivery)."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        if self._changed is not None:
            loop_cond = self._changed

            async def wake() -> None:
                async with loop_cond:
                    loop_cond.notify_all()

            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop().create_task(wake())
        return update

    def user_message(
        self, chat: dict[str, Any], user: dict[str, Any], **content: Any
    ) -> dict[str, Any]:
        """A message from a user in a chat; pushed as an update and returned."""
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **content,
        }
        self.messages[(str(chat["id"]), message["message_id"])] = message
        self.push_update({"message": message})
        return message

    def tap(self, user: dict[str, Any], message: dict[str, Any], data: str) -> dict[str, Any]:
        """A user taps an inline button with this callback data."""
        query = {
            "id": str(next(self._ids)),
            "from": user,
            "chat_instance": "ci",
            "message": message,
            "data": data,
        }
        self.push_update({"callback_query": query})
        return query

    def video_file(self, data: bytes, *, name: str = "clip.mp4") -> dict[str, Any]:
        """A `video` object for a message, backed by a stored file."""
        f = self.add_file(data, name=name)
        return {
            "file_id": f.file_id,
            "file_unique_id": f.unique_id,
            "width": 320,
            "height": 240,
            "duration": 2,
            "mime_type": "video/mp4",
            "file_size": f.size,
            "file_name": name,
        }

    def photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        """A `photo` array (one size) backed by a stored file."""
        f = self.add_file(data, name="photo.jpg")
        return [
            {
                "file_id": f.file_id,
                "file_unique_id": f.unique_id,
                "width": 640,
                "height": 480,
                "file_size": f.size,
            }
        ]

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of one method."""
        return [c for c in self.calls if c.method == method]

    def chat_messages(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Messages the bot sent (or edited) in a chat, in id order."""
        return [
            m
            for (c, _), m in sorted(self.messages.items(), key=lambda kv: kv[0][1])
            if c == str(chat_id) and m.get("from", {}).get("id") == self.bot_id
        ]

    def message(self, chat_id: int | str, message_id: int) -> dict[str, Any]:
        """One stored message as it is now."""
        return self.messages[(str(chat_id), int(message_id))]

    # ---- HTTP --------------------------------------------------------------------------
    def fail_after_effect(self, method: str, fault: str) -> None:
        """The next call of `method` takes effect (the post is made), then fails with
        `fault` (see tests.fakes.loopback.AFTER_EFFECT): a 500, a hang or a hang-up."""
        assert fault in AFTER_EFFECT, fault
        self._after.setdefault(method, []).append(fault)

    async def handle(self, request: web.Request) -> web.Response:
        """One Bot API method call."""
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params, files = await _read_params(request)
        self.calls.append(Call(method, params, files, time.monotonic()))
        queued = self._failures.get(method)
        try:
            if queued:
                code, text, extra = queued.pop(0)
                raise ApiError(code, text, extra)
            handler = getattr(self, "m_" + method, None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params, files)
        except ApiError as exc:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.code)
        answer = web.json_response({"ok": True, "result": result})
        pending = self._after.get(method)
        if not pending:
            return answer
        transport = request.transport
        assert transport is not None
        return await after_effect_answer(
            pending.pop(0),
            answer,
            released=self.released,
            drop=transport.abort,
            error=lambda: web.json_response(
                {"ok": False, "error_code": 500, "description": "Internal Server Error"}, status=500
            ),
        )

    async def download(self, request: web.Request) -> web.StreamResponse:
        """`GET /file/bot<token>/<path>`."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.path == path and stored.data is not None:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    # ---- methods -----------------------------------------------------------------------
    async def m_getMe(self, p: dict[str, Any], f: Any) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "OneClick",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def m_getUpdates(self, p: dict[str, Any], f: Any) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        if self._changed is None:
            self._changed = asyncio.Condition()
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
        return list(self._updates[:100])

    async def m_deleteWebhook(self, p: dict[str, Any], f: Any) -> bool:
        self.webhook = {}
        return True

    async def m_setWebhook(self, p: dict[str, Any], f: Any) -> bool:
        if not str(p.get("url", "")).startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = {"url": p["url"], "secret_token": p.get("secret_token", "")}
        return True

    async def m_getChat(self, p: dict[str, Any], f: Any) -> dict[str, Any]:
        channel = self.channels.get(str(p.get("chat_id")))
        if channel is None:
            raise ApiError(400, "Bad Request: chat not found")
        return {
            **{k: v for k, v in channel.items() if k != "admin"},
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def m_getChatMember(self, p: dict[str, Any], f: Any) -> dict[str, Any]:
        channel = self._channel(p)
        user = {"id": int(p["user_id"]), "is_bot": True, "first_name": "OneClick"}
        if channel is not None and channel["admin"]:
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": False,
                "can_restrict_members": False,
                "can_promote_members": False,
                "can_change_info": False,
                "can_invite_users": True,
                "can_post_messages": True,
                "can_edit_messages": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_send_welcome_messages": False,
            }
        return {"status": "left", "user": user}

    def _channel(self, p: dict[str, Any]) -> dict[str, Any] | None:
        chat_id = str(p.get("chat_id"))
        if chat_id.startswith("@"):
            return next(
                (c for c in self.channels.values() if "@" + c.get("username", "") == chat_id), None
            )
        return self.channels.get(chat_id)

    def _check_target(self, p: dict[str, Any]) -> str:
        chat_id = str(p.get("chat_id"))
        if chat_id.startswith("-100"):
            channel = self._channel(p)
            if channel is None:
                raise ApiError(400, "Bad Request: chat not found")
            if not channel["admin"]:
                raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        return chat_id

    def _store(self, chat_id: str, content: dict[str, Any]) -> dict[str, Any]:
        chat = self.channels.get(chat_id) or {"id": int(chat_id), "type": "private"}
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {k: v for k, v in chat.items() if k != "admin"},
            "from": {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "OneClick",
                "username": self.username,
            },
            **content,
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    @staticmethod
    def _markup(p: dict[str, Any]) -> dict[str, Any]:
        raw = p.get("reply_markup")
        if not raw:
            return {}
        markup = json.loads(raw) if isinstance(raw, str) else raw
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(data.encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        # a sent Message carries only inline keyboards (ForceReply etc. are not echoed)
        return {"reply_markup": markup} if "inline_keyboard" in markup else {}

    async def m_sendMessage(self, p: dict[str, Any], f: Any) -> dict[str, Any]:
        chat_id = self._check_target(p)
        text = str(p.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(_visible(text, p)) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        content: dict[str, Any] = {"text": text, **self._markup(p)}
        if p.get("parse_mode"):
            content["parse_mode_used"] = p["parse_mode"]
        return self._store(chat_id, content)

    async def m_editMessageText(self, p: dict[str, Any], f: Any) -> dict[str, Any]:
        key = (str(p.get("chat_id")), int(p.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        text = str(p.get("text", ""))
        if utf16_len(_visible(text, p)) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(p).get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    async def m_editMessageReplyMarkup(self, p: dict[str, Any], f: Any) -> dict[str, Any]:
        key = (str(p.get("chat_id")), int(p.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = self._markup(p).get("reply_markup")
        if message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    async def m_deleteMessage(self, p: dict[str, Any], f: Any) -> bool:
        key = (str(p.get("chat_id")), int(p.get("message_id") or 0))
        if self.messages.pop(key, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def m_answerCallbackQuery(self, p: dict[str, Any], f: Any) -> bool:
        if len(str(p.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def m_getFile(self, p: dict[str, Any], f: Any) -> dict[str, Any]:
        stored = self.files.get(str(p.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.size > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }

    def _caption(self, p: dict[str, Any]) -> str:
        caption = str(p.get("caption") or "")
        if utf16_len(_visible(caption, p)) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        return caption

    def _media_bytes(
        self, value: Any, files: dict[str, tuple[str, bytes]], field_name: str
    ) -> tuple[str, bytes]:
        if field_name in files:
            return files[field_name]
        if isinstance(value, str) and value.startswith("attach://"):
            name = value.removeprefix("attach://")
            if name not in files:
                raise ApiError(400, f"Bad Request: file {name} not found in the request")
            return files[name]
        if isinstance(value, str) and value in self.files and self.files[value].data:
            return value, self.files[value].data or b""
        raise ApiError(400, "Bad Request: wrong remote file identifier specified")

    async def _upload_time(self) -> None:
        if self.upload_delay:
            self._upload_lock = self._upload_lock or asyncio.Lock()
            async with self._upload_lock:
                await asyncio.sleep(self.upload_delay)

    async def _send_media(
        self, kind: str, p: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        chat_id = self._check_target(p)
        await self._upload_time()
        caption = self._caption(p)
        name, data = self._media_bytes(p.get(kind), files, kind)
        limit = 10 * 1024 * 1024 if kind == "photo" else 50 * 1024 * 1024
        if len(data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        stored = self.add_file(data, name=name or kind)
        media = (
            {
                "photo": [
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.unique_id,
                        "width": 1,
                        "height": 1,
                        "file_size": stored.size,
                    }
                ]
            }
            if kind == "photo"
            else {
                kind: {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "width": 1,
                    "height": 1,
                    "duration": 1,
                    "file_size": stored.size,
                }
            }
        )
        message = self._store(chat_id, {**media, **({"caption": caption} if caption else {})})
        self.uploads.append(Upload(chat_id, message["message_id"], kind, data, name, caption))
        return message

    async def m_sendVideo(
        self, p: dict[str, Any], f: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        return await self._send_media("video", p, f)

    async def m_sendPhoto(
        self, p: dict[str, Any], f: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        return await self._send_media("photo", p, f)

    async def m_sendMediaGroup(
        self, p: dict[str, Any], f: dict[str, tuple[str, bytes]]
    ) -> list[dict[str, Any]]:
        chat_id = self._check_target(p)
        media = json.loads(p.get("media") or "[]")
        if not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the album: must be 2-10")
        await self._upload_time()
        group = str(next(self._ids))
        sent = []
        for item in media:
            caption = self._caption(item)
            name, data = self._media_bytes(item.get("media"), f, "")
            stored = self.add_file(data, name=name or item["type"])
            ref = {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "width": 1,
                "height": 1,
                "file_size": stored.size,
            }
            media_obj = [ref] if item["type"] == "photo" else {**ref, "duration": 1}
            message = self._store(
                chat_id,
                {
                    item["type"]: media_obj,
                    "media_group_id": group,
                    **({"caption": caption} if caption else {}),
                },
            )
            self.uploads.append(
                Upload(chat_id, message["message_id"], item["type"], data, name, caption, group)
            )
            sent.append(message)
        return sent


def _visible(text: str, p: dict[str, Any]) -> str:
    """The text after entity parsing (HTML tags removed) for length checks."""
    if str(p.get("parse_mode", "")).upper() != "HTML":
        return text
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    ctype = request.content_type
    if ctype == "application/json":
        params.update(await request.json())
    elif ctype.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if part.name is None:
                continue
            data = await part.read()  # type: ignore[union-attr]
            if part.filename is not None:  # type: ignore[union-attr]
                files[part.name] = (part.filename, bytes(data))  # type: ignore[union-attr]
            else:
                params[part.name] = bytes(data).decode()
    elif request.can_read_body:
        params.update(dict(await request.post()))
    return params, files


@contextlib.asynccontextmanager
async def running_fake(fake: FakeTelegram | None = None) -> AsyncIterator[FakeTelegram]:
    """Serve a fake Bot API on a free loopback port; `fake.base` is its URL."""
    fake = fake or FakeTelegram()
    fake._changed = asyncio.Condition()
    app = web.Application(client_max_size=200 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", fake.handle)
    app.router.add_get("/file/bot{token}/{path:.+}", fake.download)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    fake.base = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        fake.released.set()
        await runner.cleanup()
