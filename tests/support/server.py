"""Run the real web app on a free loopback port inside the test's event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn

from core.config import Settings
from core.models import User
from core.users import create_api_key, create_user
from tests.support.db import migrated


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def live_app(settings: Settings) -> AsyncIterator[str]:
    """The app served by uvicorn on 127.0.0.1; yields its base URL."""
    from webapp.app import create_app

    await migrated(settings)
    port = free_port()
    settings.public_base_url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(create_app(settings, in_process_queue=True), host="127.0.0.1",
                            port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield settings.public_base_url
    finally:
        server.should_exit = True
        await task


async def user_with_key(email: str) -> tuple[User, str]:
    """A user and a fresh API key."""
    user = await create_user(email, "correct horse battery", origin="test")
    _, key = await create_api_key(user, name="test", origin="test")
    return user, key


def client(base_url: str, key: str | None = None) -> httpx.AsyncClient:
    """An HTTP client for the live app, authenticated when a key is given."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0)
