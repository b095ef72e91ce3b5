"""A throwaway copy of the web app for recording the demo, so no demo data reaches the real one."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn

from core.config import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sandbox_settings(settings: Settings, folder: Path) -> Settings:
    """The settings with their own data dir and SQLite file, no queue server and no bots."""
    data = folder.resolve()
    return settings.model_copy(
        update={
            "data_dir": data,
            "media_dir": data / "media",
            "database_url": f"sqlite://{data}/demo.sqlite3",
            "redis_url": None,
            "telegram_bot_token": None,
            "telegram_webhook_secret": None,
            "slack_bot_token": None,
            "slack_app_token": None,
            "slack_client_id": None,
            "anthropic_api_key": None,
            "secret_key": None,
            "token_encryption_key": None,
            "sweep_interval_seconds": 1.0,
        }
    )


@asynccontextmanager
async def sandbox_app(settings: Settings, folder: Path) -> AsyncIterator[str]:
    """The web app on a free loopback port over a fresh demo database; yields its URL."""
    from core.db import upgrade
    from webapp.app import create_app

    local = sandbox_settings(settings, folder)
    local.ensure_secrets()
    await upgrade(local)
    port = _free_port()
    local.host, local.port = "127.0.0.1", port
    local.public_base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(local, in_process_queue=True),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        else:
            raise RuntimeError("the demo web app did not start")
        yield local.public_base_url
    finally:
        server.should_exit = True
        await task
