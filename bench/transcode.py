"""Benchmark the media pipeline: one process per profile vs decode-once multi-output vs copy.

    .venv/bin/python bench/transcode.py [--seconds 30] [--preset veryfast]

Prints wall seconds and speed ratios. Goals (issue 4): multi-output >= 1.5x faster than one
process per profile; a compliant source done in <= 5% of a re-encode's time. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.media.ffmpeg_bin import ffmpeg_exe
from core.media.graph import encode_command
from core.media.pipeline import file_sha256
from core.media.plan import OutputPlan, plan_output
from core.media.probe import MediaInfo, probe_file
from core.media.profiles import PROFILES, VIDEO_PROFILES
from core.media.runner import run_ffmpeg
from core.media.transcode import Transcoder
from tests import media_factory as mf


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and child-CPU seconds of a block (CPU is robust to a busy machine)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, _cpu() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:7.1f} s wall {self.cpu:7.1f} s cpu"


async def encode(src: Path, jobs: list[tuple[OutputPlan, Path]], preset: str) -> None:
    """One ffmpeg process writing `jobs`."""
    await run_ffmpeg(encode_command(ffmpeg_exe(), src, jobs, preset=preset))


def forced_encode(info: MediaInfo, name: str) -> OutputPlan:
    """The encode plan of a profile even when the source could be copied."""
    plan = plan_output(info, PROFILES[name])
    return (
        plan
        if plan.action == "encode"
        else plan_output(replace(info, bitrate=10**9), PROFILES[name])
    )


async def main(seconds: float, preset: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        work = Path(tmp)
        src = mf.video(work, width=1920, height=1080, seconds=seconds, name="landscape")
        info = await probe_file(src)
        src_hash = await asyncio.to_thread(file_sha256, src)
        forced = {n: forced_encode(info, n) for n in VIDEO_PROFILES}
        distinct = {p.content_key("x"): p for p in forced.values()}
        real = {}
        for name in VIDEO_PROFILES:
            plan = plan_output(info, PROFILES[name])
            real[plan.content_key(src_hash)] = plan
        print(
            f"source {info.width}x{info.height} {info.duration:.0f} s {info.video_codec}/"
            f"{info.audio_codec}, {len(VIDEO_PROFILES)} video profiles, preset {preset}, "
            f"{os.cpu_count()} cores"
        )

        with Clock() as naive:
            for name, plan in forced.items():
                await encode(src, [(plan, work / f"naive-{name}.mp4")], preset)
        print(f"A one process per profile, all encoded ({len(forced)} processes): {naive}")
        with Clock() as per_output:
            for key, plan in distinct.items():
                await encode(src, [(plan, work / f"one-{key[:8]}.mp4")], preset)
        print(f"B one process per distinct output ({len(distinct)} processes):      {per_output}")
        with Clock() as multi:
            await encode(
                src, [(p, work / f"multi-{k[:8]}.mp4") for k, p in distinct.items()], preset
            )
        print(f"C same {len(distinct)} outputs, decode once, one process:          {multi}")
        actions = [p.action for p in real.values()]
        with Clock() as pipeline:
            await Transcoder(ffmpeg_exe(), work / "out", timeout=3600, preset=preset).produce(
                src, info, real
            )
        print(
            f"D pipeline: {actions.count('encode')} encoded in one process + "
            f"{len(actions) - actions.count('encode')} copied/remuxed + covers:      {pipeline}"
        )

        reel = mf.video(work, width=1080, height=1920, seconds=seconds, name="compliant")
        reel_info = await probe_file(reel)
        reel_hash = await asyncio.to_thread(file_sha256, reel)
        with Clock() as reencode:
            await encode(
                reel,
                [
                    (
                        forced_encode(replace(reel_info, video_codec="hevc"), "vertical_9x16"),
                        work / "re.mp4",
                    )
                ],
                preset,
            )
        copy_plans = {}
        for name in ("vertical_9x16", "fb_reels_9x16", "shorts_9x16", "web_video"):
            plan = plan_output(reel_info, PROFILES[name])
            copy_plans[plan.content_key(reel_hash)] = plan
        with Clock() as copied:
            await Transcoder(ffmpeg_exe(), work / "out", timeout=3600, preset=preset).produce(
                reel, reel_info, copy_plans
            )
        print(f"E compliant 1080x1920 source, re-encode to 9:16:                 {reencode}")
        print(
            f"F compliant source, 4 profiles -> {len(copy_plans)} "
            f"{'/'.join(sorted({p.action for p in copy_plans.values()}))} + cover:          "
            f"{copied}"
        )
        print()
        print(
            f"pipeline (D) vs one process per profile (A):  {naive.wall / pipeline.wall:5.2f}x "
            f"wall, {naive.cpu / pipeline.cpu:5.2f}x cpu  (goal >= 1.5x)"
        )
        print(
            f"decode-once alone (C) vs per output (B):      {per_output.wall / multi.wall:5.2f}x "
            f"wall, {per_output.cpu / multi.cpu:5.2f}x cpu"
        )
        print(
            f"multi-output (C) vs one per profile (A):      {naive.wall / multi.wall:5.2f}x "
            f"wall, {naive.cpu / multi.cpu:5.2f}x cpu"
        )
        print(
            f"compliant copy (F) / re-encode (E):           {copied.wall / reencode.wall:6.1%} "
            f"wall  (goal <= 5%)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--preset", default="veryfast")
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.preset))
