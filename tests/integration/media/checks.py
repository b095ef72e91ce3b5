"""Check an output file, by probing it, against the profile it was made for."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from core.media.probe import MediaInfo, probe_sync
from core.media.profiles import ImageProfile, Profile, VideoProfile
from core.models import TranscodedMedia


def check_output(row: TranscodedMedia, profile: Profile, source: MediaInfo) -> MediaInfo:
    """Probe the row's file and assert every limit of `profile`; return the probe."""
    path = Path(row.file_path)
    info = probe_sync(path)
    assert (row.width, row.height, row.size_bytes) == (info.width, info.height, info.size_bytes)
    assert row.mime_type == info.mime_type
    if isinstance(profile, ImageProfile):
        _check_image(info, profile)
    else:
        _check_video(info, profile, source)
        assert row.thumbnail_path and probe_sync(Path(row.thumbnail_path)).kind == "image"
    return info


def _check_image(info: MediaInfo, p: ImageProfile) -> None:
    assert info.kind == "image" and info.mime_type in p.formats
    assert info.size_bytes <= p.max_bytes and info.rotation == 0
    aspect = info.width / info.height
    if p.min_aspect:
        assert aspect >= p.min_aspect - 0.01
    if p.max_aspect:
        assert aspect <= p.max_aspect + 0.01
    if p.max_width:
        assert info.width <= p.max_width
    assert info.width >= p.min_width
    if p.max_long_side:
        assert max(info.width, info.height) <= p.max_long_side
    if p.max_sum_sides:
        assert info.width + info.height <= p.max_sum_sides


def _check_video(info: MediaInfo, p: VideoProfile, source: MediaInfo) -> None:
    assert (info.container, info.video_codec, info.pix_fmt, info.bit_depth) == (
        "mp4",
        "h264",
        "yuv420p",
        8,
    ), info
    assert info.faststart and not info.is_hdr and info.browser_playable
    if p.fixed_frame or source.rotation == 0:
        assert info.rotation == 0
    if source.has_audio:
        assert info.audio_codec == "aac" and info.audio_sample_rate <= p.max_audio_rate
    if p.fixed_frame:  # the profile's frame, or a smaller same-shape source stream-copied
        assert p.width is not None and p.height is not None
        assert info.width / info.height == pytest.approx(p.width / p.height, rel=0.01)
        assert info.width <= p.width and min(info.width, info.height) >= p.min_short_side
    else:
        assert max(info.width, info.height) <= (p.max_long_side or 10**6)
        assert info.width % 2 == 0 and info.height % 2 == 0
        assert info.width / info.height == pytest.approx(source.width / source.height, rel=0.03)
    assert info.fps is not None and p.min_fps <= info.fps <= p.max_fps + 0.01
    expected = max(min(source.duration or 0, p.max_duration or 1e9), p.min_duration)
    assert info.duration == pytest.approx(expected, abs=0.15)
    if p.max_bytes:
        assert info.size_bytes <= p.max_bytes


def row_brightness(path: Path, rows: slice) -> float:
    """Mean luma of the first frame's rows in `rows` (as displayed by a player that
    ignores rotation metadata, i.e. the coded picture)."""
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
    plane = frame.planes[0]
    data = bytes(plane)
    lines = range(frame.height)[rows]
    total = sum(sum(data[y * plane.line_size : y * plane.line_size + frame.width]) for y in lines)
    return total / (len(lines) * frame.width)
