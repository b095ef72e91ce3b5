"""schemathesis hooks for the API contract check (schemathesis.toml names this module).

Uploads: the schema says which media types `file` takes, not that the bytes must decode,
so positive cases get real images (small PNGs and a JPEG, made here without ffmpeg).
The `time-zone` string format: the names this server's zoneinfo knows.
"""

from __future__ import annotations

import struct
import zlib

import schemathesis
from hypothesis import strategies as st

from webapp.api.schemas import time_zones


def png(width: int, height: int, rgb: tuple[int, int, int] = (200, 40, 90)) -> bytes:
    """A solid-colour RGB PNG, encoded by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# a 1x1 baseline JPEG (grey), the smallest file every decoder reads
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c"
    "140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27"
    "393d38323c2e333432ffc0000b080001000101011100ffc4001f000001050101010101010000000000"
    "0000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105"
    "122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728"
    "292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a"
    "838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7"
    "c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00"
    "fbd3ffd9"
)

schemathesis.openapi.media_type(
    "image/png", st.sampled_from([png(1, 1), png(16, 9), png(64, 64, (10, 120, 30))])
)
schemathesis.openapi.media_type("image/jpeg", st.just(JPEG))
schemathesis.openapi.format("time-zone", st.sampled_from(time_zones()))
