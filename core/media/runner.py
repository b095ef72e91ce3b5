"""Run one ffmpeg process without blocking the loop: progress feed, timeout, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from core.errors import OneClickError

log = logging.getLogger(__name__)
ProgressCallback = Callable[[int], Awaitable[None]]


class TranscodeFailed(OneClickError):
    """ffmpeg failed or ran out of time on a file that had passed the probe."""

    user_message = "We could not convert this media file. Please try again or send another file."


class ProgressFeed:
    """Turns `-progress` key=value lines into increasing percentages for a callback."""

    def __init__(
        self,
        callback: ProgressCallback | None,
        total_seconds: float,
        span: tuple[int, int] = (0, 100),
    ) -> None:
        self.callback = callback
        self.total = max(total_seconds, 0.001)
        self.start, self.end = span
        self.last = -1

    async def line(self, text: str) -> None:
        """Feed one line of ffmpeg's progress output."""
        key, _, value = text.strip().partition("=")
        if key == "out_time_us" and value.lstrip("-").isdigit():
            done = min(max(int(value) / 1_000_000 / self.total, 0.0), 0.99)
            await self.report(self.start + int(done * (self.end - self.start)))

    async def report(self, percent: int) -> None:
        """Send `percent` if it is higher than the last one sent."""
        if self.callback is not None and percent > self.last:
            self.last = percent
            await self.callback(percent)


async def run_ffmpeg(
    argv: list[str], *, feed: ProgressFeed | None = None, time_limit: float | None = None
) -> None:
    """Run ffmpeg; kill it on timeout or cancellation; TranscodeFailed on a non-zero exit."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stderr_task = asyncio.create_task(_tail(proc.stderr))
    try:
        async with asyncio.timeout(time_limit):
            assert proc.stdout is not None
            async for raw in proc.stdout:
                if feed is not None:
                    await feed.line(raw.decode(errors="replace"))
            code = await proc.wait()
    except TimeoutError:
        await _kill(proc)
        raise TranscodeFailed("Converting this media took too long and was stopped.") from None
    except BaseException:
        await _kill(proc)
        raise
    finally:
        if proc.returncode is None:
            await _kill(proc)
        err = await _finish(stderr_task)
    if code != 0:
        log.warning("ffmpeg exited %s: %s\nargv: %s", code, err, " ".join(argv))
        raise TranscodeFailed()


async def _tail(stream: asyncio.StreamReader | None, keep: int = 8192) -> str:
    if stream is None:
        return ""
    data = b""
    async for chunk in stream:
        data = (data + chunk)[-keep:]
    return data.decode(errors="replace")


async def _finish(task: asyncio.Task[str]) -> str:
    try:
        return await asyncio.wait_for(asyncio.shield(task), 5)
    except (TimeoutError, asyncio.CancelledError):
        task.cancel()
        return ""


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """Kill ffmpeg and reap it, even while the calling task is being cancelled."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.shield(proc.wait())
