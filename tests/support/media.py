"""Small real media files for API and bot tests, made with the ffmpeg the product uses."""

from __future__ import annotations

import subprocess
from pathlib import Path

from core.media.ffmpeg_bin import ffmpeg_exe


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True, timeout=120)


def make_mp4(path: Path, *, seconds: float = 5.0, size: str = "320x240", fps: int = 25) -> Path:
    """A browser-playable H.264/AAC MP4 with the moov atom first."""
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", "-shortest", str(path))
    return path


def make_jpeg(path: Path, *, size: str = "640x480") -> Path:
    """A JPEG photo."""
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:duration=1", "-frames:v", "1",
            str(path))
    return path


def make_fake_mp4(path: Path) -> Path:
    """A text file posing as a video."""
    path.write_text("This is not a video, just text pretending to be one.\n" * 20)
    return path
