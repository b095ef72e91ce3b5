"""Hostile media for intake tests: a decompression-bomb PNG and a video declaring hours."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

ROW_BATCH = 256


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 16000, height: int = 16000) -> bytes:
    """A valid grey PNG of width×height black pixels: a few hundred KB that decode to
    width×height bytes (256 MB at the default size)."""
    packer = zlib.compressobj(9)
    rows = (b"\x00" + b"\x00" * width) * ROW_BATCH
    parts = [packer.compress(rows) for _ in range(height // ROW_BATCH)]
    parts.append(packer.compress((b"\x00" + b"\x00" * width) * (height % ROW_BATCH)))
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def declare_hours(src: Path, dest: Path, hours: float) -> Path:
    """A copy of a short MP4 (version-0 boxes) whose headers declare `hours` at the same
    frame rate: every duration (movie, track, media, edit list) and every sample count of
    the time table is scaled, while the file stays a few kilobytes."""
    data = bytearray(src.read_bytes())
    scale, seconds = struct.unpack_from(">II", data, data.find(b"mvhd") + 4 + 12)
    factor = hours * 3600 * scale / seconds

    def stretch(offset: int) -> None:
        value = struct.unpack_from(">I", data, offset)[0]
        struct.pack_into(">I", data, offset, int(value * factor))

    for match in re.finditer(rb"mvhd|tkhd|mdhd|elst|stts", bytes(data)):
        at, kind = match.end(), match.group()
        if data[at] != 0:
            raise ValueError("only version-0 boxes are rewritten")
        if kind in (b"mvhd", b"mdhd"):
            stretch(at + 16)
        elif kind == b"tkhd":
            stretch(at + 20)
        else:  # elst entries: (duration, media time, rate); stts entries: (count, delta)
            step = 12 if kind == b"elst" else 8
            for i in range(struct.unpack_from(">I", data, at + 4)[0]):
                stretch(at + 8 + i * step)
    dest.write_bytes(bytes(data))
    return dest
