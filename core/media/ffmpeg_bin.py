"""Locating the ffmpeg and ffprobe binaries: settings, PATH, then the imageio-ffmpeg wheel."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from core.config import Settings
from core.errors import OneClickError


class FfmpegMissing(OneClickError):
    """No usable ffmpeg binary was found on this machine."""

    user_message = "Media processing is not available on this server (ffmpeg is missing)."


def ffmpeg_exe(settings: Settings | None = None) -> str:
    """The ffmpeg to run: `Settings.ffmpeg_binary`, else PATH, else imageio-ffmpeg's binary."""
    if settings is not None and settings.ffmpeg_binary:
        return settings.ffmpeg_binary
    return _default_ffmpeg()


@lru_cache
def _default_ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - the wheel is a dependency
        raise FfmpegMissing() from exc
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:  # pragma: no cover - wheel without a binary
        raise FfmpegMissing() from exc


@lru_cache
def ffprobe_exe() -> str | None:
    """An ffprobe on PATH, or None (then probing uses PyAV)."""
    return shutil.which("ffprobe")


@lru_cache
def encoders(exe: str) -> frozenset[str]:
    """The encoder names this ffmpeg binary was built with."""
    out = subprocess.run(
        [exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS":
            names.add(parts[1])
    return frozenset(names)
