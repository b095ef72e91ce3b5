"""Intake of new media: stream to disk, decide the type by content, store once."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiofiles

from core import audit
from core.config import Settings
from core.errors import MediaRejected, TooLarge
from core.media.probe import MediaInfo
from core.media.sandbox import probe_untrusted
from core.media.store import LocalMediaStore
from core.models import AssetKind, AssetSource, Brand, MediaAsset, User
from core.ports.media_store import MediaStore
from core.quota import check_quota

EXTENSIONS = {
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "video/webm": ".webm",
    "video/x-matroska": ".mkv",
    "image/gif": ".gif",
    "image/heic": ".heic",
}
MAX_CAPTION = 10_000


def safe_display_name(name: str | None) -> str:
    """A file name fit for display: no directories, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip(" .")
    return base[:200] or "upload"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


@dataclass
class Spooled:
    """An upload written to a temp file, hashed and counted while it streamed in."""

    path: Path
    content_hash: str
    size: int

    def discard(self) -> None:
        """Delete the temp file."""
        self.path.unlink(missing_ok=True)


class Spool:
    """Writes an incoming stream to a temp file under MEDIA_DIR, enforcing the size cap."""

    def __init__(self, settings: Settings) -> None:
        tmp_dir = settings.media_dir / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        self.path = tmp_dir / f"upload-{uuid.uuid4().hex}"
        self.limit = max(settings.max_video_bytes, settings.max_image_bytes)
        self._digest = hashlib.sha256()
        self.size = 0
        self._handle = self.path.open("wb")

    def write(self, chunk: bytes) -> None:
        """Append a chunk; TooLarge (and the temp file removed) past the limit."""
        self.size += len(chunk)
        if self.size > self.limit:
            self.abort()
            raise TooLarge(f"The file is larger than the {_mb(self.limit)} upload limit.")
        self._digest.update(chunk)
        self._handle.write(chunk)

    def finish(self) -> Spooled:
        """Close the file and describe it."""
        self._handle.close()
        return Spooled(self.path, self._digest.hexdigest(), self.size)

    def abort(self) -> None:
        """Close and delete the temp file."""
        self._handle.close()
        self.path.unlink(missing_ok=True)


async def spool_chunks(settings: Settings, chunks: AsyncIterator[bytes]) -> Spooled:
    """Stream chunks to a temp file."""
    spool = Spool(settings)
    try:
        async for chunk in chunks:
            spool.write(chunk)
    except BaseException:
        spool.abort()
        raise
    return spool.finish()


def _check_size(info: MediaInfo, size: int, settings: Settings) -> None:
    limit = settings.max_video_bytes if info.kind == "video" else settings.max_image_bytes
    if size > limit:
        raise TooLarge(
            f"This {info.kind} is {_mb(size)}; the limit for a {info.kind} is {_mb(limit)}."
        )


async def ingest_media(
    settings: Settings,
    *,
    brand: Brand,
    chunks: AsyncIterator[bytes] | Spooled,
    file_name: str | None,
    caption: str = "",
    actor: User | None,
    origin: str,
    source: AssetSource = AssetSource.UPLOAD,
    source_id: str | None = None,
    source_url: str = "",
    parent: MediaAsset | None = None,
    position: int = 0,
    store: MediaStore | None = None,
) -> MediaAsset:
    """Store one media file as an asset; MediaRejected/TooLarge leave nothing behind.

    The original is kept in `store` (the services' media store; the local one under
    MEDIA_DIR when none is given) by its content hash: the same bytes are kept once.

    The brand's storage quota is checked before a stream is read and again with the file's
    size; the file is probed in a limited child process, its declared size, length and frame
    rate checked before anything is decoded."""
    if isinstance(chunks, Spooled):
        spooled = chunks
    else:
        await check_quota(settings, brand_id=brand.id)
        spooled = await spool_chunks(settings, chunks)
    tmp, content_hash, size = spooled.path, spooled.content_hash, spooled.size
    try:
        if len(caption) > MAX_CAPTION:
            raise MediaRejected(f"The caption is longer than {MAX_CAPTION:,} characters.")
        if size == 0:
            raise MediaRejected("The file is empty.")
        await check_quota(settings, brand_id=brand.id, incoming=size)
        info = await probe_untrusted(tmp, settings)
        _check_size(info, size, settings)
        name = f"originals/{content_hash[:2]}/{content_hash}{EXTENSIONS.get(info.mime_type, '')}"
        final = await (store or LocalMediaStore(settings.media_dir)).keep(tmp, name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    asset = await MediaAsset.create(
        brand=brand,
        parent=parent,
        position=position,
        source=source,
        source_id=source_id,
        source_url=source_url,
        kind=AssetKind(info.kind),
        original_caption=caption.strip(),
        file_path=final,
        file_name=safe_display_name(file_name),
        content_hash=content_hash,
        mime_type=info.mime_type,
        size_bytes=size,
        width=info.width,
        height=info.height,
        duration_seconds=info.duration,
        probe=info.to_json(),
        created_by=actor,
    )
    await audit.record(
        "asset.created",
        actor=actor,
        brand=brand,
        obj=asset,
        origin=origin,
        details={"source": source.value, "kind": info.kind, "bytes": size},
    )
    return asset


async def file_chunks(path: Path, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    """Read a local file in chunks (for the CLI, bots and tests that already hold a file)."""
    async with aiofiles.open(path, "rb") as handle:
        while chunk := await handle.read(chunk_size):
            yield chunk
