"""Build ffmpeg argv lists with ffmpeg-python (graph building only; running is ours).

One decode feeds every output: the video is split (and the audio asplit) once per output.
ffmpeg applies rotation metadata on decode (autorotate), so outputs come out upright.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ffmpeg

from core.media.plan import OutputPlan

GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1")
BLUR_DOWNSCALE = 8
# inputs are read from local files only: no network, no nested playlists or concat lists
PROTOCOLS = "file"


def _input(src: Path, in_format: str | None, **opts: Any) -> Any:
    """An input read only through the file protocol, its demuxer forced when it is known
    (an untrusted file's probed format: ffmpeg never guesses one on its own)."""
    if in_format:
        opts["f"] = in_format
    return ffmpeg.input(str(src), protocol_whitelist=PROTOCOLS, **opts)


def encode_command(
    exe: str,
    src: Path,
    jobs: list[tuple[OutputPlan, Path]],
    *,
    preset: str = "veryfast",
    threads: int = 0,
    in_format: str | None = None,
) -> list[str]:
    """One ffmpeg process: decode `src` (demuxer `in_format`) once, write every output."""
    inp = _input(src, in_format)
    video = inp.video
    if any(plan.tonemap for plan, _ in jobs):
        video = _tonemap(video)
    vsplit = _fan_out(video, "split", len(jobs))
    cores = os.cpu_count() or 1
    if not threads and len(jobs) > 1:  # many encoders in one process: do not oversubscribe
        threads = max(1, cores // len(jobs))
    with_audio = [plan.audio for plan, _ in jobs]
    asplit = _fan_out(inp.audio, "asplit", sum(with_audio)) if any(with_audio) else []
    outputs = []
    audio_i = 0
    for (plan, path), vstream in zip(jobs, vsplit, strict=True):
        streams = [_video_chain(vstream, plan)]
        if plan.audio:
            streams.append(_audio_chain(asplit[audio_i], plan))
            audio_i += 1
        opts = _video_opts(plan, preset) if plan.kind == "video" else _image_opts(plan)
        if threads:
            opts["threads"] = threads
        outputs.append(ffmpeg.output(*streams, str(path), **opts))
    argv = _argv(ffmpeg.merge_outputs(*outputs), exe)
    return [argv[0], "-filter_complex_threads", str(cores), *argv[1:]]


def remux_command(exe: str, src: Path, dest: Path, in_format: str | None = None) -> list[str]:
    """Stream-copy the first video and audio stream into an MP4 with the moov atom first."""
    inp = _input(src, in_format)
    out = ffmpeg.output(
        inp["v:0"],
        inp["a:0?"],
        str(dest),
        c="copy",
        movflags="+faststart",
        use_editlist=0,
        f="mp4",
        map_metadata=-1,
    )
    return _argv(out, exe)


def thumbnail_command(exe: str, src: Path, dest: Path, at: float) -> list[str]:
    """One JPEG frame of `src` at `at` seconds (long side at most 1280)."""
    inp = _input(src, "mov", ss=f"{at:.3f}")
    v = inp.video.filter("scale", "min(1280,iw)", -2)
    out = ffmpeg.output(v, str(dest), vframes=1, **{"q:v": 3}, f="image2", update=1)
    return _argv(out, exe, progress=False)


def _argv(node: Any, exe: str, *, progress: bool = True) -> list[str]:
    """Compiled argv with the global options first (ffmpeg may ignore trailing options)."""
    argv = list(node.compile(cmd=exe))
    extra = list(GLOBAL_ARGS if progress else GLOBAL_ARGS[:4]) + ["-y"]
    return [argv[0], *extra, *argv[1:]]


def _fan_out(stream: Any, name: str, count: int) -> list[Any]:
    if count <= 1:
        return [stream] * count
    node = stream.filter_multi_output(name, count)
    return [node.stream(i) for i in range(count)]


def _tonemap(v: Any) -> Any:
    """HDR (PQ/HLG, BT.2020) to SDR BT.709 with the zimg scaler and a Hable curve."""
    return (
        v.filter("zscale", t="linear", npl=100)
        .filter("format", "gbrpf32le")
        .filter("zscale", p="bt709")
        .filter("tonemap", tonemap="hable", desat=0)
        .filter("zscale", t="bt709", m="bt709", r="tv")
        .filter("format", "yuv420p")
    )


def _video_chain(v: Any, plan: OutputPlan) -> Any:
    w, h = plan.width, plan.height
    if plan.fit is None:
        v = v.filter("scale", w, h, flags="bicubic")
    elif plan.fit == "crop":
        v = v.filter("scale", w, h, force_original_aspect_ratio="increase").filter("crop", w, h)
    elif plan.fit == "letterbox":
        v = v.filter(
            "scale", w, h, force_original_aspect_ratio="decrease", force_divisible_by=2
        ).filter("pad", w, h, "(ow-iw)/2", "(oh-ih)/2", color="black")
    else:
        v = _pad_blur(v, w, h)
    v = v.filter("setsar", 1)
    if plan.kind == "image":
        return v.filter("format", "rgb24" if plan.image_format == "png" else "yuvj420p")
    if plan.fps:
        v = v.filter("fps", plan.fps)
    if plan.pad_to:
        v = v.filter("tpad", stop_mode="clone", stop_duration=plan.pad_to)
    return v.filter("format", "yuv420p")


def _pad_blur(v: Any, w: int, h: int) -> Any:
    """The picture fitted inside w x h over a blurred, zoomed copy of itself."""
    fg_src, bg_src = _fan_out(v, "split", 2)
    sw, sh = max(2, w // BLUR_DOWNSCALE // 2 * 2), max(2, h // BLUR_DOWNSCALE // 2 * 2)
    radius = max(1, min(sw, sh) // 8)
    bg = (
        bg_src.filter("scale", sw, sh, force_original_aspect_ratio="increase")
        .filter("crop", sw, sh)
        .filter("boxblur", luma_radius=radius, luma_power=2)
        .filter("scale", w, h)
    )
    fg = fg_src.filter("scale", w, h, force_original_aspect_ratio="decrease", force_divisible_by=2)
    return ffmpeg.overlay(bg, fg, x="(W-w)/2", y="(H-h)/2")


def _audio_chain(a: Any, plan: OutputPlan) -> Any:
    a = a.filter("aresample", plan.audio_rate)
    if plan.pad_to:
        a = a.filter("apad")
    return a


def _video_opts(plan: OutputPlan, preset: str) -> dict[str, Any]:
    fps = plan.fps or 30.0
    opts: dict[str, Any] = {
        "c:v": "libx264",
        "preset": preset,
        "profile:v": "high",
        "crf": plan.crf,
        "g": max(1, round(fps * 2)),
        "flags": "+cgop",
        "x264-params": "open-gop=0",
        "movflags": "+faststart",
        "use_editlist": 0,
        "f": "mp4",
        "map_metadata": -1,
    }
    if plan.maxrate:
        opts["maxrate"] = plan.maxrate
        opts["bufsize"] = plan.maxrate * 2
    if plan.audio:
        opts.update({"c:a": "aac", "b:a": plan.audio_bitrate, "ac": 2})
    limit = plan.trim_to or plan.pad_to
    if limit:
        opts["t"] = f"{limit:.3f}"
    return opts


def _image_opts(plan: OutputPlan) -> dict[str, Any]:
    codec = {"jpeg": "mjpeg", "png": "png", "webp": "libwebp"}[plan.image_format]
    opts: dict[str, Any] = {"c:v": codec, "vframes": 1, "f": "image2", "update": 1}
    if codec == "mjpeg":
        opts["q:v"] = plan.jpeg_q
    return opts
