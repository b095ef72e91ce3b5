"""Every request body is capped while it streams in (MAX_REQUEST_BYTES; the upload routes
raise the cap for their own request): a form or JSON body can no longer fill memory or the
temporary directory through Starlette's form parser."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.config import Settings
from webapp.upload import BODY_LIMIT_KEY


def _refusal(path: str, accept: str, limit: int) -> tuple[str, bytes]:
    message = f"This request is larger than the {max(limit // 1024, 1):,} KB this page accepts."
    if path.startswith("/api/") or "application/json" in accept:
        return "application/json", json.dumps({"detail": message}).encode()
    page = (
        f"<!doctype html><title>Too large</title><h1>Too large</h1><p>{escape(message)}</p>"
        '<p><a href="/">Back to OneClick Social</a></p>'
    )
    return "text/html; charset=utf-8", page.encode()


class BodyLimit:
    """Pure ASGI middleware: a body over its cap is cut off and answered with 413."""

    def __init__(self, app: ASGIApp, default_limit: int) -> None:
        self.app = app
        self.default_limit = default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a counting `receive`; answer 413 once it overflows."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_length = headers.get(b"content-length", b"")
        declared = int(raw_length) if raw_length.isdigit() else None
        state: dict[str, Any] = {"received": 0, "over": False, "started": False}

        def limit() -> int:
            return int(scope.get(BODY_LIMIT_KEY, self.default_limit))

        async def counted() -> Message:
            if not state["over"] and declared is not None and declared > limit():
                state["over"] = True
            if state["over"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit():
                    state["over"] = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if state["over"]:
                if message["type"] == "http.response.start" and not state["started"]:
                    await refuse()
                return
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send(message)

        async def refuse() -> None:
            state["started"] = True
            content_type, body = _refusal(
                scope.get("path", ""), headers.get(b"accept", b"").decode("latin-1"), limit()
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", content_type.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not state["over"]:
                raise
        if state["over"] and not state["started"]:
            await refuse()


def install_body_limit(app: FastAPI, settings: Settings) -> None:
    """Cap request bodies at MAX_REQUEST_BYTES (uploads set their own, larger cap)."""
    app.add_middleware(BodyLimit, default_limit=settings.max_request_bytes)
