"""Servers a fault test owns and breaks: a private Redis, a private PostgreSQL cluster, and
`oneclick` processes killed from outside."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.conftest import service_unavailable
from tests.support.server import free_port


def private_redis(port: int, directory: Path) -> subprocess.Popen[bytes]:
    """A Redis of the test alone, without persistence: after SIGKILL it comes back empty."""
    exe = shutil.which("redis-server")
    if exe is None:
        service_unavailable("Redis", "redis-server is not installed")
    return subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_redis(url: str) -> None:
    """Until the Redis at `url` answers."""
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=1)
    try:
        for _ in range(200):
            with contextlib.suppress(Exception):
                await client.ping()
                return
            await asyncio.sleep(0.05)
        service_unavailable("Redis", f"{url} did not start")
    finally:
        await client.aclose()


async def wait_reader(url: str, readers: int = 1) -> None:
    """Until `readers` clients block in XREADGROUP (workers listening; Redis 7 lists a
    consumer in XINFO only after its first delivery)."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)

    async def reading() -> bool:
        clients = await client.client_list()
        return sum(1 for c in clients if c.get("cmd") == "xreadgroup") >= readers

    try:  # new worker processes import the whole product first: slow on a busy machine
        await wait_until(reading, what="the workers to read the queue", every=0.05)
    finally:
        await client.aclose()


class PrivatePostgres:
    """A PostgreSQL cluster of the test alone (trust auth, a free port), crashable."""

    def __init__(self) -> None:
        found = shutil.which("pg_config")
        bindir: Path | None = None
        if found:
            bindir = Path(
                subprocess.run(
                    [found, "--bindir"], capture_output=True, text=True, check=True
                ).stdout.strip()
            )
        if bindir is None or not (bindir / "initdb").exists():
            service_unavailable("PostgreSQL", "initdb/pg_ctl are not installed")
        assert bindir is not None
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="oneclick-pg-"))  # the server user reads it
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/oneclick"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:  # the server refuses to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def create(self) -> None:
        """initdb, start, and create the `oneclick` database."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        import asyncpg

        conn = await asyncpg.connect(self.url.replace("/oneclick", "/postgres"))
        try:
            await conn.execute("CREATE DATABASE oneclick")
        finally:
            await conn.close()

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def crash(self) -> None:
        """Stop it the way a crash does (no shutdown checkpoint, connections cut)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def remove(self) -> None:
        """Stop it if it runs and delete the cluster."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`python -m oneclick ARGS` in a process group of its own, output appended to `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "oneclick", *args],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Signal the process and everything it started (its group, if it leads one), reap it."""

    def send(signum: int) -> None:
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:  # not a group leader (or gone)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signum)

    send(sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait(timeout=10)


async def wait_until(
    check: Callable[[], Awaitable[bool]], *, what: str, limit: float = 180.0, every: float = 0.1
) -> None:
    """Poll `check` until it holds; a check that raises (a server is down) counts as no."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        with contextlib.suppress(Exception):
            if await check():
                return
        await asyncio.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")
