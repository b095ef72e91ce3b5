"""kill -9 workers mid-publish, many times, on Redis Streams and PostgreSQL: every target
ends published exactly once (or honestly failed), nothing is lost."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
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
from tests.conftest import (
    REDIS_TEST_URL,
    _create_pg_database,
    _drop_pg_database,
    make_settings,
    service_unavailable,
)
from tests.support.media import make_jpeg

TARGETS = 120
KILLS = 6
# each worker SIGKILLs itself (and every task in flight in it) at these steps with these
# chances, on every attempt:
# before the media step, after marking `publishing` but before the platform call, and
# after the platform accepted the post but before our database recorded it
CRASH_POINTS = "before_prepare=0.005,before_publish=0.01,after_publish=0.015"


async def _redis_or_skip() -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        service_unavailable("Redis", str(exc))
    finally:
        await client.aclose()


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "oneclick", *args], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


@pytest.mark.slow
async def test_killed_workers_never_duplicate_or_lose(tmp_path: Path) -> None:
    await _redis_or_skip()
    pg_url = await _create_pg_database()
    queue = f"oneclick-test-{uuid.uuid4().hex[:8]}"
    settings = make_settings(tmp_path, database_url=pg_url, redis_url=REDIS_TEST_URL,
                             queue_name=queue, publish_lease_seconds=3)
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": REDIS_TEST_URL,
           "QUEUE_NAME": queue, "PUBLISH_LEASE_SECONDS": "3", "SWEEP_INTERVAL_SECONDS": "0.5",
           "FAULT_CRASH_POINTS": CRASH_POINTS,
           "DATA_DIR": str(settings.data_dir), "MEDIA_DIR": str(settings.media_dir),
           "SECRET_KEY": settings.secret_key.get_secret_value(),
           "TOKEN_ENCRYPTION_KEY": settings.token_encryption_key.get_secret_value()}
    env.pop("ANTHROPIC_API_KEY", None)
    log = tmp_path / "processes.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        upgrade = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "oneclick", "db", "upgrade", env=env)
        assert await upgrade.wait() == 0
        await init_db(settings)
        owner = await create_user("owner@example.com", "long enough pw", origin="test")
        brand = await create_brand(owner, "Acme")
        photo = make_jpeg(tmp_path / "p.jpg", size="320x240")
        asset = await ingest_media(settings, brand=brand, chunks=file_chunks(photo),
                                   file_name="p.jpg", caption="hi", actor=owner, origin="test")
        for i in range(TARGETS):
            await create_job(BrandScope(owner), asset=asset, platforms=["web"],
                             known_platforms=["web"], captions={"web": f"post {i}"},
                             origin="test")

        workers = [_spawn(["worker"], env, log) for _ in range(2)]
        procs.extend(workers)
        procs.append(_spawn(["scheduler"], env, log))
        rng = random.Random(7)
        for _ in range(200):  # the outside kills must land while work is in flight
            if await PublishTarget.exclude(status=TargetStatus.PENDING).exists():
                break
            await asyncio.sleep(0.1)
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.2, 0.8))
            victim = rng.randrange(len(workers))
            _kill_group(workers[victim])
            workers[victim] = _spawn(["worker"], env, log)
            procs.append(workers[victim])

        for _ in range(600):
            statuses = await PublishTarget.all().values_list("status", flat=True)
            if all(TargetStatus(s) in ENDED for s in statuses):
                break
            await asyncio.sleep(0.2)
        statuses = [TargetStatus(s) for s in
                    await PublishTarget.all().values_list("status", flat=True)]
        assert len(statuses) == TARGETS
        assert all(s == TargetStatus.PUBLISHED for s in statuses), (
            {s: statuses.count(s) for s in set(statuses)}, log.read_text()[-3000:])
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
        await close_db()
        await _drop_pg_database(pg_url)
        from redis.asyncio import Redis

        client = Redis.from_url(REDIS_TEST_URL)
        await client.delete(queue)
        await client.aclose()
