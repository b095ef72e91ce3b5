"""Benchmark the media pipeline: one process per profile vs decode-once multi-output vs copy.

    .venv/bin/python bench/transcode.py [--seconds 30] [--preset veryfast]

Prints wall seconds and speed ratios. Goals (issue 4): multi-output >= 1.5x faster than one
process per profile; a compliant source done in <= 5% of a re-encode's time. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.media.ffmpeg_bin import ffmpeg_exe  # noqa: E402
from core.media.graph import encode_command  # noqa: E402
from core.media.pipeline import file_sha256  # noqa: E402
from core.media.plan import OutputPlan, plan_output  # noqa: E402
from core.media.probe import MediaInfo, probe_file  # noqa: E402
from core.media.profiles import PROFILES, VIDEO_PROFILES  # noqa: E402
from core.media.runner import run_ffmpeg  # noqa: E402
from core.media.transcode import Transcoder  # noqa: E402
from tests import media_factory as mf  # noqa: E402


async def encode(src: Path, jobs: list[tuple[OutputPlan, Path]], preset: str) -> float:
    """Wall seconds of one ffmpeg process writing `jobs`."""
    started = time.perf_counter()
    await run_ffmpeg(encode_command(ffmpeg_exe(), src, jobs, preset=preset))
    return time.perf_counter() - started


def plans_for(info: MediaInfo) -> dict[str, OutputPlan]:
    """The plan of every video profile, forced to encode (so every way makes the same files)."""
    out = {}
    for name in VIDEO_PROFILES:
        plan = plan_output(info, PROFILES[name])
        if plan.action != "encode":  # a compliant profile: encode it too, for a fair count
            plan = replace(plan_output(replace(info, bitrate=10**9), PROFILES[name]))
        out[name] = plan
    return out


async def main(seconds: float, preset: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        work = Path(tmp)
        src = mf.video(work, width=1920, height=1080, seconds=seconds, name="landscape")
        info = await probe_file(src)
        plans = plans_for(info)
        distinct = {p.content_key("bench"): p for p in plans.values()}
        print(f"source: {src.name} {info.width}x{info.height} {info.duration:.0f} s "
              f"{info.video_codec}/{info.audio_codec}; {len(plans)} profiles, "
              f"{len(distinct)} distinct outputs; preset {preset}")

        per_profile = 0.0
        for name, plan in plans.items():
            per_profile += await encode(src, [(plan, work / f"single-{name}.mp4")], preset)
        print(f"one process per profile ({len(plans)} processes): {per_profile:8.1f} s")

        per_output = 0.0
        for key, plan in distinct.items():
            per_output += await encode(src, [(plan, work / f"distinct-{key[:8]}.mp4")], preset)
        print(f"one process per distinct output ({len(distinct)}):   {per_output:8.1f} s")

        jobs = [(p, work / f"multi-{k[:8]}.mp4") for k, p in distinct.items()]
        multi = await encode(src, jobs, preset)
        print(f"decode once, multi-output (1 process):    {multi:8.1f} s")

        reel = mf.video(work, width=1080, height=1920, seconds=seconds, name="compliant")
        reel_info = await probe_file(reel)
        wanted = ["vertical_9x16", "fb_reels_9x16", "shorts_9x16", "web_video"]
        reencode_plan = plan_output(replace(reel_info, video_codec="hevc"),
                                    PROFILES["vertical_9x16"])
        reencode = await encode(reel, [(reencode_plan, work / "reencode.mp4")], preset)
        transcoder = Transcoder(ffmpeg_exe(), work / "out", timeout=3600, preset=preset)
        reel_hash = await asyncio.to_thread(file_sha256, reel)
        copy_plans = {}
        for name in wanted:  # keyed as the pipeline keys them: coinciding copies are one file
            plan = plan_output(reel_info, PROFILES[name])
            copy_plans[plan.content_key(reel_hash)] = plan
        actions = sorted({p.action for p in copy_plans.values()})
        started = time.perf_counter()
        await transcoder.produce(reel, reel_info, copy_plans)
        copied = time.perf_counter() - started

        print(f"compliant 1080x1920 source, re-encode:    {reencode:8.1f} s")
        print(f"compliant source, {'/'.join(actions)} ({len(wanted)} profiles, "
              f"{len(copy_plans)} file + cover): {copied:5.2f} s")
        print()
        print(f"multi-output speed-up vs one per profile: {per_profile / multi:5.2f}x"
              "  (goal >= 1.5x)")
        print(f"multi-output speed-up vs one per output:  {per_output / multi:5.2f}x")
        print(f"copy time / re-encode time:               {copied / reencode:6.1%}  (goal <= 5%)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--preset", default="veryfast")
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.preset))
