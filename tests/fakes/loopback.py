"""Shared plumbing of the network fakes: an aiohttp server on 127.0.0.1, faults, counters."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Self

from aiohttp import web

from tests.support.server import free_port


class LoopbackFake:
    """A fake network server: subclasses add routes; tests inject faults and read records."""

    def __init__(self) -> None:
        self.base_url = ""
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

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Self]:
        """Serve on a free loopback port; `base_url` is set while running."""

        @web.middleware
        async def log_requests(request: web.Request, handler: Any) -> web.StreamResponse:
            self.requests.append((request.method, request.path))
            return await handler(request)

        app = web.Application(client_max_size=256 * 1024 * 1024, middlewares=[log_requests])
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
            await runner.cleanup()
