"""The web app in-process: httpx over ASGI, each client connecting from an address of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from core.config import Settings
from core.ports.media_store import MediaStore
from tests.support.db import migrated


@asynccontextmanager
async def running_app(
    settings: Settings, *, media: MediaStore | None = None
) -> AsyncIterator[FastAPI]:
    """The app with its lifespan run here: database open, services wired, jobs in-process
    (`media`: another media store than the local one)."""
    from webapp.app import create_app

    await migrated(settings)
    app = create_app(settings, in_process_queue=True, media=media)
    async with app.router.lifespan_context(app):
        yield app


def web_client(
    app: FastAPI, address: str = "198.51.100.10", headers: dict[str, str] | None = None
) -> httpx.AsyncClient:
    """A browser at `address` (the peer address the app sees), talking to the app in-process."""
    transport = httpx.ASGITransport(app=app, client=(address, 50123))
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers or {}, timeout=60.0
    )


def api_client(
    app: FastAPI, key: str | None = None, address: str = "198.51.100.10"
) -> httpx.AsyncClient:
    """A REST API client talking to the app in-process, authenticated when a key is given."""
    return web_client(app, address, {"Authorization": f"Bearer {key}"} if key else None)
