"""Shared fixtures: settings on a temp dir, a migrated database (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from tortoise import Tortoise

from core.config import Settings
from core.db import close_db, init_db
from tests.support.db import create_migrated_pg_database, drop_templates, migrated

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def service_unavailable(name: str, reason: str) -> None:
    """Skip with a clear reason, or fail when CI requires the services."""
    message = f"{name} is not reachable ({reason})"
    if REQUIRE_SERVICES:
        pytest.fail(message + " and REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings isolated in a temp dir, with fixed secrets."""
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "media_dir": tmp_path / "data" / "media",
        "database_url": f"sqlite://{tmp_path}/db.sqlite3",
        "secret_key": "test-secret-key-not-for-production",
        "token_encryption_key": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
        "anthropic_api_key": None,
        "telegram_bot_token": None,
        "slack_bot_token": None,
        "redis_url": None,
        "_env_file": None,
    }
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    settings.ensure_secrets()
    return settings


@pytest.fixture(scope="session", autouse=True)
def _database_templates() -> Iterator[None]:
    """The migrated template databases live for the session (made on first use)."""
    yield
    drop_templates()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Real argon2id at a test's cost (8 MiB, one pass): the product's 64 MiB × 3 passes took
    up to a second per sign-up or sign-in on a busy 2-core machine."""
    from argon2 import PasswordHasher

    from core import security

    product = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    yield
    security._hasher = product


@pytest.fixture(scope="session")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated test media (tests/media_factory.py), shared by every media test and by the
    suite's processes (pytest-xdist workers share the run's temp root): each file is made
    once per run."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / "media-lib"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on SQLite in a temp dir."""
    return make_settings(tmp_path)


async def _create_pg_database() -> str:
    import asyncpg

    name = f"oneclick_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(
            PG_ADMIN_URL.replace("postgres://", "postgresql://"), timeout=3
        )
    except (OSError, asyncpg.PostgresError) as exc:
        service_unavailable("PostgreSQL", str(exc))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def _drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def any_db_settings(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Settings]:
    """Settings on a fresh, migrated database of each kind, connections open."""
    pg_url = None
    settings = make_settings(tmp_path)
    if request.param == "postgres":
        pg_url = await create_migrated_pg_database(settings)
        settings = make_settings(tmp_path, database_url=pg_url)
    else:
        await migrated(settings)
    await init_db(settings)
    try:
        yield settings
    finally:
        await close_db()
        if pg_url:
            await _drop_pg_database(pg_url)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """A fresh, migrated SQLite database with connections open."""
    await migrated(settings)
    await init_db(settings)
    try:
        yield settings
    finally:
        await close_db()


@pytest.fixture
def media_dir(tmp_path: Path) -> Iterator[Path]:
    """A scratch directory for generated media."""
    path = tmp_path / "media-src"
    path.mkdir()
    yield path


__all__ = ["Tortoise", "make_settings", "service_unavailable"]
