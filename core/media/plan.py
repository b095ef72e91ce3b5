"""Decide what one profile needs from one source: copy, remux or encode, and with what settings.

The plan's `spec` holds only the effective output settings, so two profiles that coincide for a
source (e.g. 9:16 Reels and 9:16 FB Reels on a 30 s clip) get the same content key: one file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from core.errors import MediaRejected
from core.media.probe import MediaInfo
from core.media.profiles import FITS, Fit, ImageProfile, Profile, VideoProfile

ENCODER_VERSION = 1  # bump when the encode settings change, so old outputs are not reused
DurationPolicy = Literal["trim", "refuse"]
Action = Literal["copy", "remux", "encode"]
ImageFormat = Literal["jpeg", "png", "webp"]
_IMAGE_FORMATS: dict[str, ImageFormat] = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
}
MIN_VIDEO_BITRATE = 300_000
SIZE_HEADROOM = 0.9


@dataclass
class OutputPlan:
    """How to make one output file; `spec` is what the content key hashes."""

    kind: Literal["video", "image"]
    action: Action
    width: int
    height: int
    fit: Fit | None = None
    fps: float | None = None
    duration: float | None = None
    trim_to: float | None = None
    pad_to: float | None = None
    crf: int = 21
    maxrate: int | None = None
    audio: bool = False
    audio_rate: int = 48_000
    audio_bitrate: int = 128_000
    tonemap: bool = False
    image_format: ImageFormat = "jpeg"
    jpeg_q: int = 2
    max_bytes: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def mime_type(self) -> str:
        """The MIME type of the file this plan makes."""
        return "video/mp4" if self.kind == "video" else f"image/{self.image_format}"

    @property
    def extension(self) -> str:
        """The file extension of the output."""
        return {
            "video/mp4": ".mp4",
            "image/jpeg": ".jpg",
            "image/png": ".png",
            "image/webp": ".webp",
        }[self.mime_type]

    def spec(self) -> dict[str, Any]:
        """The effective settings (no notes), stable across profile names."""
        data = {k: v for k, v in self.__dict__.items() if k != "notes"}
        data["v"] = ENCODER_VERSION
        return data

    def content_key(self, source_hash: str) -> str:
        """sha256 of the source's content hash and the effective settings."""
        blob = json.dumps({"src": source_hash, "spec": self.spec()}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def plan_output(
    info: MediaInfo,
    profile: Profile,
    *,
    fit: Fit | None = None,
    duration_policy: DurationPolicy = "trim",
) -> OutputPlan:
    """The plan for `profile` from a source described by `info`; MediaRejected if impossible."""
    if fit is not None and fit not in FITS:
        raise ValueError(f"unknown fit {fit!r}")
    if isinstance(profile, ImageProfile):
        if info.kind != "image":
            raise MediaRejected(f"{profile.label} needs a photo, and this is a video.")
        return _plan_image(info, profile, fit or "pad_blur")
    if info.kind != "video":
        raise MediaRejected(f"{profile.label} needs a video, and this is a photo.")
    return _plan_video(info, profile, fit or "pad_blur", duration_policy)


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _plan_image(info: MediaInfo, p: ImageProfile, fit: Fit) -> OutputPlan:
    aspect = info.width / info.height
    lo, hi = p.min_aspect or 0.0, p.max_aspect or float("inf")
    target = min(max(aspect, lo), hi)
    w, h = float(info.width), float(info.height)
    if target != aspect:
        if fit == "crop":
            w, h = (w, w / target) if target > aspect else (h * target, h)
        else:
            w, h = (h * target, h) if target > aspect else (w, w / target)
    scale = 1.0
    if p.max_width and w > p.max_width:
        scale = p.max_width / w
    if p.max_long_side and max(w, h) * scale > p.max_long_side:
        scale = p.max_long_side / max(w, h)
    if p.max_sum_sides and (w + h) * scale > p.max_sum_sides:
        scale = p.max_sum_sides / (w + h)
    if p.min_width and w * scale < p.min_width:
        scale = p.min_width / w
    out_w, out_h = _even(w * scale), _even(h * scale)
    fmt = _IMAGE_FORMATS.get(info.mime_type)
    fits_as_is = (
        info.mime_type in p.formats
        and info.rotation == 0
        and target == aspect
        and scale == 1.0
        and info.size_bytes <= p.max_bytes
        and not info.is_hdr
    )
    if fits_as_is and fmt is not None:
        return OutputPlan("image", "copy", info.width, info.height, image_format=fmt)
    notes = []
    if target != aspect:
        notes.append(
            f"Reshaped from {aspect:.2f}:1 to {target:.2f}:1 ({fit.replace('_', ' ')})"
            f" to fit {p.label}."
        )
    return OutputPlan(
        "image",
        "encode",
        out_w,
        out_h,
        fit=fit if target != aspect else None,
        image_format="jpeg",
        max_bytes=p.max_bytes,
        notes=notes,
    )


def _target_fps(src: float | None, p: VideoProfile) -> float:
    if src is None:
        return 30.0
    if src > p.max_fps:
        return p.max_fps
    if src < p.min_fps:
        return 30.0
    return src


def _plan_video(info: MediaInfo, p: VideoProfile, fit: Fit, policy: DurationPolicy) -> OutputPlan:
    src_dur = float(info.duration or 0.0)
    notes: list[str] = []
    trim_to = pad_to = None
    if p.max_duration is not None and src_dur > p.max_duration + 0.05:
        if policy == "refuse":
            raise MediaRejected(
                f"This video is {_fmt_dur(src_dur)} long; {p.label} takes at most"
                f" {_fmt_dur(p.max_duration)}."
            )
        trim_to = p.max_duration
        notes.append(
            f"Trimmed to the first {_fmt_dur(trim_to)} ({p.label} limit); the"
            f" original is {_fmt_dur(src_dur)}."
        )
    if src_dur < p.min_duration - 0.05:
        pad_to = p.min_duration
        notes.append(
            f"Extended to {_fmt_dur(pad_to)} by holding the last frame ({p.label}"
            f" minimum); the original is {_fmt_dur(src_dur)}."
        )
    out_dur = trim_to or pad_to or src_dur
    audio_bitrate = p.audio_bitrate if info.has_audio else 0
    maxrate = p.max_video_bitrate
    if p.max_bytes:
        budget = int(p.max_bytes * SIZE_HEADROOM * 8 / max(out_dur, 0.1)) - audio_bitrate
        if budget < MIN_VIDEO_BITRATE:
            fit_dur = p.max_bytes * SIZE_HEADROOM * 8 / (MIN_VIDEO_BITRATE + audio_bitrate)
            if policy == "refuse":
                raise MediaRejected(
                    f"This video is too long to fit {p.label}'s"
                    f" {p.max_bytes // 1024 // 1024} MB limit at a watchable"
                    f" quality (at most about {_fmt_dur(fit_dur)})."
                )
            trim_to = out_dur = int(fit_dur)
            notes.append(
                f"Trimmed to the first {_fmt_dur(out_dur)} to stay under"
                f" {p.max_bytes // 1024 // 1024} MB ({p.label})."
            )
            budget = MIN_VIDEO_BITRATE
        maxrate = min(maxrate, budget)
    long_cap = p.max_long_side
    if long_cap and maxrate < 1_200_000:
        long_cap = min(long_cap, 854)
    if p.fixed_frame:
        assert p.width is not None and p.height is not None
        out_w, out_h = p.width, p.height
        target_aspect = p.width / p.height
    else:
        scale = min(1.0, (long_cap or 10**6) / max(info.width, info.height))
        out_w, out_h = _even(info.width * scale), _even(info.height * scale)
        target_aspect = info.width / info.height
    fps = _target_fps(info.fps, p)
    plan = OutputPlan(
        "video",
        "encode",
        out_w,
        out_h,
        fit=fit if p.fixed_frame else None,
        fps=round(fps, 3),
        duration=out_dur,
        trim_to=trim_to,
        pad_to=pad_to,
        crf=p.crf,
        maxrate=maxrate,
        audio=info.has_audio,
        audio_rate=min(info.audio_sample_rate or 48_000, p.max_audio_rate)
        if info.audio_sample_rate in (44_100, 48_000)
        else 48_000,
        audio_bitrate=p.audio_bitrate,
        tonemap=info.is_hdr,
        max_bytes=p.max_bytes,
        notes=notes,
    )
    if p.fixed_frame and abs(info.width / info.height - target_aspect) > 0.01:
        plan.notes.append(
            f"Reshaped from {info.width}x{info.height} to {out_w}x{out_h}"
            f" ({fit.replace('_', ' ')})."
        )
    if not notes and _stream_compliant(info, p, target_aspect):
        fast = info.container == "mp4" and info.faststart
        return OutputPlan(
            "video",
            "copy" if fast else "remux",
            info.width,
            info.height,
            fps=info.fps,
            duration=src_dur,
            audio=info.has_audio,
        )
    return plan


def _stream_compliant(info: MediaInfo, p: VideoProfile, aspect: float) -> bool:
    """Whether the source's streams already meet the profile (then copy, never re-encode)."""
    if not info.browser_playable and not (info.container == "mov" and _codecs_ok(info)):
        return False
    if info.audio_sample_rate and info.audio_sample_rate > p.max_audio_rate:
        return False
    if info.is_hdr or (info.rotation and p.fixed_frame):
        return False
    if info.fps is None or not p.min_fps <= info.fps <= p.max_fps + 0.01:
        return False
    if p.max_bytes and info.size_bytes > p.max_bytes:
        return False
    if info.bitrate and info.bitrate > p.accept_bitrate:
        return False
    if p.fixed_frame:
        assert p.width is not None and p.height is not None
        return (
            abs(info.width / info.height - aspect) <= 0.01
            and info.width <= p.width
            and min(info.width, info.height) >= p.min_short_side
        )
    return max(info.width, info.height) <= (p.max_long_side or 10**6)


def _codecs_ok(info: MediaInfo) -> bool:
    return (
        info.video_codec == "h264"
        and info.pix_fmt in ("yuv420p", "yuvj420p")
        and info.bit_depth == 8
        and (not info.has_audio or info.audio_codec == "aac")
    )


def _fmt_dur(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min" if not rest else f"{minutes} min {rest} s"
