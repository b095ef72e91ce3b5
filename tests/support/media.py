"""Small real media files for API and bot tests, made with the ffmpeg the product uses."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from core.media.ffmpeg_bin import ffmpeg_exe

_made: dict[str, Path] = {}  # the process's cache folder, made on first use


def _synthetic(*args: str) -> None:
    """Run ffmpeg on lavfi sources only; the last argument is the output. The same arguments
    make the same file, so each is made once per process and copied after that."""
    *inputs, output = args
    key = hashlib.sha256("\0".join(inputs).encode()).hexdigest()[:24] + Path(output).suffix
    if "dir" not in _made:
        _made["dir"] = Path(tempfile.mkdtemp(prefix="oneclick-media-"))
        atexit.register(shutil.rmtree, _made["dir"], True)
    cached = _made["dir"] / key
    if not cached.exists():
        partial = cached.with_name(f"{os.getpid()}-{os.urandom(4).hex()}{cached.suffix}")
        subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *inputs, str(partial)],
            check=True,
            timeout=120,
        )
        os.replace(partial, cached)  # whole files only, even when threads race
    shutil.copyfile(cached, output)


def make_mp4(path: Path, *, seconds: float = 5.0, size: str = "320x240", fps: int = 25) -> Path:
    """A browser-playable H.264/AAC MP4 with the moov atom first."""
    _synthetic(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate={fps}:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-movflags",
        "+faststart",
        "-shortest",
        str(path),
    )
    return path


def make_jpeg(path: Path, *, size: str = "640x480") -> Path:
    """A JPEG photo."""
    _synthetic("-f", "lavfi", "-i", f"testsrc2=size={size}:duration=1", "-frames:v", "1", str(path))
    return path


def make_fake_mp4(path: Path) -> Path:
    """A text file posing as a video."""
    path.write_text("This is not a video, just text pretending to be one.\n" * 20)
    return path
