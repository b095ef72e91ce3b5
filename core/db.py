"""Database configuration, start-up and migrations (tortoise's native migrations)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

from core.config import Settings, private_dir, private_file

APP_LABEL = "models"
MODEL_MODULES = ["core.models"]
MIGRATIONS_MODULE = "migrations"
OUTAGE_SECONDS = 60.0  # how long a write holding a platform's answer waits for the database
# SQLSTATEs of a server that is away: connection failures (08…), shutting down or
# restarting after a crash (57P01-57P03), too many connections during a failover
AWAY_SQLSTATES = frozenset(
    {"08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03", "53300"}
)
R = TypeVar("R")
log = logging.getLogger(__name__)


def database_url(settings: Settings) -> str:
    """The connection URL, with SQLite tuned for concurrent readers and a writer."""
    url = settings.database_url
    if url.startswith("sqlite://") and "busy_timeout" not in url:
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        if path != ":memory:":
            private_dir(Path(path).parent, tighten=False)  # may be any folder
            private_file(Path(path))  # 0600 before SQLite writes (its -wal/-shm follow it)
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


def database_away(exc: BaseException) -> bool:
    """Whether an error means the database is away for now (restart, failover, a blink).

    asyncpg's pool then replaces each dead connection on its next use, so running the
    statement again once the server answers is all a caller needs to do.
    """
    seen: BaseException | None = exc
    for _ in range(8):  # the error and what it wraps
        if seen is None:
            return False
        if isinstance(seen, OSError | asyncio.TimeoutError):
            return True  # refused, reset, unreachable
        if getattr(seen, "sqlstate", None) in AWAY_SQLSTATES:
            return True
        if type(seen).__name__ == "InterfaceError" and "closed" in str(seen):
            return True  # asyncpg: "connection is closed"
        seen = seen.__cause__ or seen.__context__
    return False


async def while_away(
    op: Callable[[], Awaitable[R]], *, what: str, give_up_after: float = OUTAGE_SECONDS
) -> R:
    """Run `op`; while the database is away, run it again with backoff (up to a limit)."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + give_up_after, 0.1
    while True:
        try:
            return await op()
        except Exception as exc:
            if not database_away(exc) or loop.time() + pause > deadline:
                raise
            log.warning(
                "database away while %s (%s: %s); trying again in %.1f s",
                what,
                type(exc).__name__,
                exc,
                pause,
            )
        await asyncio.sleep(pause)
        pause = min(pause * 2, 2.0)
