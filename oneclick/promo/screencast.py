"""A page's screen as video: Chromium's DevTools screencast frames, joined by ffmpeg.

Playwright's own `record_video_dir` needs a browser-vendor ffmpeg download; the screencast
needs nothing but the system Chromium, and its frames carry their capture times.
"""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ffmpeg
from playwright.async_api import CDPSession, Page

from core.media.graph import GLOBAL_ARGS


@dataclass
class Segment:
    """The frames of one recorded flow: (seconds since the flow began, JPEG bytes)."""

    started: float
    stopped: float = 0.0
    frames: list[tuple[float, bytes]] = field(default_factory=list)

    @property
    def duration(self) -> float:
        """How long the flow ran, in seconds."""
        return max(self.stopped - self.started, 0.0)


class Screencast:
    """Collects a page's screencast frames while a flow runs."""

    def __init__(self, page: Page, *, width: int, height: int, quality: int = 80) -> None:
        self.page = page
        self.width = width
        self.height = height
        self.quality = quality
        self.session: CDPSession | None = None
        self.segment = Segment(started=time.time())
        self._acks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        """Begin capturing."""
        self.session = await self.page.context.new_cdp_session(self.page)
        self.session.on("Page.screencastFrame", self._on_frame)
        self.segment = Segment(started=time.time())
        await self.session.send(
            "Page.startScreencast",
            {
                "format": "jpeg",
                "quality": self.quality,
                "maxWidth": self.width,
                "maxHeight": self.height,
                "everyNthFrame": 1,
            },
        )

    def _on_frame(self, event: dict[str, Any]) -> None:
        stamp = float(event.get("metadata", {}).get("timestamp") or time.time())
        self.segment.frames.append(
            (max(stamp - self.segment.started, 0.0), base64.b64decode(event["data"]))
        )
        if self.session is not None:
            task = asyncio.ensure_future(
                self.session.send("Page.screencastFrameAck", {"sessionId": event["sessionId"]})
            )
            self._acks.add(task)
            task.add_done_callback(self._acks.discard)

    async def stop(self) -> Segment:
        """Stop capturing; the flow's frames."""
        self.segment.stopped = time.time()
        if self.session is not None:
            await self.session.send("Page.stopScreencast")
            await asyncio.gather(*self._acks, return_exceptions=True)
            await self.session.detach()
            self.session = None
        return self.segment


def write_frames(segments: list[Segment], folder: Path) -> Path:
    """JPEG files and an ffmpeg concat list that shows each frame until the next one."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["ffconcat version 1.0"]
    last = None
    n = 0
    for segment in segments:
        frames = segment.frames
        if not frames:
            continue
        for i, (at, data) in enumerate(frames):
            shown_from = 0.0 if i == 0 else at
            until = frames[i + 1][0] if i + 1 < len(frames) else segment.duration
            path = folder / f"frame-{n:06d}.jpg"
            path.write_bytes(data)
            n += 1
            lines += [f"file '{path.name}'", f"duration {max(until - shown_from, 0.001):.4f}"]
            last = path.name
    if last is None:
        raise ValueError("the screencast captured no frames")
    lines.append(f"file '{last}'")  # the concat demuxer ignores the last entry's duration
    listing = folder / "frames.ffconcat"
    listing.write_text("\n".join(lines) + "\n")
    return listing


def frames_command(
    exe: str, listing: Path, dest: Path, *, width: int, height: int, fps: int = 25
) -> list[str]:
    """The frames as a constant-frame-rate H.264 MP4 of `width`×`height`."""
    v = ffmpeg.input(str(listing), f="concat", safe=0).video
    v = v.filter("scale", width, height, force_original_aspect_ratio="decrease")
    v = v.filter("pad", width, height, "(ow-iw)/2", "(oh-ih)/2", color="white")
    v = v.filter("fps", fps).filter("format", "yuv420p")
    out = ffmpeg.output(
        v, str(dest), vcodec="libx264", preset="veryfast", crf=20, movflags="+faststart", f="mp4"
    )
    argv = list(out.compile(cmd=exe))
    return [argv[0], *GLOBAL_ARGS, "-y", *argv[1:]]
