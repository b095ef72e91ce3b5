"""probe_file: facts of real generated files, and human reasons for bad ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import MediaRejected
from core.media.probe import MediaInfo, probe_file
from tests import media_factory as mf


async def test_landscape_1080p_facts(lib: Path) -> None:
    info = await probe_file(mf.landscape_1080p(lib))
    assert info.kind == "video" and info.mime_type == "video/mp4" and info.container == "mp4"
    assert (info.width, info.height, info.rotation) == (1920, 1080, 0)
    assert info.duration == pytest.approx(2.0, abs=0.1) and info.fps == pytest.approx(30)
    assert (info.video_codec, info.pix_fmt, info.bit_depth, info.is_hdr) == (
        "h264",
        "yuv420p",
        8,
        False,
    )
    assert (info.has_audio, info.audio_codec, info.audio_sample_rate) == (True, "aac", 48000)
    assert info.faststart and info.browser_playable
    assert info.size_bytes == mf.landscape_1080p(lib).stat().st_size and info.bitrate
    assert MediaInfo.from_json(info.to_json()) == info


async def test_portrait_rotation_gives_display_size(lib: Path) -> None:
    info = await probe_file(mf.portrait_rotated(lib))
    assert info.rotation == 90 and (info.width, info.height) == (180, 320)


async def test_moov_at_end_is_not_faststart(lib: Path) -> None:
    info = await probe_file(mf.landscape_1080p(lib, faststart=False))
    assert not info.faststart and info.browser_playable


async def test_hevc_4k60(lib: Path) -> None:
    info = await probe_file(mf.hevc_4k60(lib))
    assert (info.video_codec, info.width, info.height, info.fps) == ("hevc", 3840, 2160, 60)
    assert not info.browser_playable


async def test_hdr10_and_10_bit(lib: Path) -> None:
    hdr = await probe_file(mf.ten_bit_hdr(lib))
    assert hdr.is_hdr and hdr.bit_depth == 10 and not hdr.browser_playable
    h10 = await probe_file(mf.ten_bit_h264(lib))
    assert h10.bit_depth == 10 and not h10.is_hdr and not h10.browser_playable


async def test_other_sources(lib: Path) -> None:
    mkv = await probe_file(mf.vp9_mkv(lib))
    assert (mkv.container, mkv.mime_type, mkv.video_codec, mkv.audio_codec) == (
        "matroska",
        "video/x-matroska",
        "vp9",
        "opus",
    )
    silent = await probe_file(mf.no_audio(lib))
    assert not silent.has_audio and silent.audio_codec is None and silent.browser_playable
    odd = await probe_file(mf.odd_size(lib))
    assert (odd.width, odd.height, odd.pix_fmt) == (333, 201, "yuv444p")


async def test_images(lib: Path) -> None:
    jpg = await probe_file(mf.image(lib))
    assert (jpg.kind, jpg.mime_type, jpg.width, jpg.height, jpg.duration) == (
        "image",
        "image/jpeg",
        640,
        480,
        None,
    )
    png = await probe_file(mf.image(lib, fmt="png"))
    assert (png.kind, png.mime_type, png.container) == ("image", "image/png", "png")
    assert jpg.browser_playable and png.browser_playable


async def test_type_comes_from_content_not_name(lib: Path) -> None:
    renamed = lib / "actually_a_photo.mp4"
    renamed.write_bytes(mf.image(lib, fmt="png").read_bytes())
    assert (await probe_file(renamed)).mime_type == "image/png"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (mf.empty, "empty"),
        (mf.truncated, "incomplete or damaged"),
        (mf.truncated_no_moov, "incomplete or damaged"),
        (mf.text_as_mp4, "not a photo or video"),
        (mf.audio_only, "only sound"),
    ],
)
async def test_bad_files_rejected_with_reason(
    lib: Path, make: Callable[[Path], Path], reason: str
) -> None:
    with pytest.raises(MediaRejected, match=reason) as caught:
        await probe_file(make(lib))
    assert caught.value.user_message.endswith(".")


async def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaRejected, match="could not be found"):
        await probe_file(tmp_path / "nope.mp4")
