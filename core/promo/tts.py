"""Text to speech as the promo sees it: a `Voice` speaks each sentence on its own.

Each sentence is synthesized on its own and measured, so subtitle cues follow the voice.
The engines are adapters (adapters/elevenlabs_tts.py, adapters/espeak_tts.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.errors import OneClickError

log = logging.getLogger(__name__)


class VoiceUnavailable(OneClickError):
    """No voice could speak the script."""

    user_message = (
        "No voice is available: set ELEVENLABS_API_KEY, or install espeak-ng (`make voice`)."
    )


class VoiceFailed(OneClickError):
    """A voice service failed for now (another voice may speak instead)."""

    def __init__(self, engine: str, reason: str) -> None:
        super().__init__(f"{engine} failed ({reason}).")
        self.engine = engine
        self.reason = reason


class Voice(Protocol):
    """One text-to-speech engine."""

    name: str

    async def speak(
        self, text: str, dest: Path, *, previous: str = "", following: str = ""
    ) -> Path:
        """Synthesize `text` into a file next to `dest` (extension chosen by the engine);
        `VoiceFailed` when the engine's service fails."""
        ...


@dataclass(frozen=True)
class SpokenClip:
    """One synthesized sentence."""

    text: str
    path: Path


async def speak_lines(
    lines: list[str], folder: Path, voice: Voice, fallback: Voice | None = None
) -> tuple[list[SpokenClip], str, str | None]:
    """Every line spoken by `voice`; when its service fails, all of them by `fallback`.

    Returns the clips, the engine's name and a note for the user when the fallback spoke.
    """
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    try:
        return await _speak_all(lines, folder, voice), voice.name, None
    except VoiceFailed as exc:
        log.warning(
            "%s failed (%s): falling back to %s",
            exc.engine,
            exc.reason,
            fallback.name if fallback else "nothing",
        )
        if fallback is None:
            raise VoiceUnavailable(f"{exc.engine} failed ({exc.reason}).") from exc
        note = f"{exc.engine} failed ({exc.reason}): the offline voice (espeak-ng) spoke instead."
        return await _speak_all(lines, folder, fallback), fallback.name, note


async def _speak_all(lines: list[str], folder: Path, voice: Voice) -> list[SpokenClip]:
    clips = []
    for i, text in enumerate(lines):
        path = await voice.speak(
            text,
            folder / f"line-{i:02d}",
            previous=" ".join(lines[:i])[-300:],
            following=" ".join(lines[i + 1 :])[:300],
        )
        clips.append(SpokenClip(text=text, path=path))
    return clips
