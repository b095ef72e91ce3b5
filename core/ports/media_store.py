"""Where media files are kept: originals, the formats made for each network, covers.

Files are made on this machine (an upload is spooled, ffmpeg writes its outputs) in a
`work_dir`, then `keep` puts them in the store under a name (names are content
addresses: the same name is the same bytes) and returns the reference a row holds
(`MediaAsset.file_path`, `TranscodedMedia.file_path`/`thumbnail_path`). Whoever needs the
bytes (ffmpeg, an upload to a network, the web's media answers) asks `local_file` for a
file on this machine. The local store (`core.media.store.LocalMediaStore`, the default)
keeps files under MEDIA_DIR and its references are their paths; a store elsewhere (S3)
brings a file into a local cache in `local_file`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class MediaStore(Protocol):
    """Keeps finished media files and hands them back as local files."""

    def work_dir(self, purpose: str) -> Path:
        """A local folder for files being made (`tmp`, `transcoded`), made on first use."""
        ...

    async def keep(self, local: Path, name: str) -> str:
        """Put a finished local file in the store as `name` (a relative path); if the store
        holds that name already, the local file is dropped. The file's reference."""
        ...

    async def local_file(self, ref: str) -> Path:
        """A file on this machine with the content of the stored file `ref`."""
        ...

    async def exists(self, ref: str) -> bool:
        """Whether the store still holds `ref` (an operator may have removed files)."""
        ...


async def kept_file(store: MediaStore, ref: str) -> Path | None:
    """The stored file `ref` on this machine, to answer a request with; None when the store
    no longer holds it (or there is no reference)."""
    if not ref or not await store.exists(ref):
        return None
    return await store.local_file(ref)
