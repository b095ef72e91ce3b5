"""Intake limits on what a file declares (size of the picture, length, frame rate), checked
before anything is decoded: image sizes come from the header bytes alone."""

from __future__ import annotations

import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from core.config import Settings
from core.errors import TooLarge

JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
MAX_SEGMENTS = 4096


@dataclass(frozen=True)
class MediaLimits:
    """How large a picture, how long and how fast a video intake accepts."""

    image_pixels: int
    video_pixels: int
    side: int
    video_seconds: float
    video_fps: float

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaLimits:
        """The limits configured in the settings."""
        return cls(
            image_pixels=settings.max_image_pixels,
            video_pixels=settings.max_video_pixels,
            side=settings.max_media_side,
            video_seconds=settings.max_video_seconds,
            video_fps=settings.max_video_fps,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (handed to the probe's child process)."""
        return asdict(self)

    def check_picture(self, width: int, height: int, *, video: bool) -> None:
        """TooLarge when a declared picture is over the pixel or side limit."""
        what = "video's frames are" if video else "image is"
        pixels = self.video_pixels if video else self.image_pixels
        if width > self.side or height > self.side or width * height > pixels:
            raise TooLarge(
                f"This {what} {width}×{height} pixels; the limit is "
                f"{_megapixels(pixels)} megapixels and {self.side:,} pixels per side."
            )

    def check_timing(self, duration: float | None, fps: float | None) -> None:
        """TooLarge when a declared video length or frame rate is over the limit."""
        if duration is not None and duration > self.video_seconds:
            raise TooLarge(
                f"This video is {_clock(duration)} long; the limit is {_clock(self.video_seconds)}."
            )
        if fps is not None and fps > self.video_fps:
            raise TooLarge(
                f"This video has {fps:,.0f} frames per second; the limit is {self.video_fps:,.0f}."
            )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.0f}"


def _clock(seconds: float) -> str:
    """1 h 05 min, 12 min 30 s, 45 s."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min" + (f" {secs} s" if secs else "")
    return f"{secs} s"


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG, GIF, WebP, BMP or TIFF header; None otherwise."""
    with path.open("rb") as fh:
        head = fh.read(64)
        if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
            return _pair(">II", head, 16)
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return _pair("<HH", head, 6)
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return _webp(head)
        if head[:2] == b"BM" and len(head) >= 26:
            return _bmp(head)
        if head[:4] in (b"II*\x00", b"MM\x00*"):
            return _tiff(fh, head)
        if head[:2] == b"\xff\xd8":
            return _jpeg(fh)
    return None


def _pair(fmt: str, data: bytes, offset: int) -> tuple[int, int] | None:
    if len(data) < offset + struct.calcsize(fmt):
        return None
    width, height = struct.unpack_from(fmt, data, offset)
    return int(width), int(height)


def _webp(head: bytes) -> tuple[int, int] | None:
    chunk, data = head[12:16], head[20:]
    if chunk == b"VP8X" and len(data) >= 10:
        width = int.from_bytes(data[4:7], "little") + 1
        return width, int.from_bytes(data[7:10], "little") + 1
    if chunk == b"VP8L" and len(data) >= 5 and data[0] == 0x2F:
        bits = int.from_bytes(data[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 10 and data[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", data, 6)
        return width & 0x3FFF, height & 0x3FFF
    return None


def _bmp(head: bytes) -> tuple[int, int] | None:
    header_size = struct.unpack_from("<I", head, 14)[0]
    if header_size == 12:
        return _pair("<HH", head, 18)
    width, height = struct.unpack_from("<ii", head, 18)
    return abs(width), abs(height)


def _tiff(fh: BinaryIO, head: bytes) -> tuple[int, int] | None:
    order = "<" if head[:2] == b"II" else ">"
    fh.seek(struct.unpack_from(order + "I", head, 4)[0])
    raw = fh.read(2)
    if len(raw) < 2:
        return None
    count = min(struct.unpack(order + "H", raw)[0], 512)
    entries = fh.read(12 * count)
    found: dict[int, int] = {}
    for i in range(len(entries) // 12):
        tag, kind = struct.unpack_from(order + "HH", entries, i * 12)
        if tag in (256, 257):
            fmt = order + ("H" if kind == 3 else "I")
            found[tag] = struct.unpack_from(fmt, entries, i * 12 + 8)[0]
    if 256 in found and 257 in found:
        return found[256], found[257]
    return None


def _jpeg(fh: BinaryIO) -> tuple[int, int] | None:
    """Walk the marker segments to the first start-of-frame; nothing is decoded."""
    fh.seek(2)
    for _ in range(MAX_SEGMENTS):
        marker = fh.read(2)
        while len(marker) == 2 and marker[0] == 0xFF and marker[1] == 0xFF:
            marker = marker[1:] + fh.read(1)  # fill bytes
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        if marker[1] in (0x01, *range(0xD0, 0xD8)):
            continue
        raw = fh.read(2)
        if len(raw) < 2:
            return None
        length = struct.unpack(">H", raw)[0]
        if marker[1] in JPEG_SOF:
            frame = fh.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack_from(">HH", frame, 1)
            return int(width), int(height)
        if marker[1] == 0xDA or length < 2:
            return None
        fh.seek(length - 2, 1)
    return None
