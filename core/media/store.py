"""The local media store (`core.ports.media_store.MediaStore`): files under MEDIA_DIR.

A reference is the file's path, as rows have always held it. Work folders are inside the
store's root, so keeping a finished file is a rename on the same disk (or nothing, when it
was made in its place already, as the transcoder does).
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
from pathlib import Path


class LocalMediaStore:
    """Media files in a folder of this machine (MEDIA_DIR)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def work_dir(self, purpose: str) -> Path:
        """`MEDIA_DIR/<purpose>`, made on first use."""
        folder = self.root / purpose
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def path_of(self, name: str) -> Path:
        """Where the file kept as `name` lives; ValueError for a name that would leave the
        store's folder (names are made from content hashes and network ids)."""
        path = self.root / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise ValueError(f"not a media store name: {name!r}")
        return path

    async def keep(self, local: Path, name: str) -> str:
        """Move `local` to its name (a file already there wins: same name, same bytes)."""
        final = self.path_of(name)
        if local != final and not _placed(local, final):
            await asyncio.to_thread(shutil.move, local, final)  # from another disk
        return str(final)

    async def local_file(self, ref: str) -> Path:
        """The file itself: a local reference is its path."""
        return Path(ref)

    async def exists(self, ref: str) -> bool:
        """A stat, inline: microseconds, where a hop to a thread costs a hundred times more
        on the publish path."""
        return bool(ref) and _is_file(Path(ref))


def _placed(local: Path, final: Path) -> bool:
    """Rename `local` to `final` on the same disk, or drop it when `final` is there already;
    False when they are on different disks (a rename cannot move it)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        local.unlink(missing_ok=True)
        return True
    try:
        os.replace(local, final)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        return False
    return True


def _is_file(path: Path) -> bool:
    return path.is_file()
