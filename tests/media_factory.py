"""Generate real test media with the ffmpeg binary (testsrc2 pictures, sine tones).

Each function writes into `directory` under a name derived from its arguments and returns the
path; an existing file is reused, so a session-scoped directory makes each file once. Files
appear whole (written aside, then renamed), so test processes can share the directory.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from core.media.ffmpeg_bin import ffmpeg_exe


def _aside(path: Path) -> Path:
    """Where `path` is written before it is renamed into place (same folder and suffix)."""
    return path.with_name(f".{path.stem}.{os.getpid()}-{os.urandom(4).hex()}{path.suffix}")


class FfmpegFailed(RuntimeError):
    """ffmpeg refused; `stderr` holds what it said."""

    def __init__(self, argv: list[str], stderr: str) -> None:
        super().__init__(f"ffmpeg failed: {' '.join(argv)}\n{stderr}")
        self.stderr = stderr


def ffmpeg(*args: str) -> None:
    """Run the project's ffmpeg binary quietly (the last argument is the output file, which
    appears whole); raise with its stderr on failure."""
    *inputs, output = args
    partial = _aside(Path(output))
    argv = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *inputs]
    result = subprocess.run(
        [*argv, str(partial)], capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise FfmpegFailed([*argv, output], result.stderr)
    os.replace(partial, output)


def write_whole(path: Path, data: bytes) -> Path:
    """Write `data` to `path` so that no reader ever sees part of it."""
    partial = _aside(path)
    partial.write_bytes(data)
    os.replace(partial, path)
    return path


def _sources(width: int, height: int, fps: float, seconds: float, audio: bool) -> list[str]:
    args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    return args


def video(
    directory: Path,
    *,
    width: int = 1920,
    height: int = 1080,
    fps: float = 30,
    seconds: float = 2,
    audio: bool = True,
    vcodec: str = "libx264",
    pix_fmt: str = "yuv420p",
    container: str = "mp4",
    faststart: bool = True,
    extra: tuple[str, ...] = (),
    name: str | None = None,
) -> Path:
    """A testsrc2 clip; defaults: 1080p30 H.264/AAC MP4, moov first, 2 s."""
    stem = name or (
        f"v_{width}x{height}_{fps}_{seconds}_{int(audio)}_{vcodec}_{pix_fmt}_{int(faststart)}"
    )
    path = directory / f"{stem}.{container}"
    if path.exists():
        return path
    args = _sources(width, height, fps, seconds, audio)
    args += ["-c:v", vcodec, "-pix_fmt", pix_fmt]
    if vcodec in ("libx264", "libx265"):
        args += ["-preset", "ultrafast"]
    if audio:
        args += ["-c:a", "aac" if container in ("mp4", "mov") else "libopus", "-shortest"]
    if faststart and container in ("mp4", "mov"):
        args += ["-movflags", "+faststart"]
    ffmpeg(*args, *extra, str(path))
    return path


def landscape_1080p(directory: Path, seconds: float = 2, faststart: bool = True) -> Path:
    """1920x1080 30 fps H.264 High 4:2:0 + AAC 48 kHz in MP4: what a compliant camera gives."""
    return video(directory, seconds=seconds, faststart=faststart)


def portrait_rotated(directory: Path, width: int = 320, height: int = 180) -> Path:
    """Landscape-coded pixels with a 90° display-matrix rotation, as phones record portrait."""
    path = directory / f"rotated_{width}x{height}.mp4"
    if not path.exists():
        plain = video(directory, width=width, height=height, seconds=3)
        rotate_ccw_copy(plain, path, 90)
    return path


def rotate_ccw_copy(source: Path, path: Path, degrees: int) -> None:
    """Copy `source` with a display rotation of `degrees` counter-clockwise.

    ffmpeg 6+ sets the display matrix with `-display_rotation`; ffmpeg 5.1 (Debian 12) has no
    such option but turns the legacy `rotate` stream tag into the same matrix.
    """
    try:
        ffmpeg("-display_rotation", str(degrees), "-i", str(source), "-c", "copy", str(path))
    except FfmpegFailed as exc:
        if "display_rotation" not in exc.stderr:  # not the ffmpeg 5.1 case: a real failure
            raise
        ffmpeg(
            "-i", str(source), "-c", "copy", "-metadata:s:v:0", f"rotate={degrees % 360}", str(path)
        )


def orientation_marker(directory: Path) -> Path:
    """Coded 320x180 with a white left third, shown rotated 90° CCW: upright its bottom is white."""
    path = directory / "orientation_marker.mp4"
    if not path.exists():
        plain = directory / "orientation_plain.mp4"
        ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "color=black:size=320x180:rate=30:duration=1",
            "-vf",
            "drawbox=x=0:y=0:w=106:h=180:color=white:t=fill",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(plain),
        )
        rotate_ccw_copy(plain, path, 90)
    return path


def hevc_4k60(directory: Path, seconds: float = 0.5, width: int = 3840, height: int = 2160) -> Path:
    """HEVC 4K 60 fps with AAC (not what Reels-style profiles accept as is)."""
    return video(
        directory,
        width=width,
        height=height,
        fps=60,
        seconds=seconds,
        vcodec="libx265",
        extra=("-x265-params", "log-level=error"),
    )


def vp9_mkv(directory: Path, width: int = 640, height: int = 360) -> Path:
    """VP9 + Opus in Matroska: a non-MP4, non-H.264 source."""
    return video(
        directory,
        width=width,
        height=height,
        seconds=2,
        vcodec="libvpx-vp9",
        container="mkv",
        extra=("-deadline", "realtime", "-cpu-used", "8"),
    )


def no_audio(directory: Path, width: int = 640, height: int = 360, seconds: float = 4) -> Path:
    """H.264 MP4 without an audio track."""
    return video(directory, width=width, height=height, seconds=seconds, audio=False)


def ten_bit_hdr(directory: Path, width: int = 640, height: int = 360) -> Path:
    """HEVC Main 10 tagged BT.2020 / PQ (HDR10-style)."""
    return video(
        directory,
        width=width,
        height=height,
        seconds=2,
        vcodec="libx265",
        pix_fmt="yuv420p10le",
        name=f"hdr10_{width}x{height}",
        extra=(
            "-vf",
            "setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc",
            "-x265-params",
            "log-level=error",
        ),
    )


def ten_bit_h264(directory: Path, width: int = 640, height: int = 360) -> Path:
    """H.264 High 10 (10-bit, SDR): browsers and networks often refuse it."""
    return video(directory, width=width, height=height, seconds=2, pix_fmt="yuv420p10le")


def odd_size(directory: Path) -> Path:
    """An odd-sized (333x201) clip at 25 fps."""
    return video(
        directory,
        width=334,
        height=202,
        fps=25,
        seconds=2,
        vcodec="libx264",
        pix_fmt="yuv444p",
        name="odd_333x201",
        extra=("-vf", "scale=333:201"),
    )


def long_clip(directory: Path, seconds: float = 100, width: int = 96, height: int = 172) -> Path:
    """A long clip, tiny and at 1 fps so it is made in a blink (for duration limits)."""
    return video(
        directory,
        width=width,
        height=height,
        fps=1,
        seconds=seconds,
        audio=True,
        name=f"long_{seconds}_{width}x{height}",
    )


def truncated(directory: Path) -> Path:
    """An MP4 cut in half (moov first, mdat cut short), as an interrupted upload leaves it."""
    path = directory / "truncated.mp4"
    if not path.exists():
        data = video(directory, width=320, height=240, seconds=2).read_bytes()
        write_whole(path, data[: len(data) // 2])
    return path


def truncated_no_moov(directory: Path) -> Path:
    """An MP4 whose moov atom (written last) never arrived."""
    path = directory / "truncated_no_moov.mp4"
    if not path.exists():
        data = video(directory, width=320, height=240, seconds=2, faststart=False).read_bytes()
        write_whole(path, data[: len(data) // 2])
    return path


def text_as_mp4(directory: Path) -> Path:
    """A text file renamed clip.mp4."""
    return write_whole(directory / "clip.mp4", b"Hello! This is not a video.\n" * 200)


def empty(directory: Path) -> Path:
    """A zero-length file called video.mp4."""
    return write_whole(directory / "video.mp4", b"")


def audio_only(directory: Path) -> Path:
    """An AAC tone in an MP4 container and nothing else."""
    path = directory / "voice.mp4"
    if not path.exists():
        ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(path))
    return path


def image(
    directory: Path,
    *,
    width: int = 640,
    height: int = 480,
    fmt: str = "jpg",
    name: str | None = None,
) -> Path:
    """One testsrc2 frame as JPEG, PNG or WebP."""
    path = directory / f"{name or f'img_{width}x{height}'}.{fmt}"
    if not path.exists():
        args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}", "-frames:v", "1"]
        if fmt == "jpg":
            args += ["-q:v", "3"]
        ffmpeg(*args, "-update", "1", str(path))
    return path
