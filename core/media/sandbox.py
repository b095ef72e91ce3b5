"""Probe an untrusted file in a child process with memory, CPU and wall-time limits, so a
hostile file can exhaust only that process, never the web app, a bot or a worker."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import sys
import weakref
from pathlib import Path

from core.config import Settings
from core.errors import MediaRejected, TooLarge
from core.media.limits import MediaLimits
from core.media.probe import MediaInfo

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
MAX_ANSWER = 1 << 20
HEAVY = "This file needs more memory or time to read than we allow; send a smaller or simpler file."
SLOW = "Reading this file took too long and was stopped; send a smaller or simpler file."
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _slot() -> asyncio.Semaphore:
    """Probes at once in this process (one per core): a burst of uploads queues here."""
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(os.cpu_count() or 2)
    return _slots[loop]


async def probe_untrusted(path: Path, settings: Settings) -> MediaInfo:
    """Probe `path` in a limited child process; MediaRejected/TooLarge with a human reason."""
    request = _request(path, settings)
    async with _slot():
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "core.media.probe_worker",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            async with asyncio.timeout(settings.probe_timeout_seconds):
                out = await _answer(proc, request)
                code = await proc.wait()
        except TimeoutError:
            raise MediaRejected(SLOW) from None
        finally:
            await _reap(proc)
    if code != 0 or not out:
        log.warning("probe child exited %s on %s", code, path)
        raise MediaRejected(HEAVY)
    answer = json.loads(out)
    if "error" in answer:
        raise (TooLarge if answer.get("too_large") else MediaRejected)(answer["error"])
    return MediaInfo.from_json(answer["info"])


def _request(path: Path, settings: Settings) -> bytes:
    """The child's instructions (an absolute path: the child runs in the project root)."""
    return json.dumps(
        {
            "path": os.path.abspath(path),
            "limits": MediaLimits.from_settings(settings).to_json(),
            "memory_bytes": settings.probe_memory_mb * 1024 * 1024,
            "cpu_seconds": max(1, math.ceil(settings.probe_timeout_seconds)),
        }
    ).encode()


async def _answer(proc: asyncio.subprocess.Process, request: bytes) -> bytes:
    assert proc.stdin is not None and proc.stdout is not None
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        proc.stdin.write(request)
        await proc.stdin.drain()
        proc.stdin.close()
    out = b""
    while len(out) <= MAX_ANSWER and (chunk := await proc.stdout.read(1 << 16)):
        out += chunk
    return out


async def _reap(proc: asyncio.subprocess.Process) -> None:
    """Kill the child if it still runs and wait for it, even while being cancelled."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.shield(proc.wait())
