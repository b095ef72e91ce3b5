"""Fan-out load: 1,000 targets across 50 brands to a loopback Mastodon-API fake with 100 ms
latency per request, on PostgreSQL and Redis Streams, with 1 and 2 worker processes.

A Publish in this product fans out: each brand connects several accounts and one job has a
target per account. By default each brand has 5 accounts (standing in for its networks)
and each job 5 targets; `--per-job 1` measures one-target jobs.

Prints throughput (overall and steady state), p50/p95 from Publish to all targets ended,
peak requests in flight at the platform per worker, duplicates found on the platform (must
be 0), lost and retried targets, database statements per target, and the CPU each party
spent per target (workers, PostgreSQL, Redis, the bench with the fake platform): the
workers' figure gives what one worker does on a core of its own, which a 2-core machine
running everything cannot show directly. `BENCH_WORKER_CPUS=1` pins the workers to core 1
(start the bench with `taskset -c 0`, and PostgreSQL there too, to give them that core).

    .venv/bin/python bench/fanout.py [--targets 1000] [--brands 50] [--per-job 5]
                                     [--latency 0.1] [--workers 1 2]
Needs PostgreSQL (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test) and a
`redis-server` binary (a private server is started on a free port).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from tests.fakes.mastodon_api import FakeMastodon  # noqa: E402
from tests.support.server import free_port  # noqa: E402

PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


class SlowMastodon(FakeMastodon):
    """The Mastodon fake, every request delayed like a distant platform; counts concurrency."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency
        self.in_flight = 0
        self.peak = 0
        self.status_posts: Counter[str] = Counter()

    def routes(self, app: web.Application) -> None:
        """Mastodon's routes behind a latency middleware."""

        @web.middleware
        async def slow(request: web.Request, handler: Any) -> web.StreamResponse:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                await asyncio.sleep(self.latency)
                if request.path == "/api/v1/statuses":
                    self.status_posts[request.headers.get("Idempotency-Key", "")] += 1
                return await handler(request)
            finally:
                self.in_flight -= 1

        app.middlewares.append(slow)
        super().routes(app)


class CpuMeter:
    """CPU seconds spent by each party between `start` and `stop` (Linux /proc)."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, worker_manager: int, redis: int) -> None:
        self.worker_manager, self.redis = worker_manager, redis
        self.before: dict[str, dict[int, float]] = {}
        self.spent: dict[str, float] = {}
        self.busy_fraction = float("nan")

    @classmethod
    def _pid_seconds(cls, pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / cls.TICK  # utime + stime

    def _parties(self) -> dict[str, list[int]]:
        children = Path(f"/proc/{self.worker_manager}/task/{self.worker_manager}/children")
        workers = [int(p) for p in children.read_text().split()] if children.exists() else []
        postgres = [
            int(p.parent.name)
            for p in Path("/proc").glob("[0-9]*/comm")
            if p.exists() and p.read_text().strip() == "postgres"
        ]
        return {
            "workers": workers,
            "postgres": postgres,
            "redis": [self.redis],
            "bench+fake platform": [os.getpid()],
        }

    @staticmethod
    def _machine() -> tuple[float, float]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    def start(self) -> None:
        """Remember where every party's CPU clock stands."""
        self.machine = self._machine()
        self.before = {
            party: {pid: self._pid_seconds(pid) for pid in pids}
            for party, pids in self._parties().items()
        }

    def stop(self) -> None:
        """CPU seconds each party spent since `start`."""
        busy, total = self._machine()
        self.busy_fraction = (busy - self.machine[0]) / max(total - self.machine[1], 1)
        for party, pids in self._parties().items():
            seen = self.before.get(party, {})
            self.spent[party] = sum(self._pid_seconds(pid) - seen.get(pid, 0.0) for pid in pids)


async def _create_db() -> str:
    import asyncpg

    name = f"oneclick_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG_ADMIN.replace("postgres://", "postgresql://"))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


async def _drop_db(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN.replace("postgres://", "postgresql://"))
    await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await conn.close()


async def run_once(
    *, targets: int, brands: int, per_job: int, latency: float, workers: int
) -> dict[str, Any]:
    """One measured run in a fresh database, queue and platform."""
    tmp = Path(tempfile.mkdtemp(prefix="oneclick-bench-"))
    redis_port = free_port()
    redis = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(redis_port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pg_url = await _create_db()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}",
        "QUEUE_NAME": "bench",
        "DATA_DIR": str(tmp / "data"),
        "MEDIA_DIR": str(tmp / "data" / "media"),
        # the test-only outbound settings: the loopback fake Mastodon is reachable
        "OUTBOUND_ALLOW_HTTP": "true",
        "OUTBOUND_ALLOW_HOSTS": "127.0.0.1",
        "SWEEP_INTERVAL_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("ANTHROPIC_API_KEY", None)
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "REDIS_URL",
                "QUEUE_NAME",
                "DATA_DIR",
                "MEDIA_DIR",
                "OUTBOUND_ALLOW_HTTP",
                "OUTBOUND_ALLOW_HOSTS",
            )
        }
    )
    procs: list[subprocess.Popen[bytes]] = []
    fake = SlowMastodon(latency)
    try:
        subprocess.run(
            [sys.executable, "-m", "oneclick", "db", "upgrade"],
            env=env,
            check=True,
            cwd=tmp,
            capture_output=True,
        )
        from core.config import Settings
        from oneclick.bootstrap import open_services

        settings = Settings()
        settings.ensure_secrets()
        closing = contextlib.AsyncExitStack()
        services = await closing.enter_async_context(open_services(settings))
        async with fake.running():
            jobs = await _seed(
                settings, services, fake, targets=targets, brands=brands, per_job=per_job, tmp=tmp
            )
            worker_log = open(os.environ.get("BENCH_WORKER_LOG", os.devnull), "w")
            pin = os.environ.get("BENCH_WORKER_CPUS")  # e.g. "1": workers on a core of their own
            procs.append(
                subprocess.Popen(
                    (["taskset", "-c", pin] if pin else [])
                    + [sys.executable, "-m", "oneclick", "worker", "--workers", str(workers)],
                    env={**env, "LOG_LEVEL": os.environ.get("BENCH_WORKER_LOG_LEVEL", "WARNING")},
                    cwd=tmp,
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                )
            )
            await _wait_for_listeners(env["REDIS_URL"], workers)
            cpu = CpuMeter(procs[0].pid, redis.pid)
            result = await _publish_and_wait(
                services,
                jobs,
                targets=targets,
                cpu=cpu,
                start_scheduler=lambda: procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "oneclick", "scheduler"],
                        env=env,
                        cwd=tmp,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                ),
            )
            result["cpu_ms_per_target"] = {
                party: seconds * 1000 / targets for party, seconds in cpu.spent.items()
            }
            result["machine_busy"] = cpu.busy_fraction
            result["peak_in_flight_per_worker"] = fake.peak / workers
            result["duplicates"] = sum(
                max(0, n - 1)
                for n in Counter(p["idempotency_key"] for p in fake.published).values()
            )
            result["repeated_status_calls"] = sum(max(0, n - 1) for n in fake.status_posts.values())
        await closing.aclose()
        return result
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()  # a worker still finishing work past its grace period
                proc.wait()
        redis.terminate()
        redis.wait()
        await _drop_db(pg_url)
        shutil.rmtree(tmp, ignore_errors=True)


async def _wait_for_listeners(redis_url: str, workers: int) -> None:
    """Start the clock only when every worker process listens on the stream."""
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        for _ in range(1200):
            # a worker blocked in XREADGROUP is listening (Redis 7 lists a consumer in
            # XINFO only once it has been handed a message, so ask CLIENT LIST instead)
            clients = await client.client_list()
            if sum(1 for c in clients if c.get("cmd") == "xreadgroup") >= workers:
                return
            await asyncio.sleep(0.1)
    finally:
        await client.aclose()


async def _seed(
    settings: Any,
    services: Any,
    fake: SlowMastodon,
    *,
    targets: int,
    brands: int,
    per_job: int,
    tmp: Path,
) -> list[tuple[Any, Any]]:
    from core.brands import create_brand
    from core.intake import file_chunks, ingest_media
    from core.models import BrandMember, Role, SocialAccount
    from core.users import create_user
    from tests.support.media import make_jpeg

    owner = await create_user("bench@example.com", "long enough password", origin="bench")
    photo = make_jpeg(tmp / "photo.jpg", size="320x320")
    work = []
    for b in range(brands):
        brand = await create_brand(owner, f"Brand {b}")
        assert await BrandMember.exists(brand=brand, user=owner, role=Role.OWNER)
        for a in range(per_job):
            token = f"token-{b}-{a}"
            fake.tokens.add(token)
            await SocialAccount.create(
                brand=brand,
                platform="mastodon",
                external_id=f"{b}-{a}@fake",
                display_name=f"@b{b}a{a}",
                access_token_enc=services.cipher.encrypt(token),
                meta={"server": fake.base_url, "account_id": f"{b}{a:02d}", "acct": f"b{b}a{a}"},
            )
        asset = await ingest_media(
            settings,
            brand=brand,
            chunks=file_chunks(photo),
            file_name="photo.jpg",
            caption=f"Brand {b} news",
            actor=owner,
            origin="bench",
        )
        work.append((owner, asset))
    jobs_per_brand = targets // brands // per_job
    return [w for w in work for _ in range(jobs_per_brand)]


async def _commits() -> int:
    """Transactions committed in the bench database so far (one per autocommit statement)."""
    from tortoise import connections

    await asyncio.sleep(0.6)  # PostgreSQL publishes its statistics every 500 ms
    rows = await connections.get("default").execute_query_dict(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
    )
    return int(rows[0]["xact_commit"])


async def _publish_and_wait(
    services: Any, jobs: list[tuple[Any, Any]], *, targets: int, cpu: CpuMeter, start_scheduler: Any
) -> dict[str, Any]:
    from core.models import AuditLog, PublishTarget
    from core.publishing import create_job
    from core.target_states import ENDED
    from core.tenancy import BrandScope

    # the publish requests are written first (the API's work, not the workers'); the clock
    # starts when they are all released to the queue at once, like a burst of Publish taps
    job_ids = []
    for i, (owner, asset) in enumerate(jobs):
        job, _ = await create_job(
            BrandScope(owner),
            asset=asset,
            platforms=["mastodon"],
            known_platforms=["mastodon", "web"],
            captions={"mastodon": f"Post {i}"},
            origin="bench",
        )
        job_ids.append(job.id)
    commits = await _commits()
    cpu.start()
    started = time.monotonic()
    released: dict[int, datetime] = {}

    async def release(job_id: int) -> None:
        async with taps:
            await services.queue.start_job(job_id)
            released[job_id] = datetime.now(UTC)

    taps = asyncio.Semaphore(20)  # many people tapping Publish at once, as an API sees it
    await asyncio.gather(*(release(job_id) for job_id in job_ids))
    enqueued = time.monotonic()
    start_scheduler()  # the safety net for lost messages runs during the measurement
    ended = [s.value for s in ENDED]
    # a light poll (one count) so the bench does not compete with the workers for CPU;
    # each job's end time is read afterwards from its targets' last state change
    while time.monotonic() - started < 600:
        if await PublishTarget.filter(status__in=ended).count() >= targets:
            break
        await asyncio.sleep(0.2)
    finished = time.monotonic()
    cpu.stop()
    commits = await _commits() - commits
    statuses = Counter(await PublishTarget.all().values_list("status", flat=True))
    retried = await PublishTarget.filter(attempts__gt=1).count()
    audit_errors = Counter(
        row["details"].get("error", "")[:80]
        for row in await AuditLog.filter(action="target.retry_wait").values("details")
    )
    last_change: dict[int, datetime] = {}
    ends = []
    for row in await PublishTarget.filter(status__in=ended).values("job_id", "updated_at"):
        ends.append(row["updated_at"])
        last_change[row["job_id"]] = max(
            row["updated_at"], last_change.get(row["job_id"], row["updated_at"])
        )
    ends.sort()
    # steady state: the middle 80 % of the targets' ends, without the ramp-up (the first
    # answers need two platform round trips) and the tail
    steady = float("nan")
    if len(ends) >= 10:
        low, high = ends[len(ends) // 10], ends[len(ends) * 9 // 10 - 1]
        if high > low:
            steady = len(ends) * 0.8 / (high - low).total_seconds()
    latencies = sorted((last_change[j] - released[j]).total_seconds() for j in last_change)
    last_end = max(last_change.values(), default=None)
    first = min(released.values())
    wall = (last_end - first).total_seconds() if last_end else finished - started
    return {
        "targets": targets,
        "published": statuses.get("published", 0),
        "lost": targets
        - sum(statuses.values())
        + sum(n for s, n in statuses.items() if s not in ("published", "failed")),
        "failed": statuses.get("failed", 0),
        "db_commits_per_target": commits / targets,
        "retried": retried,
        "retry_reasons": dict(audit_errors.most_common(3)),
        "enqueue_seconds": enqueued - started,
        "wall_seconds": wall,
        "throughput": sum(statuses.get(s, 0) for s in ended) / wall if wall > 0 else 0.0,
        "steady_throughput": steady,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan"),
    }


def main() -> None:
    """Run the bench for each worker count and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--brands", type=int, default=50)
    parser.add_argument("--per-job", type=int, default=5, help="targets per job")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:  # one run, in its own process: the queue client is bound to one Redis
        r = asyncio.run(
            run_once(
                targets=args.targets,
                brands=args.brands,
                per_job=args.per_job,
                latency=args.latency,
                workers=args.workers[0],
            )
        )
        print("RESULT " + json.dumps(r))
        return
    results = {}
    for workers in args.workers:
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--json",
                "--targets",
                str(args.targets),
                "--brands",
                str(args.brands),
                "--per-job",
                str(args.per_job),
                "--latency",
                str(args.latency),
                "--workers",
                str(workers),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(f"workers={workers}: the run failed\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
            continue
        r = json.loads(line.removeprefix("RESULT "))
        results[workers] = r
        print(
            f"workers={workers}: {r['published']}/{r['targets']} published, "
            f"{r['failed']} failed, lost {r['lost']}, duplicates {r['duplicates']} "
            f"(repeated status calls answered idempotently: {r['repeated_status_calls']}); "
            f"{r['retried']} needed a retry {r['retry_reasons'] or ''}"
        )
        print(
            f"  throughput {r['throughput']:.1f} targets/s "
            f"({r['throughput'] / workers:.1f} per worker), wall {r['wall_seconds']:.1f}s "
            f"(enqueue {r['enqueue_seconds']:.1f}s); steady state (middle 80 % of ends) "
            f"{r['steady_throughput']:.1f} targets/s "
            f"({r['steady_throughput'] / workers:.1f} per worker)"
        )
        print(
            f"  Publish → ended: p50 {r['p50']:.2f}s, p95 {r['p95']:.2f}s; "
            f"peak platform requests in flight per worker {r['peak_in_flight_per_worker']:.0f}"
        )
        spent = r["cpu_ms_per_target"]
        print(
            "  CPU per target: "
            + ", ".join(f"{party} {ms:.2f} ms" for party, ms in spent.items())
            + f"; machine busy {r['machine_busy']:.0%} of {os.cpu_count()} cores; "
            f"{r['db_commits_per_target']:.1f} database statements per target"
        )
        if spent.get("workers"):
            print(
                f"  → a worker process on a core of its own would do "
                f"{1000 / spent['workers']:.0f} targets/s "
                f"(its CPU-bound ceiling; the platform's latency is overlapped)"
            )
    if 1 in results and 2 in results:
        print(
            f"speed-up from the second worker: "
            f"{results[2]['throughput'] / results[1]['throughput']:.2f}x (ideal 2.00x)"
        )


if __name__ == "__main__":
    main()
