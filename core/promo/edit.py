"""The ffmpeg edit: screen recording + voice-over + optional ducked music + burned subtitles.

Graphs are built with ffmpeg-python (building only) and run by core.media.runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from core.media.graph import GLOBAL_ARGS

MUSIC_GAIN = 0.35
FPS = 25


@dataclass(frozen=True)
class EditPlan:
    """Everything the edit needs; `duration` is the master's length in seconds."""

    recording: Path
    recording_seconds: float
    voice: Path
    duration: float
    width: int = 1280
    height: int = 720
    subtitles: Path | None = None  # an ASS file sized width×height
    music: Path | None = None
    music_gain: float = MUSIC_GAIN
    fps: int = FPS
    preset: str = "veryfast"
    crf: int = 23

    @property
    def speed(self) -> float:
        """How much the recording is stretched (>1) or sped up (<1) to fill the ad."""
        factor = self.duration / max(self.recording_seconds, 0.1)
        return min(max(factor, 0.4), 3.0)


def video_chain(plan: EditPlan, *, subtitles: bool = True) -> Any:
    """The picture: the recording fitted to the ad's length and size, subtitles on top."""
    v = ffmpeg.input(str(plan.recording)).video
    v = v.filter("setpts", f"{plan.speed:.6f}*(PTS-STARTPTS)")
    v = v.filter("scale", plan.width, plan.height, force_original_aspect_ratio="decrease")
    v = v.filter("pad", plan.width, plan.height, "(ow-iw)/2", "(oh-ih)/2", color="white")
    v = v.filter("setsar", 1).filter("fps", plan.fps)
    # a recording shorter than the ad holds its last frame
    v = v.filter("tpad", stop_mode="clone", stop_duration=f"{plan.duration:.3f}")
    v = v.filter("trim", duration=f"{plan.duration:.3f}").filter("setpts", "PTS-STARTPTS")
    if subtitles and plan.subtitles is not None:
        v = v.filter("ass", filename=str(plan.subtitles))
    return v.filter("format", "yuv420p")


def audio_chain(plan: EditPlan) -> Any:
    """The sound: the voice, padded to the ad; music under it, ducked while the voice speaks."""
    voice = (
        ffmpeg.input(str(plan.voice))
        .audio.filter("aresample", 48_000)
        .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
    )
    voice = voice.filter("apad", whole_dur=f"{plan.duration:.3f}")
    if plan.music is None:
        mixed = voice
    else:
        split = voice.filter_multi_output("asplit", 2)
        speech, key = split.stream(0), split.stream(1)
        music = (
            ffmpeg.input(str(plan.music), stream_loop=-1)
            .audio.filter("aresample", 48_000)
            .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
        )
        music = music.filter("volume", f"{plan.music_gain:.3f}")
        ducked = ffmpeg.filter(
            [music, key], "sidechaincompress", threshold=0.02, ratio=10, attack=15, release=350
        )
        mixed = ffmpeg.filter([speech, ducked], "amix", inputs=2, duration="first", normalize=0)
    return mixed.filter("atrim", duration=f"{plan.duration:.3f}").filter("asetpts", "PTS-STARTPTS")


def edit_command(exe: str, plan: EditPlan, dest: Path) -> list[str]:
    """The master MP4: H.264 + AAC, moov first, exactly `plan.duration` long."""
    out = ffmpeg.output(
        video_chain(plan),
        audio_chain(plan),
        str(dest),
        vcodec="libx264",
        preset=plan.preset,
        crf=plan.crf,
        pix_fmt="yuv420p",
        r=plan.fps,
        acodec="aac",
        audio_bitrate="128k",
        ar=48_000,
        movflags="+faststart",
        t=f"{plan.duration:.3f}",
        f="mp4",
        map_metadata=-1,
    )
    argv = list(out.compile(cmd=exe))
    return [argv[0], *GLOBAL_ARGS, "-y", *argv[1:]]


def still_command(
    exe: str, plan: EditPlan, at: float, dest: Path, *, subtitles: bool = True
) -> list[str]:
    """One picture of the edit at `at` seconds (a poster, or a check of the subtitles)."""
    out = ffmpeg.output(
        video_chain(plan, subtitles=subtitles),
        str(dest),
        ss=f"{at:.3f}",
        vframes=1,
        f="image2",
        update=1,
    )
    argv = list(out.compile(cmd=exe))
    return [argv[0], *GLOBAL_ARGS[:4], "-y", *argv[1:]]
