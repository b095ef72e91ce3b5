"""Database configuration, start-up and migrations (tortoise's native migrations)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

from core.config import Settings

APP_LABEL = "models"
MODEL_MODULES = ["core.models"]
MIGRATIONS_MODULE = "migrations"


def database_url(settings: Settings) -> str:
    """The connection URL, with SQLite tuned for concurrent readers and a writer."""
    url = settings.database_url
    if url.startswith("sqlite://") and "busy_timeout" not in url:
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        url += ("&" if "?" in url else "?") + "busy_timeout=10000&synchronous=NORMAL"
    elif url.startswith(("postgres://", "asyncpg://")) and "maxsize" not in url:
        # a worker keeps ~100 publishes in flight: 5 pooled connections (the default) starve it
        url += ("&" if "?" in url else "?") + "maxsize=20"
    return url


async def _keep_session(connection: Any) -> None:
    """Pool release without asyncpg's default `RESET ALL; UNLISTEN *; …` round trip.

    We never change session settings, LISTEN or take session advisory locks on pooled
    connections, and asyncpg still rolls back an open transaction before this runs; the
    default reset doubled the round trips of every short query on the publish path.
    """


def connection_config(settings: Settings) -> str | dict[str, Any]:
    """The `default` connection: a URL, or for PostgreSQL a dict carrying the pool options."""
    url = database_url(settings)
    if not url.startswith(("postgres://", "asyncpg://")):
        return url
    config = expand_db_url(url)
    config["credentials"]["reset"] = _keep_session
    return config


def tortoise_config(settings: Settings) -> dict[str, Any]:
    """The tortoise config dict for these settings."""
    return {
        "connections": {"default": connection_config(settings)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(settings: Settings) -> None:
    """Open the connections, visible to every task of the process."""
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_db() -> None:
    """Close every connection and forget the model registry (a later init may differ)."""
    await Tortoise.close_connections()
    await Tortoise._reset_apps()
    # tortoise caches compiled INSERTs per connection *name*, not per dialect: a later
    # init on another database kind (tests run SQLite and PostgreSQL) must not reuse them.
    EXECUTOR_CACHE.clear()


async def upgrade(settings: Settings) -> None:
    """Apply every migration not yet applied.

    Runs in its own task: tortoise keeps its state in a ContextVar, and the migration
    run must not leave a closed context behind in the caller's task.
    """

    async def apply() -> None:
        await run_migrations(config=tortoise_config(settings))
        await close_db()

    await asyncio.create_task(apply())


async def ping() -> bool:
    """Whether the database answers a trivial query."""
    from tortoise import connections

    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    return True
