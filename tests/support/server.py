"""Run the real web app on a free loopback port inside the test's event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import uvicorn
from fastapi import FastAPI

from core.config import Settings
from core.models import User
from core.users import create_api_key, create_user
from tests.support.db import migrated

if TYPE_CHECKING:
    from oneclick.services import Services

STARTUP_DEADLINE = 60.0  # generous: start-up is slow on a busy machine, never wrong


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Served:
    """A live app: its base URL and the app (whose lifespan opened its services)."""

    url: str
    app: FastAPI

    @property
    def services(self) -> Services:
        """The services the app's lifespan opened."""
        services: Services = self.app.state.services
        return services


@asynccontextmanager
async def live_app(settings: Settings) -> AsyncIterator[str]:
    """The app served by uvicorn on 127.0.0.1; yields its base URL."""
    async with serving(settings) as served:
        yield served.url


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[Served]:
    """The app served by uvicorn on 127.0.0.1; yields its URL and the app."""
    from webapp.app import create_app

    await migrated(settings)
    port = free_port()
    settings.public_base_url = f"http://127.0.0.1:{port}"
    app = create_app(settings, in_process_queue=True)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await _started(server, task)
        yield Served(settings.public_base_url, app)
    finally:
        server.should_exit = True
        await task


async def _started(
    server: uvicorn.Server, task: asyncio.Task[None], limit: float = STARTUP_DEADLINE
) -> None:
    """Wait until uvicorn listens (its lifespan ran); its error if it stopped instead."""
    deadline = asyncio.get_running_loop().time() + limit
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started listening")
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the app did not start listening within {limit:.0f} s")
        await asyncio.sleep(0.01)


async def user_with_key(email: str) -> tuple[User, str]:
    """A user and a fresh API key."""
    user = await create_user(email, "correct horse battery", origin="test")
    _, key = await create_api_key(user, name="test", origin="test")
    return user, key


def client(base_url: str, key: str | None = None) -> httpx.AsyncClient:
    """An HTTP client for the live app, authenticated when a key is given."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0)
