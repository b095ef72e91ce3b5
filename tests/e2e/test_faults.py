"""Our own faults cost seconds, never a post: Redis killed and back empty, PostgreSQL crashed
and restarted, a worker SIGKILLed mid-publish, each while photos go to a Telegram channel
(the loopback Bot API, one upload at a time). Every process runs with default settings;
each test starts the servers it breaks and prints how long the fault cost."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from core.brands import create_brand
from core.config import Settings
from core.db import close_db, init_db, upgrade
from core.intake import file_chunks, ingest_media
from core.models import Brand, MediaAsset, PublishTarget, SocialAccount, TargetStatus, User
from core.publishing import create_job
from core.target_states import ENDED
from core.tenancy import BrandScope
from core.users import create_api_key, create_user
from oneclick.bootstrap import open_services
from tests.conftest import _drop_pg_database, make_settings
from tests.fakes.telegram_api import FakeTelegram, running_fake
from tests.support.db import create_migrated_pg_database
from tests.support.faults import (
    PrivatePostgres,
    kill_group,
    private_redis,
    spawn,
    wait_reader,
    wait_redis,
    wait_until,
)
from tests.support.media import make_jpeg, make_mp4
from tests.support.server import free_port

# whole-product stacks of processes: one at a time, beside the rest of the suite
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("process-stacks")]
CHANNEL = "-1001234567890"
UPLOAD_SECONDS = 0.5
LIMIT = 60.0  # the bound: every post and every status within a minute of a fault


@dataclass
class Stack:
    """The product's processes around one brand with a Telegram channel."""

    settings: Settings
    fake: FakeTelegram
    env: dict[str, str]
    log: Path
    owner: User | None = None
    brand: Brand | None = None
    account: SocialAccount | None = None
    photo: MediaAsset | None = None
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """Start `oneclick ARGS`."""
        proc = spawn(list(args), self.env, self.log)
        self.procs.append(proc)
        return proc

    async def job(self, caption: str, asset: MediaAsset | None = None) -> None:
        """A publish job to the channel, left for the sweeper to queue."""
        assert self.owner is not None
        await create_job(
            BrandScope(self.owner),
            asset=asset or self.photo,
            platforms=["telegram"],
            known_platforms=["telegram"],
            captions={"telegram": caption},
            origin="test",
        )

    def alive(self) -> list[int | None]:
        """Exit codes of the processes (None: still running)."""
        return [p.poll() for p in self.procs]

    def listeners_started(self) -> int:
        """How many worker processes began reading (a restarted one counts again)."""
        return self.log.read_text(errors="replace").count("Listening started")


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """A private Redis, the fake Bot API, and a database (the test picks which)."""
    async with running_fake(FakeTelegram(upload_delay=UPLOAD_SECONDS)) as fake:
        fake.add_channel(CHANNEL, "Acme channel")
        yield Stack(
            settings=make_settings(tmp_path), fake=fake, env={}, log=tmp_path / "processes.log"
        )


async def _open(stack: Stack, tmp_path: Path, database_url: str) -> str:
    """Redis up, schema migrated, brand and channel seeded; returns the Redis URL."""
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    stack.procs.append(private_redis(redis_port, tmp_path))
    await wait_redis(redis_url)
    settings = make_settings(
        tmp_path,
        database_url=database_url,
        redis_url=redis_url,
        queue_name=f"oneclick-faults-{uuid.uuid4().hex[:8]}",
        telegram_bot_token=stack.fake.token,
        telegram_api_base=stack.fake.base,
    )
    stack.settings = settings
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PUBLISH_", "SWEEP_", "QUEUE_", "WORKER_", "FAULT_"))
    }
    env.pop("ANTHROPIC_API_KEY", None)
    stack.env = {
        **env,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "QUEUE_NAME": settings.queue_name,
        "DATA_DIR": str(settings.data_dir),
        "MEDIA_DIR": str(settings.media_dir),
        "SECRET_KEY": settings.secret_key.get_secret_value(),  # type: ignore[union-attr]
        "TOKEN_ENCRYPTION_KEY": settings.token_encryption_key.get_secret_value(),  # type: ignore[union-attr]
        "TELEGRAM_BOT_TOKEN": stack.fake.token,
        "TELEGRAM_API_BASE": stack.fake.base,
    }
    await upgrade(settings)
    await init_db(settings)
    stack.owner = await create_user("owner@example.com", "long enough pw", origin="test")
    brand = stack.brand = await create_brand(stack.owner, "Acme")
    async with open_services(settings, database=False) as services:
        stack.account = await services.connectors.get("telegram").connect(
            brand, {"chat_id": CHANNEL}
        )
    stack.photo = await ingest_media(
        settings,
        brand=brand,
        chunks=file_chunks(make_jpeg(tmp_path / "p.jpg")),
        file_name="p.jpg",
        caption="hi",
        actor=stack.owner,
        origin="test",
    )
    return redis_url


async def _statuses() -> list[TargetStatus]:
    return [TargetStatus(s) for s in await PublishTarget.all().values_list("status", flat=True)]


async def _all_ended(count: int) -> bool:
    statuses = await _statuses()
    return len(statuses) == count and all(s in ENDED for s in statuses)


async def _settle(stack: Stack, count: int, fault_at: float) -> tuple[float, float]:
    """Wait until every target ended; (seconds from the fault to the last post, to the
    last target ending)."""
    await wait_until(lambda: _all_ended(count), what="every target to end", limit=180.0)
    ended = time.monotonic() - fault_at
    last_post = max(u.at for u in stack.fake.uploads) - fault_at
    print(
        f"\nfault → last post {last_post:.1f} s, → last status ended {ended:.1f} s; "
        f"{Counter(await _statuses())}"
    )
    return last_post, ended


def _posts(stack: Stack) -> Counter[str]:
    return Counter(u.caption for u in stack.fake.uploads)


async def _teardown(stack: Stack) -> None:
    for proc in stack.procs:
        if proc.poll() is None:
            try:
                kill_group(proc, signal.SIGTERM)
            except Exception:  # noqa: BLE001 - stop the others all the same
                kill_group(proc)
    await close_db()


async def test_redis_killed_and_back_empty(stack: Stack, tmp_path: Path) -> None:
    pg_url = await create_migrated_pg_database(make_settings(tmp_path))  # _open: no-op upgrade
    try:
        redis_url = await _open(stack, tmp_path, pg_url)
        assert stack.owner is not None and stack.photo is not None
        _, key = await create_api_key(stack.owner, name="faults", origin="test")
        port = free_port()
        stack.env.update(PORT=str(port), PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
        stack.start("web")
        stack.start("worker")
        stack.start("scheduler")
        redis = stack.procs[0]
        await wait_reader(redis_url)
        api = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )

        async def publish(caption: str) -> None:
            answer = await api.post(
                f"/api/v1/assets/{stack.photo.id}/publish",  # type: ignore[union-attr]
                json={"platforms": ["telegram"], "captions": {"telegram": caption}},
            )
            assert answer.status_code == 202, answer.text

        async def web_up() -> bool:
            return (await api.get("/healthz")).status_code in (200, 503)

        await wait_until(web_up, what="the web app")
        for i in range(12):
            await publish(f"first {i}")
        await wait_until(lambda: _count(stack, 2), what="two posts")
        redis.kill()  # SIGKILL: without persistence it comes back empty
        fault_at = time.monotonic()
        redis.wait()
        for i in range(2):  # accepted while Redis is away: queued once it answers
            await publish(f"while away {i}")
        stack.procs[0] = private_redis(int(redis_url.rsplit(":", 1)[1].split("/")[0]), tmp_path)
        await wait_redis(redis_url)
        for i in range(10):  # right after the restart, before the worker is back reading
            await publish(f"second {i}")
        await api.aclose()

        last_post, ended = await _settle(stack, 24, fault_at)
        assert await _statuses() == [TargetStatus.PUBLISHED] * 24
        assert _posts(stack) == Counter(
            [f"first {i}" for i in range(12)]
            + [f"while away {i}" for i in range(2)]
            + [f"second {i}" for i in range(10)]
        )
        assert last_post < LIMIT and ended < LIMIT
        assert stack.alive() == [None] * len(stack.procs), stack.log.read_text()[-3000:]
        assert stack.listeners_started() == 1, "the worker process was restarted"
    finally:
        await _teardown(stack)
        await _drop_pg_database(pg_url)


async def test_postgres_crash_keeps_the_platforms_answers(stack: Stack, tmp_path: Path) -> None:
    pg = PrivatePostgres()
    try:
        await pg.create()
        redis_url = await _open(stack, tmp_path, pg.url)
        for i in range(12):
            await stack.job(f"post {i}")
        stack.start("worker")
        stack.start("scheduler")
        await wait_reader(redis_url)
        await wait_until(lambda: _count(stack, 5), what="five posts")
        pg.crash()
        fault_at = time.monotonic()
        await asyncio.sleep(2.0)  # the database is away for two seconds
        pg.start()

        last_post, ended = await _settle(stack, 12, fault_at)
        assert await _statuses() == [TargetStatus.PUBLISHED] * 12
        assert _posts(stack) == Counter(f"post {i}" for i in range(12))
        assert last_post < LIMIT and ended < LIMIT
        assert stack.alive() == [None] * len(stack.procs), stack.log.read_text()[-3000:]
        assert stack.listeners_started() == 1, "the worker process was restarted"
    finally:
        await _teardown(stack)
        pg.remove()


async def test_worker_killed_mid_publish(stack: Stack, tmp_path: Path) -> None:
    pg_url = await create_migrated_pg_database(make_settings(tmp_path))  # _open: no-op upgrade
    try:
        redis_url = await _open(stack, tmp_path, pg_url)
        assert stack.owner is not None
        assert stack.brand is not None
        # 1080p is more than Telegram's 1280 px: the worker transcodes it before sending
        video = await ingest_media(
            stack.settings,
            brand=stack.brand,
            chunks=file_chunks(make_mp4(tmp_path / "v.mp4", seconds=8.0, size="1920x1080")),
            file_name="v.mp4",
            caption="clip",
            actor=stack.owner,
            origin="test",
        )
        await stack.job("the video", video)
        for i in range(8):
            await stack.job(f"post {i}")
        workers = [stack.start("worker"), stack.start("worker")]
        await wait_reader(redis_url, readers=2)
        stack.start("scheduler")
        transcoding: list[subprocess.Popen[bytes]] = []

        async def video_transcoding() -> bool:
            target = await PublishTarget.get(job__asset_id=video.id)
            transcoding[:] = [w for w in workers if _runs(w, "ffmpeg")]
            return target.status == TargetStatus.PREPARING and bool(transcoding)

        await wait_until(video_transcoding, what="a worker transcoding the video", every=0.02)
        doomed = transcoding[0]
        kill_group(doomed)  # SIGKILL, with everything it runs (ffmpeg too)
        fault_at = time.monotonic()
        before = {t.id: t for t in await PublishTarget.all()}
        never_sent = [t.id for t in before.values() if t.publish_started_at is None]
        assert never_sent, "the video was not being prepared when its worker died"

        last_post, ended = await _settle(stack, 9, fault_at)
        after = {t.id: t for t in await PublishTarget.all()}
        posts = _posts(stack)
        assert max(posts.values()) == 1, posts  # nothing twice
        for target_id in never_sent:  # never sent: simply published by the survivor
            assert after[target_id].status == TargetStatus.PUBLISHED
            assert posts[after[target_id].caption] == 1
        for target in after.values():
            # mid-send on Telegram (no history to look in): unknown, for a person to check
            assert target.status in (TargetStatus.PUBLISHED, TargetStatus.UNKNOWN), target
            if target.status == TargetStatus.UNKNOWN:
                assert before[target.id].publish_started_at is not None
        assert last_post < LIMIT and ended < LIMIT
        assert doomed.poll() is not None
        assert [p.poll() for p in stack.procs if p is not doomed] == [None] * (len(stack.procs) - 1)
    finally:
        await _teardown(stack)
        await _drop_pg_database(pg_url)


async def _count(stack: Stack, posts: int) -> bool:
    return len(stack.fake.uploads) >= posts


def _runs(proc: subprocess.Popen[bytes], name: str) -> bool:
    """Whether a program called `name` runs in the process group of `proc`."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # it ended meanwhile
        comm, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        if name in comm and int(rest.split()[2]) == proc.pid:
            return True
    return False
