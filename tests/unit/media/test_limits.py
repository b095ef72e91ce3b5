"""Declared sizes read from headers alone, the limited probe child, ffmpeg's forced input."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.errors import MediaRejected, TooLarge
from core.media.graph import encode_command, remux_command, thumbnail_command
from core.media.limits import MediaLimits, image_size
from core.media.plan import plan_output
from core.media.probe import probe_sync
from core.media.profiles import PROFILES
from core.media.sandbox import HEAVY, probe_untrusted
from tests import media_factory as mf
from tests.conftest import make_settings
from tests.support.hostile_media import declare_hours, png_bomb

LIMITS = MediaLimits(
    image_pixels=50_000_000, video_pixels=7680 * 4320, side=16384, video_seconds=1800, video_fps=240
)


@pytest.mark.parametrize("fmt", ["jpg", "png", "webp", "gif", "bmp", "tiff"])
def test_image_size_from_the_header_alone(lib: Path, fmt: str) -> None:
    path = mf.image(lib, width=330, height=210, fmt=fmt)
    assert image_size(path) == (330, 210)


def test_image_size_of_bombs_and_non_images(tmp_path: Path, lib: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb(20000, 300))
    assert image_size(bomb) == (20000, 300)
    assert image_size(mf.no_audio(lib)) is None
    assert image_size(mf.text_as_mp4(lib)) is None
    with pytest.raises(TooLarge, match="20000×300 pixels; the limit is 50 megapixels"):
        probe_sync(bomb, LIMITS)  # refused on its side length, nothing decoded


def test_limit_messages() -> None:
    with pytest.raises(TooLarge, match="This video is 1 h 00 min long; the limit is 30 min"):
        LIMITS.check_timing(3600, 30)
    with pytest.raises(TooLarge, match="1,000 frames per second; the limit is 240"):
        LIMITS.check_timing(10, 1000)
    with pytest.raises(TooLarge, match="video's frames are 8192×8192"):
        LIMITS.check_picture(8192, 8192, video=True)
    LIMITS.check_picture(8000, 6000, video=False)
    LIMITS.check_timing(None, None)


async def test_the_probe_child_refuses_declared_hours(tmp_path: Path, lib: Path) -> None:
    settings = make_settings(tmp_path)
    long = declare_hours(mf.no_audio(lib, seconds=1), tmp_path / "long.mp4", hours=3)
    with pytest.raises(TooLarge, match="3 h 00 min"):
        await probe_untrusted(long, settings)
    info = await probe_untrusted(mf.no_audio(lib, seconds=1), settings)
    assert info.kind == "video" and info.demuxer == "mov" and info.input_format == "mov"


async def test_a_probe_out_of_memory_only_ends_its_child(tmp_path: Path, lib: Path) -> None:
    settings = make_settings(tmp_path, probe_memory_mb=48)
    with pytest.raises(MediaRejected) as caught:
        await probe_untrusted(mf.image(lib), settings)
    assert caught.value.user_message == HEAVY
    settings.probe_memory_mb = 1024
    assert (await probe_untrusted(mf.image(lib), settings)).input_format == "jpeg_pipe"


async def test_a_playlist_never_opens_its_addresses(tmp_path: Path) -> None:
    hits: list[int] = []

    async def listener(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(1)
        writer.close()

    server = await asyncio.start_server(listener, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    playlist = tmp_path / "clip.mp4"
    playlist.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n"
        f"http://127.0.0.1:{port}/seg.ts\n#EXT-X-ENDLIST\n"
    )
    async with server:
        with pytest.raises(MediaRejected):
            await probe_untrusted(playlist, make_settings(tmp_path))
    assert hits == []


def test_ffmpeg_reads_untrusted_input_with_its_probed_demuxer_from_files_only(lib: Path) -> None:
    info = probe_sync(mf.no_audio(lib, seconds=1))
    jobs = [(plan_output(info, PROFILES["fb_reels_9x16"]), Path("/out/a.mp4"))]
    for argv in (
        encode_command("ffmpeg", Path("/in"), jobs, in_format=info.input_format),
        remux_command("ffmpeg", Path("/in"), Path("/o.mp4"), info.input_format),
    ):
        before_input = argv[: argv.index("-i")]
        assert before_input[before_input.index("-f") + 1] == "mov"
        assert before_input[before_input.index("-protocol_whitelist") + 1] == "file"
    thumb = thumbnail_command("ffmpeg", Path("/out/a.mp4"), Path("/t.jpg"), 1.0)
    assert thumb[thumb.index("-protocol_whitelist") + 1] == "file"
