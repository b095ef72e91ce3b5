"""Shared plumbing of the network fakes: an aiohttp server on 127.0.0.1, faults, counters."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Self, TypeVar

from aiohttp import web

from tests.support.server import free_port

#: "apply the effect, then fail" faults of the calls that create a post: answer 500, hang
#: until the client gives up, or close the socket without an answer
AFTER_EFFECT = ("after_effect_500", "after_effect_hang", "after_effect_drop")
A = TypeVar("A")


async def after_effect_answer(
    fault: str,
    answer: A,
    *,
    error: Callable[[], A],
    drop: Callable[[], None],
    released: asyncio.Event,
) -> A:
    """What a fake sends back for a call whose effect it already applied, under `fault`."""
    if fault == "after_effect_500":
        return error()
    if fault == "after_effect_drop":
        drop()
        return answer  # written to a closed socket: the client never sees it
    await released.wait()  # past the client's timeout: released when the fake stops
    return answer


class LoopbackFake:
    """A fake network server: subclasses add routes; tests inject faults and read records."""

    #: (method, path pattern) of the calls that create a post: the after-effect faults hit these
    create_calls: tuple[tuple[str, str], ...] = ()

    def __init__(self) -> None:
        self.base_url = ""
        self.released = asyncio.Event()
        self.faults: dict[str, int] = {}
        self.counts: Counter[str] = Counter()
        self.published: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self._ids = itertools.count(1000)

    # --- the FakeHandle protocol ---------------------------------------------------------

    def posts(self) -> list[dict[str, Any]]:
        """Published posts, oldest first (each has `id` and `text`)."""
        return list(self.published)

    def inject(self, fault: str, times: int = 1) -> None:
        """Make the next `times` calls the fault applies to fail with it."""
        self.faults[fault] = self.faults.get(fault, 0) + times

    def calls(self, kind: str) -> int:
        """How often an endpoint kind was called."""
        return self.counts[kind]

    # --- helpers for subclasses ----------------------------------------------------------

    def take(self, *names: str) -> str | None:
        """Consume one pending fault among `names` (in that order), if any."""
        for name in names:
            if self.faults.get(name):
                self.faults[name] -= 1
                return name
        return None

    def next_id(self) -> int:
        """A fresh numeric id."""
        return next(self._ids)

    def routes(self, app: web.Application) -> None:
        """Add the fake's routes."""
        raise NotImplementedError

    def creates(self, request: web.Request, response: web.StreamResponse) -> bool:
        """Whether this answered call made a post (see `create_calls`)."""
        return response.status < 300 and any(
            request.method == method and re.fullmatch(pattern, request.path)
            for method, pattern in self.create_calls
        )

    def server_error(self) -> web.StreamResponse:
        """The 500 an after-effect fault answers with (subclasses use the platform's body)."""
        return web.json_response(
            {"error": "InternalServerError", "message": "Internal Server Error"}, status=500
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Self]:
        """Serve on a free loopback port; `base_url` is set while running."""

        @web.middleware
        async def log_requests(request: web.Request, handler: Any) -> web.StreamResponse:
            self.requests.append((request.method, request.path))
            return await handler(request)

        @web.middleware
        async def after_effect(request: web.Request, handler: Any) -> web.StreamResponse:
            response = await handler(request)
            fault = self.take(*AFTER_EFFECT) if self.creates(request, response) else None
            if fault is None:
                return response
            transport = request.transport
            return await after_effect_answer(
                fault,
                response,
                error=self.server_error,
                released=self.released,
                drop=transport.abort if transport is not None else _no_socket,
            )

        app = web.Application(
            client_max_size=256 * 1024 * 1024, middlewares=[log_requests, after_effect]
        )
        self.routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self.base_url = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            self.released.set()
            await runner.cleanup()


def _no_socket() -> None:
    raise RuntimeError("the request has no socket to close")
