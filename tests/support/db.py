"""Migrated test databases: migrations run once per session into a template, copied per test.

SQLite: the template is a migrated file, copied to each test's path. PostgreSQL: the
template is a migrated database, and each test gets `CREATE DATABASE … TEMPLATE` of it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from core.config import Settings

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
_templates: dict[str, str] = {}  # "sqlite" → template file, "postgres" → template database name


def _pg_dsn(url: str = PG_ADMIN_URL) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def sqlite_path(settings: Settings) -> Path | None:
    """The file of a SQLite database URL (None for other databases or in-memory)."""
    url = settings.database_url
    if not url.startswith("sqlite://"):
        return None
    path = url.removeprefix("sqlite://").split("?", 1)[0]
    return None if path == ":memory:" else Path(path)


async def _sqlite_template(settings: Settings) -> Path:
    """The migrated SQLite template file of this session (made on first use)."""
    if "sqlite" not in _templates:
        from core.db import upgrade

        template = Path(tempfile.mkdtemp(prefix="oneclick-template-")) / "db.sqlite3"
        await upgrade(settings.model_copy(update={"database_url": f"sqlite://{template}"}))
        for companion in ("-wal", "-shm", "-journal"):  # closed cleanly: nothing may remain
            if template.with_name(template.name + companion).exists():
                raise RuntimeError(f"the template database left {companion} behind")
        _templates["sqlite"] = str(template)
    return Path(_templates["sqlite"])


async def migrated(settings: Settings) -> None:
    """Make the settings' database migrated: a new SQLite file starts as a copy of the template.

    An existing database (or PostgreSQL) gets `upgrade`, which is quick when nothing is
    pending, so callers may use this on a database that a fixture already prepared.
    """
    from core.db import upgrade

    target = sqlite_path(settings)
    if target is not None and (not target.exists() or target.stat().st_size == 0):
        template = await _sqlite_template(settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        target.chmod(0o600)
        return
    await upgrade(settings)


async def _connect_admin():  # type: ignore[no-untyped-def]
    import asyncpg

    from tests.conftest import service_unavailable

    try:
        return await asyncpg.connect(_pg_dsn(), timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        service_unavailable("PostgreSQL", str(exc))
        raise  # unreachable: service_unavailable skips or fails


async def _pg_template(settings: Settings) -> str:
    """The name of this session's migrated PostgreSQL template database (made on first use)."""
    if "postgres" not in _templates:
        from core.db import upgrade

        name = f"oneclick_tpl_{uuid.uuid4().hex[:12]}"
        conn = await _connect_admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        _templates["postgres"] = name
        await upgrade(settings.model_copy(update={"database_url": _pg_url(name)}))
    return _templates["postgres"]


async def create_migrated_pg_database(settings: Settings) -> str:
    """A new PostgreSQL database copied from the migrated template; its URL."""
    template = await _pg_template(settings)
    name = f"oneclick_test_{uuid.uuid4().hex[:12]}"
    conn = await _connect_admin()
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    return _pg_url(name)


def drop_templates() -> None:
    """Remove this session's templates (called once, when the session ends)."""
    sqlite = _templates.pop("sqlite", None)
    if sqlite:
        shutil.rmtree(Path(sqlite).parent, ignore_errors=True)
    name = _templates.pop("postgres", None)
    if name:
        asyncio.run(_drop_database(name))


async def _drop_database(name: str) -> None:
    import asyncpg

    try:
        conn = await asyncpg.connect(_pg_dsn(), timeout=10)
    except (OSError, asyncpg.PostgresError):
        return  # the server went away: nothing to clean up there
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


__all__ = ["create_migrated_pg_database", "drop_templates", "migrated", "sqlite_path"]
