"""Output planning: copy vs encode, fit, duration policy, size caps, shared content keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.errors import MediaRejected
from core.media.graph import encode_command, remux_command
from core.media.plan import plan_output
from core.media.probe import MediaInfo
from core.media.profiles import PROFILES, VIDEO_PROFILES
from core.media.runner import ProgressFeed

REEL_SOURCE = MediaInfo(
    kind="video",
    mime_type="video/mp4",
    container="mp4",
    width=1080,
    height=1920,
    rotation=0,
    duration=30.0,
    fps=30.0,
    video_codec="h264",
    pix_fmt="yuv420p",
    bit_depth=8,
    is_hdr=False,
    has_audio=True,
    audio_codec="aac",
    audio_sample_rate=48000,
    bitrate=6_000_000,
    size_bytes=22_500_000,
    faststart=True,
)


def test_compliant_source_is_copied_and_moov_at_end_remuxed() -> None:
    assert plan_output(REEL_SOURCE, PROFILES["vertical_9x16"]).action == "copy"
    late_moov = replace(REEL_SOURCE, faststart=False)
    assert plan_output(late_moov, PROFILES["vertical_9x16"]).action == "remux"
    mov = replace(REEL_SOURCE, container="mov", mime_type="video/quicktime")
    assert plan_output(mov, PROFILES["vertical_9x16"]).action == "remux"


@pytest.mark.parametrize(
    "change",
    [
        {"video_codec": "hevc"},
        {"bit_depth": 10, "pix_fmt": "yuv420p10le"},
        {"is_hdr": True},
        {"fps": 120.0},
        {"fps": 15.0},
        {"audio_codec": "opus"},
        {"audio_sample_rate": 96000},
        {"width": 1920, "height": 1080},
        {"rotation": 90},
        {"bitrate": 40_000_000},
        {"container": "matroska"},
        {"duration": 2.0},
    ],
)
def test_non_compliant_source_is_encoded(change: dict[str, object]) -> None:
    plan = plan_output(replace(REEL_SOURCE, **change), PROFILES["vertical_9x16"])  # type: ignore[arg-type]
    assert plan.action == "encode" and (plan.width, plan.height) == (1080, 1920)
    assert plan.fps is not None and 23 <= plan.fps <= 60


def test_coinciding_profiles_share_a_key_until_they_differ() -> None:
    src = replace(REEL_SOURCE, width=1920, height=1080)
    keys = {
        n: plan_output(src, PROFILES[n]).content_key("h")
        for n in ("vertical_9x16", "fb_reels_9x16", "shorts_9x16")
    }
    assert len(set(keys.values())) == 1
    long = replace(src, duration=200.0)
    keys = {
        n: plan_output(long, PROFILES[n]).content_key("h")
        for n in ("vertical_9x16", "fb_reels_9x16", "shorts_9x16")
    }
    assert len(set(keys.values())) == 3
    assert plan_output(src, PROFILES["vertical_9x16"], fit="crop").content_key("h") != (
        plan_output(src, PROFILES["vertical_9x16"]).content_key("h")
    )
    assert plan_output(src, PROFILES["vertical_9x16"]).content_key("other source") != (
        plan_output(src, PROFILES["vertical_9x16"]).content_key("h")
    )


def test_duration_policy() -> None:
    long = replace(REEL_SOURCE, duration=125.0)
    trimmed = plan_output(long, PROFILES["fb_reels_9x16"])
    assert trimmed.trim_to == 90.0 and "Trimmed to the first 90 s" in trimmed.notes[0]
    assert "2 min 5 s" in trimmed.notes[0]
    with pytest.raises(MediaRejected, match="takes at most 90 s"):
        plan_output(long, PROFILES["fb_reels_9x16"], duration_policy="refuse")


def test_telegram_size_cap_binds_the_bitrate() -> None:
    src = replace(
        REEL_SOURCE,
        width=1920,
        height=1080,
        duration=600.0,
        size_bytes=400_000_000,
        bitrate=5_000_000,
    )
    plan = plan_output(src, PROFILES["telegram_video"])
    assert plan.action == "encode" and plan.maxrate is not None
    expected_bytes = (plan.maxrate + plan.audio_bitrate) * 600 / 8
    assert expected_bytes <= 50 * 1024 * 1024
    assert max(plan.width, plan.height) <= 854  # low rate: smaller frame
    hours = replace(src, duration=7200.0)
    assert plan_output(hours, PROFILES["telegram_video"]).trim_to is not None
    with pytest.raises(MediaRejected, match="50 MB"):
        plan_output(hours, PROFILES["telegram_video"], duration_policy="refuse")


def test_web_video_keeps_the_aspect() -> None:
    src = replace(REEL_SOURCE, width=3840, height=1606, video_codec="hevc")
    plan = plan_output(src, PROFILES["web_video"])
    assert plan.fit is None and plan.width == 1920 and plan.height % 2 == 0
    assert plan.width / plan.height == pytest.approx(3840 / 1606, rel=0.01)


def test_one_command_for_many_outputs_and_copy_command() -> None:
    src = replace(REEL_SOURCE, video_codec="hevc", is_hdr=True)
    jobs = [(plan_output(src, PROFILES[n]), Path(f"/out/{n}.mp4")) for n in VIDEO_PROFILES]
    argv = encode_command("ffmpeg", Path("/in.mov"), jobs)
    assert argv.count("-i") == 1 and argv.count("libx264") == len(jobs)
    graph = argv[argv.index("-filter_complex") + 1]
    assert f"split={len(jobs)}" in graph and f"asplit={len(jobs)}" in graph
    assert "tonemap" in graph and argv.count("+faststart") == len(jobs)
    assert argv.index("-progress") < argv.index("-i")
    remux = remux_command("ffmpeg", Path("/in.mov"), Path("/out.mp4"))
    assert "copy" in remux and "libx264" not in remux and "-filter_complex" not in remux


async def test_progress_feed_increasing_and_capped() -> None:
    seen: list[int] = []

    async def callback(percent: int) -> None:
        seen.append(percent)

    feed = ProgressFeed(callback, 10.0)
    for line in [
        "frame=1",
        "out_time_us=1000000",
        "out_time_us=1000000",
        "out_time_us=N/A",
        "out_time_us=-5",
        "out_time_us=5500000",
        "out_time_us=99000000",
    ]:
        await feed.line(line)
    await feed.report(100)
    assert seen == [10, 55, 99, 100]
