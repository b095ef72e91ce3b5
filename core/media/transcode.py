"""Produce planned outputs of one source: copies, remuxes, and one multi-output encode.

Every file is written under a temporary name in the output directory and renamed into its
content-addressed place only on success; on failure, timeout or cancellation the temporary
files are removed and ffmpeg is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from dataclasses import replace
from pathlib import Path

from core.media.graph import encode_command, remux_command, thumbnail_command
from core.media.plan import OutputPlan
from core.media.probe import MediaInfo
from core.media.runner import ProgressCallback, ProgressFeed, TranscodeFailed, run_ffmpeg

MAX_SIZE_RETRIES = 2


def output_name(key: str, plan: OutputPlan) -> str:
    """The name of the output with content key `key`, within the output folder."""
    return f"{key[:2]}/{key}{plan.extension}"


def thumbnail_name(key: str) -> str:
    """The name of the cover JPEG of the video output `key`, within the output folder."""
    return f"{key[:2]}/{key}.thumb.jpg"


def output_path(out_dir: Path, key: str, plan: OutputPlan) -> Path:
    """Where the output with content key `key` is made."""
    return out_dir / output_name(key, plan)


def thumbnail_path(out_dir: Path, key: str) -> Path:
    """Where the cover JPEG of the video output `key` is made."""
    return out_dir / thumbnail_name(key)


class Transcoder:
    """Makes the outputs of one source with one ffmpeg binary."""

    def __init__(
        self, exe: str, out_dir: Path, *, timeout: float, preset: str = "veryfast", threads: int = 0
    ) -> None:
        self.exe = exe
        self.out_dir = out_dir
        self.timeout = timeout
        self.preset = preset
        self.threads = threads

    async def produce(
        self,
        src: Path,
        info: MediaInfo,
        plans: dict[str, OutputPlan],
        *,
        progress: ProgressCallback | None = None,
    ) -> dict[str, Path]:
        """Make every planned output (keyed by content key) that does not exist yet."""
        feed = ProgressFeed(progress, 1.0)
        fmt = info.input_format
        todo = {k: p for k, p in plans.items() if not output_path(self.out_dir, k, p).exists()}
        temps: list[Path] = []
        try:
            for key, plan in todo.items():
                if plan.action != "encode":
                    await self._copy(src, key, plan, temps, fmt)
            encodes = {k: p for k, p in todo.items() if p.action == "encode"}
            if encodes:
                await self._encode(src, fmt, encodes, temps, feed)
            for key, plan in plans.items():
                if plan.kind == "video":
                    await self._thumbnail(key, plan, temps)
        finally:
            for temp in temps:
                with contextlib.suppress(FileNotFoundError):
                    temp.unlink()
        await feed.report(100)
        return {k: output_path(self.out_dir, k, p) for k, p in plans.items()}

    def _temp(self, key: str, plan: OutputPlan, temps: list[Path], suffix: str = "") -> Path:
        final = output_path(self.out_dir, key, plan)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{final.name}{suffix}")
        temps.append(temp)
        return temp

    async def _copy(
        self, src: Path, key: str, plan: OutputPlan, temps: list[Path], fmt: str
    ) -> None:
        temp = self._temp(key, plan, temps)
        if plan.action == "copy":
            await asyncio.to_thread(shutil.copyfile, src, temp)
        else:
            await run_ffmpeg(remux_command(self.exe, src, temp, fmt), time_limit=self.timeout)
        os.replace(temp, output_path(self.out_dir, key, plan))

    async def _encode(
        self,
        src: Path,
        fmt: str,
        plans: dict[str, OutputPlan],
        temps: list[Path],
        feed: ProgressFeed,
    ) -> None:
        feed.total = max((p.duration or 0.0) for p in plans.values()) or 1.0
        jobs = [(p, self._temp(k, p, temps)) for k, p in plans.items()]
        argv = encode_command(
            self.exe, src, jobs, preset=self.preset, threads=self.threads, in_format=fmt
        )
        await run_ffmpeg(argv, feed=feed, time_limit=self.timeout)
        for (key, plan), (_, temp) in zip(plans.items(), jobs, strict=True):
            await self._enforce_size(src, fmt, plan, temp, temps)
            os.replace(temp, output_path(self.out_dir, key, plan))

    async def _enforce_size(
        self, src: Path, fmt: str, plan: OutputPlan, temp: Path, temps: list[Path]
    ) -> None:
        """Re-encode one output at a lower rate/quality when it came out over its size cap."""
        for _ in range(MAX_SIZE_RETRIES):
            size = await asyncio.to_thread(os.path.getsize, temp)
            if plan.max_bytes is None or size <= plan.max_bytes:
                return
            if plan.kind == "video":
                actual = size * 8 / max(plan.duration or 1.0, 0.1)
                plan = replace(plan, maxrate=int(min(plan.maxrate or actual, actual) * 0.75))
            else:
                plan = replace(plan, jpeg_q=plan.jpeg_q * 3)
            retry = temp.with_name(temp.name + ".retry" + temp.suffix)
            temps.append(retry)
            argv = encode_command(
                self.exe,
                src,
                [(plan, retry)],
                preset=self.preset,
                threads=self.threads,
                in_format=fmt,
            )
            await run_ffmpeg(argv, time_limit=self.timeout)
            os.replace(retry, temp)
        size = await asyncio.to_thread(os.path.getsize, temp)
        if plan.max_bytes is not None and size > plan.max_bytes:
            raise TranscodeFailed("We could not make this file small enough for the network.")

    async def _thumbnail(self, key: str, plan: OutputPlan, temps: list[Path]) -> None:
        final = thumbnail_path(self.out_dir, key)
        if final.exists():
            return
        temp = self._temp(key, plan, temps, suffix=".jpg")
        at = min(1.0, (plan.duration or 0.0) * 0.1)
        video = output_path(self.out_dir, key, plan)
        await run_ffmpeg(thumbnail_command(self.exe, video, temp, at), time_limit=self.timeout)
        os.replace(temp, final)
