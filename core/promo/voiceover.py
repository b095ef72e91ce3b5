"""The voice-over track: sentences spoken, measured, joined with pauses, fitted to the ad."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import av
import ffmpeg

from core.config import Settings
from core.errors import InvalidInput
from core.media.ffmpeg_bin import ffmpeg_exe
from core.media.runner import run_ffmpeg
from core.promo.script import AdScript
from core.promo.subtitles import TimedLine
from core.promo.tts import SpokenClip, Voice, speak_lines

SAMPLE_RATE = 48_000
GAP_SECONDS = 0.25
TAIL_SECONDS = 0.8  # the picture stays a moment after the last word
MAX_TEMPO = 1.3  # speed a long voice up at most this much to fit the ad


@dataclass(frozen=True)
class VoiceTrack:
    """The joined voice-over and when each sentence is said (voice-<N>s.json)."""

    path: Path
    duration: float
    engine: str
    lines: list[TimedLine]
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "path": str(self.path),
            "duration": self.duration,
            "engine": self.engine,
            "note": self.note,
            "lines": [asdict(t) for t in self.lines],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VoiceTrack:
        """The inverse of `to_json`."""
        return cls(
            path=Path(data["path"]),
            duration=float(data["duration"]),
            engine=str(data["engine"]),
            note=data.get("note"),
            lines=[TimedLine(**t) for t in data["lines"]],
        )

    def save(self, path: Path) -> None:
        """Write the track's description."""
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> VoiceTrack:
        """Read a track's description."""
        return cls.from_json(json.loads(path.read_text()))


def audio_seconds_sync(path: Path) -> float:
    """The exact duration of an audio file, from its decoded samples."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / float(stream.rate or stream.codec_context.sample_rate)


async def audio_seconds(path: Path) -> float:
    """`audio_seconds_sync` in a worker thread."""
    return await asyncio.to_thread(audio_seconds_sync, path)


def join_command(
    exe: str, clips: list[Path], dest: Path, *, gap: float = GAP_SECONDS, tempo: float = 1.0
) -> list[str]:
    """One mono 48 kHz WAV: the clips in order with `gap` seconds of silence between them."""
    streams = []
    for i, path in enumerate(clips):
        a = (
            ffmpeg.input(str(path))
            .audio.filter("aresample", SAMPLE_RATE)
            .filter("aformat", sample_fmts="s16", channel_layouts="mono")
        )
        if i < len(clips) - 1 and gap > 0:
            a = a.filter("apad", pad_dur=gap)
        streams.append(a)
    joined = ffmpeg.concat(*streams, v=0, a=1) if len(streams) > 1 else streams[0]
    if abs(tempo - 1.0) > 1e-3:
        joined = joined.filter("atempo", round(tempo, 4))
    out = ffmpeg.output(joined, str(dest), acodec="pcm_s16le", ar=SAMPLE_RATE, ac=1)
    argv = list(out.compile(cmd=exe))
    return [argv[0], "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *argv[1:]]


async def make_voiceover(
    settings: Settings, script: AdScript, dest: Path, voice: Voice, *, fallback: Voice | None = None
) -> VoiceTrack:
    """Speak the script into `dest` (WAV) so that it fits the ad's length with the tail."""
    clips, engine, note = await speak_lines(
        script.lines, dest.parent / f"{dest.stem}-lines", voice, fallback
    )
    durations = [await audio_seconds(c.path) for c in clips]
    spoken = sum(durations) + GAP_SECONDS * (len(clips) - 1)
    room = script.seconds - TAIL_SECONDS
    tempo = max(1.0, spoken / room)
    if tempo > MAX_TEMPO:
        raise InvalidInput(
            f"The voice-over runs {spoken:.1f} s, too long for a "
            f"{script.seconds} s ad: shorten the script."
        )
    exe = ffmpeg_exe(settings)
    await run_ffmpeg(join_command(exe, [c.path for c in clips], dest, tempo=tempo), time_limit=120)
    total = await audio_seconds(dest)
    return VoiceTrack(
        path=dest,
        duration=total,
        engine=engine,
        note=note,
        lines=_timed(clips, durations, tempo, total),
    )


def _timed(
    clips: list[SpokenClip], durations: list[float], tempo: float, total: float
) -> list[TimedLine]:
    """When each sentence is said, scaled so the last one ends with the measured track."""
    starts, t = [], 0.0
    for d in durations:
        starts.append(t)
        t += d + GAP_SECONDS
    planned = (t - GAP_SECONDS) / tempo or 1.0
    scale = total / planned / tempo
    return [
        TimedLine(text=c.text, start=round(s * scale, 3), end=round((s + d) * scale, 3))
        for c, s, d in zip(clips, starts, durations, strict=True)
    ]
