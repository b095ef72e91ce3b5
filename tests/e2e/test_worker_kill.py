"""Chaos on Redis Streams and PostgreSQL: workers kill -9'd from outside and crashing at
every step of a publish, database sessions dropped, Redis restarted empty. Every target
still ends published exactly once; nothing is lost."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from core.brands import create_brand
from core.db import close_db, init_db
from core.intake import file_chunks, ingest_media
from core.models import PublishTarget, TargetStatus, WebPost
from core.publishing import create_job
from core.target_states import ENDED
from core.tenancy import BrandScope
from core.users import create_user
from tests.conftest import PG_ADMIN_URL, _drop_pg_database, make_settings
from tests.support.db import create_migrated_pg_database
from tests.support.faults import kill_group as _kill_group
from tests.support.faults import private_redis as _private_redis
from tests.support.faults import spawn as _spawn
from tests.support.faults import wait_redis as _wait_redis
from tests.support.media import make_jpeg
from tests.support.server import free_port

# whole-product stacks of processes: one at a time, beside the rest of the suite
pytestmark = pytest.mark.xdist_group("process-stacks")
TARGETS = 120
KILLS = 6
# each worker SIGKILLs itself (and every task in flight in it) at these steps with these
# chances, on every attempt:
# before the media step, after marking `publishing` but before the platform call, and
# after the platform accepted the post but before our database recorded it; 120 targets
# pass each point at least once: about 5 crashes, none in 1 run in 200 (each crash costs
# a worker restart, so more would make this, the suite's longest test, longer still)
CRASH_POINTS = "before_prepare=0.01,before_publish=0.015,after_publish=0.02"


async def _drop_db_connections(pg_url: str) -> int:
    """Kill every PostgreSQL session of the test database: "the database blinked"."""
    import asyncpg

    name = pg_url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"))
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await conn.close()
    return len(rows)


@pytest.mark.slow
async def test_killed_workers_never_duplicate_or_lose(tmp_path: Path) -> None:
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    redis = _private_redis(redis_port, tmp_path)
    await _wait_redis(redis_url)
    pg_url = await create_migrated_pg_database(make_settings(tmp_path))
    queue = f"oneclick-test-{uuid.uuid4().hex[:8]}"
    settings = make_settings(
        tmp_path,
        database_url=pg_url,
        redis_url=redis_url,
        queue_name=queue,
        publish_lease_seconds=3,
    )
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": redis_url,
        "QUEUE_NAME": queue,
        "PUBLISH_LEASE_SECONDS": "3",
        "SWEEP_INTERVAL_SECONDS": "0.5",
        "QUEUE_TICKET_SECONDS": "3",
        "FAULT_CRASH_POINTS": CRASH_POINTS,
        "DATA_DIR": str(settings.data_dir),
        "MEDIA_DIR": str(settings.media_dir),
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "TOKEN_ENCRYPTION_KEY": settings.token_encryption_key.get_secret_value(),
    }
    env.pop("ANTHROPIC_API_KEY", None)
    log = tmp_path / "processes.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        await init_db(settings)
        owner = await create_user("owner@example.com", "long enough pw", origin="test")
        brand = await create_brand(owner, "Acme")
        photo = make_jpeg(tmp_path / "p.jpg", size="320x240")
        asset = await ingest_media(
            settings,
            brand=brand,
            chunks=file_chunks(photo),
            file_name="p.jpg",
            caption="hi",
            actor=owner,
            origin="test",
        )
        for i in range(TARGETS):
            await create_job(
                BrandScope(owner),
                asset=asset,
                platforms=["web"],
                known_platforms=["web"],
                captions={"web": f"post {i}"},
                origin="test",
            )

        workers = [_spawn(["worker"], env, log) for _ in range(2)]
        procs.extend(workers)
        procs.append(_spawn(["scheduler"], env, log))
        rng = random.Random(7)
        for _ in range(200):  # the outside kills must land while work is in flight
            if await PublishTarget.exclude(status=TargetStatus.PENDING).exists():
                break
            await asyncio.sleep(0.1)
        for kill in range(KILLS):
            await asyncio.sleep(rng.uniform(0.2, 0.8))
            victim = rng.randrange(len(workers))
            _kill_group(workers[victim])
            workers[victim] = _spawn(["worker"], env, log)
            procs.append(workers[victim])
            if kill == 2:
                dropped = await _drop_db_connections(pg_url)
            if kill == 4:  # Redis dies and comes back empty: queued messages are gone
                redis.kill()
                redis.wait()
                await asyncio.sleep(0.5)
                redis = _private_redis(redis_port, tmp_path)
                await _wait_redis(redis_url)
        assert dropped > 0, "no database session was interrupted"

        for _ in range(600):
            statuses = await PublishTarget.all().values_list("status", flat=True)
            if all(TargetStatus(s) in ENDED for s in statuses):
                break
            await asyncio.sleep(0.2)
        statuses = [
            TargetStatus(s) for s in await PublishTarget.all().values_list("status", flat=True)
        ]
        assert len(statuses) == TARGETS
        assert all(s == TargetStatus.PUBLISHED for s in statuses), (
            {s: statuses.count(s) for s in set(statuses)},
            log.read_text()[-3000:],
        )
        posts = await WebPost.all().values_list("target_id", flat=True)
        assert sorted(posts) == sorted(await PublishTarget.all().values_list("id", flat=True))
        for target in await PublishTarget.all():
            assert target.external_id and target.external_url
        self_crashes = log.read_text().count("is dead")
        assert self_crashes > 0, "no worker crashed at a crash point: the test proved nothing"
    finally:
        for proc in procs:
            if proc.poll() is None:
                _kill_group(proc, signal.SIGTERM)
        redis.kill()
        redis.wait()
        await close_db()
        await _drop_pg_database(pg_url)
