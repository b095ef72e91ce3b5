"""Probe and validate an intake file: what it is is decided by its content, never its name.

PyAV (the `av` wheel, which bundles the FFmpeg libraries) is the one probing backend: it
is a dependency on every machine, unlike ffprobe, so every host reports the same facts.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import av
import av.error

from core.errors import MediaRejected
from core.media.limits import MediaLimits, image_size

MOV_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
IMAGE_FORMATS = {
    "image2",
    "png_pipe",
    "jpeg_pipe",
    "webp_pipe",
    "bmp_pipe",
    "tiff_pipe",
    "gif",
    "gif_pipe",
    "webp",
}
VIDEO_FORMATS = {MOV_FAMILY, "matroska,webm", "avi", "mpegts", "flv", "mpeg", "ogg", "asf"}
IMAGE_MIME = {
    "mjpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
}
IMAGE_CONTAINER = {
    "mjpeg": "jpeg",
    "png": "png",
    "webp": "webp",
    "gif": "gif",
    "bmp": "bmp",
    "tiff": "tiff",
}
VIDEO_MIME = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "matroska": "video/x-matroska",
    "webm": "video/webm",
    "avi": "video/x-msvideo",
    "mpegts": "video/mp2t",
    "flv": "video/x-flv",
    "mpeg": "video/mpeg",
    "ogg": "video/ogg",
    "asf": "video/x-ms-asf",
    "gif": "image/gif",
}
HDR_TRANSFERS = {16, 18}  # SMPTE ST 2084 (PQ), ARIB STD-B67 (HLG)
BROWSER_IMAGE_MIME = {"image/jpeg", "image/png", "image/webp"}
# what ffmpeg is told the input is (`-f`): never left to guess on an untrusted file
IMAGE_DEMUXER = {
    "mjpeg": "jpeg_pipe",
    "png": "png_pipe",
    "webp": "webp_pipe",
    "gif": "gif",
    "bmp": "bmp_pipe",
    "tiff": "tiff_pipe",
}
OPEN_OPTIONS = {
    "protocol_whitelist": "file",
    "format_whitelist": ",".join(
        [*sorted(IMAGE_FORMATS), *IMAGE_DEMUXER.values(), *sorted(VIDEO_FORMATS)]
    ),
}

NOT_MEDIA = "This file is not a photo or video we can read."
DAMAGED = "This video file is incomplete or damaged (it may not have finished uploading)."


@dataclass(frozen=True)
class MediaInfo:
    """What a media file holds, as the pipeline and the connectors need to know it."""

    kind: Literal["image", "video"]
    mime_type: str
    container: str
    width: int
    height: int
    rotation: int
    duration: float | None
    fps: float | None
    video_codec: str | None
    pix_fmt: str | None
    bit_depth: int
    is_hdr: bool
    has_audio: bool
    audio_codec: str | None
    audio_sample_rate: int | None
    bitrate: int | None
    size_bytes: int
    faststart: bool
    demuxer: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (stored in `MediaAsset.probe`)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MediaInfo:
        """The inverse of `to_json`, ignoring unknown keys."""
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def input_format(self) -> str:
        """The ffmpeg demuxer for `-f` (older probes lack it: derived from the container)."""
        if self.demuxer:
            return self.demuxer
        if self.kind == "image" or self.container == "gif":
            codec = {"jpeg": "mjpeg"}.get(self.container, self.container)
            return IMAGE_DEMUXER.get(codec, "image2")
        return {"mp4": "mov", "webm": "matroska"}.get(self.container, self.container)

    @property
    def aspect(self) -> float:
        """Display width / height."""
        return self.width / self.height

    @property
    def browser_playable(self) -> bool:
        """H.264 8-bit 4:2:0 with AAC or no audio in MP4, or a JPEG/PNG/WebP image."""
        if self.kind == "image":
            return self.mime_type in BROWSER_IMAGE_MIME
        return (
            self.container == "mp4"
            and self.video_codec == "h264"
            and self.pix_fmt in ("yuv420p", "yuvj420p")
            and self.bit_depth == 8
            and (not self.has_audio or self.audio_codec == "aac")
        )


async def probe_file(path: Path) -> MediaInfo:
    """Probe a file this product made, in a worker thread (untrusted ones: `core.media.sandbox`)."""
    return await asyncio.to_thread(probe_sync, Path(path))


def probe_sync(path: Path, limits: MediaLimits | None = None) -> MediaInfo:
    """The blocking probe; with `limits`, what the file declares is checked before decoding."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise MediaRejected("The file could not be found.") from exc
    if size == 0:
        raise MediaRejected("The file is empty (0 bytes).")
    head = _read_head(path)
    if limits is not None and (declared := image_size(path)) is not None:
        limits.check_picture(*declared, video=False)
    atoms = _mov_atoms(path, size) if head[4:8] == b"ftyp" else None
    if atoms is not None and _atoms_truncated(atoms, size):
        raise MediaRejected(DAMAGED)
    try:
        container = av.open(str(path), metadata_errors="ignore", container_options=OPEN_OPTIONS)
    except av.error.FFmpegError as exc:
        raise MediaRejected(DAMAGED if atoms is not None else NOT_MEDIA) from exc
    try:
        return _inspect(container, path, size, head, atoms, limits)
    except av.error.FFmpegError as exc:
        raise MediaRejected(DAMAGED) from exc
    finally:
        container.close()


def _inspect(
    container: Any,
    path: Path,
    size: int,
    head: bytes,
    atoms: list[tuple[bytes, int, int]] | None,
    limits: MediaLimits | None,
) -> MediaInfo:
    fmt = container.format.name
    if fmt not in IMAGE_FORMATS and fmt not in VIDEO_FORMATS:
        raise MediaRejected(NOT_MEDIA)
    video = next(
        (
            s
            for s in container.streams.video
            if not (s.disposition & av.stream.Disposition.attached_pic)
        ),
        None,
    )
    audio = container.streams.audio[0] if container.streams.audio else None
    if video is None:
        if audio is not None:
            raise MediaRejected("This file has only sound and no picture; send a photo or video.")
        raise MediaRejected(NOT_MEDIA)
    codec = video.codec_context.name
    if limits is not None:
        _check_declared(limits, container, video, still=fmt in IMAGE_FORMATS and codec != "gif")
    frames = _decode_head(container, video, 2)
    if not frames:
        raise MediaRejected(DAMAGED)
    first = frames[0]
    is_image = fmt in IMAGE_FORMATS and (len(frames) == 1 or codec != "gif")
    if is_image and codec not in IMAGE_MIME:
        raise MediaRejected("This image format is not supported; send a JPEG, PNG or WebP.")
    rotation = int(round(getattr(first, "rotation", 0) or 0)) % 360
    rotation = rotation if rotation in (0, 90, 180, 270) else 0
    width, height = first.width, first.height
    if rotation in (90, 270):
        width, height = height, width
    pix_fmt = first.format.name
    bit_depth = max((c.bits for c in first.format.components), default=8)
    if limits is not None:
        limits.check_picture(width, height, video=not is_image)
    common = {
        "width": width,
        "height": height,
        "rotation": rotation,
        "video_codec": codec,
        "pix_fmt": pix_fmt,
        "bit_depth": bit_depth,
        "is_hdr": int(first.color_trc) in HDR_TRANSFERS,
        "size_bytes": size,
    }
    if is_image:
        return MediaInfo(
            kind="image",
            mime_type=IMAGE_MIME[codec],
            container=IMAGE_CONTAINER[codec],
            duration=None,
            fps=None,
            demuxer=IMAGE_DEMUXER[codec],
            has_audio=False,
            audio_codec=None,
            audio_sample_rate=None,
            bitrate=None,
            faststart=False,
            **common,
        )
    duration = _duration(container, video)
    if duration is None or duration <= 0:
        raise MediaRejected(DAMAGED)
    rate = _frame_rate(video)
    if limits is not None:
        limits.check_timing(duration, float(rate) if rate else None)
    if atoms is None:
        _check_tail(container, video, duration)
    cname = _container_name(fmt, head, path)
    return MediaInfo(
        kind="video",
        mime_type=VIDEO_MIME.get(cname, "application/octet-stream"),
        container=cname,
        duration=round(duration, 3),
        fps=round(float(rate), 3) if rate else None,
        has_audio=audio is not None,
        audio_codec=audio.codec_context.name if audio is not None else None,
        audio_sample_rate=audio.codec_context.sample_rate if audio is not None else None,
        bitrate=container.bit_rate or None,
        faststart=_faststart(atoms),
        demuxer=IMAGE_DEMUXER["gif"] if fmt.startswith("gif") else fmt.split(",")[0],
        **common,
    )


def _check_declared(limits: MediaLimits, container: Any, video: Any, *, still: bool) -> None:
    """What the streams declare, before the first frame is decoded."""
    ctx = video.codec_context
    if ctx.width and ctx.height:
        limits.check_picture(ctx.width, ctx.height, video=not still)
    if not still:
        rate = _frame_rate(video)
        limits.check_timing(_duration(container, video), float(rate) if rate else None)


def _decode_head(container: Any, stream: Any, count: int) -> list[Any]:
    frames: list[Any] = []
    try:
        for frame in container.decode(stream):
            frames.append(frame)
            if len(frames) >= count:
                break
    except av.error.EOFError:
        pass
    except av.error.FFmpegError:
        if not frames:
            raise
    return frames


def _check_tail(container: Any, stream: Any, duration: float) -> None:
    """Decode the last second, so a file cut short is refused now, not mid-transcode."""
    if duration < 2 or stream.time_base is None:
        return
    container.seek(int((duration - 1) / stream.time_base), stream=stream, backward=True)
    for _ in container.decode(stream):
        pass


def _duration(container: Any, stream: Any) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration) / 1_000_000
    return None


def _frame_rate(video: Any) -> Any:
    """The stream's frame rate: its nominal rate when the measured average agrees within 10 %
    (a short clip's average is skewed by edit lists and the last frame's duration), else the
    average (variable frame rate, or a nominal rate that is only a time base)."""
    average, nominal = video.average_rate, video.guessed_rate
    if (
        average
        and nominal
        and float(nominal) <= 240
        and abs(float(average) - float(nominal)) <= 0.1 * float(nominal)
    ):
        return nominal
    return average or nominal


def _container_name(fmt: str, head: bytes, path: Path) -> str:
    if fmt == MOV_FAMILY:
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if fmt == "matroska,webm":
        return "webm" if b"webm" in head[:64] else "matroska"
    return fmt


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4096)


def _mov_atoms(path: Path, size: int) -> list[tuple[bytes, int, int]]:
    """Top-level (type, offset, declared size) atoms of an ISO-BMFF / QuickTime file."""
    atoms: list[tuple[bytes, int, int]] = []
    with path.open("rb") as fh:
        offset = 0
        while offset + 8 <= size and len(atoms) < 1000:
            fh.seek(offset)
            header = fh.read(16)
            box_size, box_type = struct.unpack(">I4s", header[:8])
            if box_size == 1 and len(header) >= 16:
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:
                box_size = size - offset
            if box_size < 8:
                break
            atoms.append((box_type, offset, box_size))
            offset += box_size
    return atoms


def _atoms_truncated(atoms: list[tuple[bytes, int, int]], size: int) -> bool:
    if not atoms:
        return True
    _, offset, box_size = atoms[-1]
    return offset + box_size > size


def _faststart(atoms: list[tuple[bytes, int, int]] | None) -> bool:
    if not atoms:
        return False
    order = [t for t, _, _ in atoms]
    if b"moov" not in order:
        return False
    return b"mdat" not in order or order.index(b"moov") < order.index(b"mdat")
