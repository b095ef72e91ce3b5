"""Subtitle cues timed from the voice: SRT (a sidecar) and ASS (burned in by libass)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_LINE_CHARS = 38
MAX_LINES = 2


@dataclass(frozen=True)
class TimedLine:
    """One spoken sentence and when the voice says it, in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Cue:
    """One subtitle on screen: up to two short lines."""

    start: float
    end: float
    lines: tuple[str, ...]


def wrap(text: str, width: int = MAX_LINE_CHARS) -> list[str]:
    """Words of `text` in lines of at most `width` characters (a longer word stands alone)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def cues_for(
    timed: Sequence[TimedLine], *, width: int = MAX_LINE_CHARS, max_lines: int = MAX_LINES
) -> list[Cue]:
    """Cues of at most `max_lines` lines; a long sentence's time is shared by its length."""
    cues: list[Cue] = []
    for line in timed:
        rows = wrap(line.text, width)
        groups = [tuple(rows[i : i + max_lines]) for i in range(0, len(rows), max_lines)]
        total = sum(len(" ".join(g)) for g in groups) or 1
        start = line.start
        for group in groups:
            share = (line.end - line.start) * len(" ".join(group)) / total
            cues.append(Cue(start=start, end=start + share, lines=group))
            start += share
    return cues


def _srt_time(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def render_srt(cues: Sequence[Cue]) -> str:
    """SubRip text."""
    blocks = [
        f"{i}\n{_srt_time(c.start)} --> {_srt_time(c.end)}\n" + "\n".join(c.lines)
        for i, c in enumerate(cues, 1)
    ]
    return "\n\n".join(blocks) + "\n"


def _ass_time(seconds: float) -> str:
    cs = max(0, round(seconds * 100))
    return f"{cs // 360_000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _ass_text(lines: Sequence[str]) -> str:
    escaped = [ln.replace("\\", "\\\\").replace("{", "(").replace("}", ")") for ln in lines]
    return "\\N".join(escaped)


def render_ass(cues: Sequence[Cue], *, width: int, height: int) -> str:
    """Advanced SubStation text sized for a `width`×`height` video: white on a dark box."""
    size = max(12, round(height * 0.062))
    margin = max(8, round(height * 0.06))
    style = (
        f"Style: Default,DejaVu Sans,{size},&H00FFFFFF,&H000000FF,&H00202020,&H99000000,"
        f"-1,0,0,0,100,100,0,0,3,{max(1, size // 10)},0,2,{margin},{margin},{margin},1"
    )
    head = (
        "[Script Info]\nScriptType: v4.00+\nWrapStyle: 2\nScaledBorderAndShadow: yes\n"
        f"PlayResX: {width}\nPlayResY: {height}\n\n[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"{style}\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    events = [
        f"Dialogue: 0,{_ass_time(c.start)},{_ass_time(c.end)},Default,,0,0,0,,{_ass_text(c.lines)}"
        for c in cues
    ]
    return head + "\n".join(events) + "\n"
