"""Intake of new media: stream to disk, decide the type by content, store once."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from core import audit
from core.config import Settings
from core.errors import MediaRejected, TooLarge
from core.media.probe import MediaInfo, probe_file
from core.models import AssetKind, AssetSource, Brand, MediaAsset, User

EXTENSIONS = {"video/mp4": ".mp4", "video/quicktime": ".mov", "image/jpeg": ".jpg",
              "image/png": ".png", "image/webp": ".webp", "video/webm": ".webm",
              "video/x-matroska": ".mkv", "image/gif": ".gif", "image/heic": ".heic"}
MAX_CAPTION = 10_000


def safe_display_name(name: str | None) -> str:
    """A file name fit for display: no directories, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip(" .")
    return base[:200] or "upload"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


async def _spool(settings: Settings, chunks: AsyncIterator[bytes]) -> tuple[Path, str, int]:
    tmp_dir = settings.media_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / f"upload-{uuid.uuid4().hex}"
    limit = max(settings.max_video_bytes, settings.max_image_bytes)
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"The file is larger than the {_mb(limit)} upload limit.")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size


def _check_size(info: MediaInfo, size: int, settings: Settings) -> None:
    limit = settings.max_video_bytes if info.kind == "video" else settings.max_image_bytes
    if size > limit:
        raise TooLarge(f"This {info.kind} is {_mb(size)}; the limit for a {info.kind} is "
                       f"{_mb(limit)}.")


async def ingest_media(
    settings: Settings,
    *,
    brand: Brand,
    chunks: AsyncIterator[bytes],
    file_name: str | None,
    caption: str = "",
    actor: User | None,
    origin: str,
    source: AssetSource = AssetSource.UPLOAD,
    source_id: str | None = None,
    source_url: str = "",
    parent: MediaAsset | None = None,
    position: int = 0,
) -> MediaAsset:
    """Store one media file as an asset; MediaRejected/TooLarge leave nothing behind."""
    if len(caption) > MAX_CAPTION:
        raise MediaRejected(f"The caption is longer than {MAX_CAPTION:,} characters.")
    tmp, content_hash, size = await _spool(settings, chunks)
    try:
        if size == 0:
            raise MediaRejected("The file is empty.")
        info = await probe_file(tmp)
        _check_size(info, size, settings)
        final = settings.media_dir / "originals" / content_hash[:2] / (
            content_hash + EXTENSIONS.get(info.mime_type, ""))
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            tmp.unlink()
        else:
            shutil.move(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    asset = await MediaAsset.create(
        brand=brand, parent=parent, position=position, source=source, source_id=source_id,
        source_url=source_url, kind=AssetKind(info.kind), original_caption=caption.strip(),
        file_path=str(final), file_name=safe_display_name(file_name),
        content_hash=content_hash, mime_type=info.mime_type, size_bytes=size,
        width=info.width, height=info.height, duration_seconds=info.duration,
        probe=info.to_json(), created_by=actor)
    await audit.record("asset.created", actor=actor, brand=brand, obj=asset, origin=origin,
                       details={"source": source.value, "kind": info.kind, "bytes": size})
    return asset


async def file_chunks(path: Path, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    """Read a local file in chunks (for CLI, bots and tests that already hold a file)."""
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            yield chunk
