"""Text to speech: ElevenLabs (its official SDK) with espeak-ng as the offline voice.

Each sentence is synthesized on its own and measured, so subtitle cues follow the voice.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import aiofiles
import httpx
from elevenlabs.client import AsyncElevenLabs
from elevenlabs.core.api_error import ApiError

from core.config import Settings
from core.errors import OneClickError

log = logging.getLogger(__name__)
ELEVENLABS_FORMAT = "mp3_44100_128"


class VoiceUnavailable(OneClickError):
    """No voice could speak the script."""

    user_message = ("No voice is available: set ELEVENLABS_API_KEY, or install espeak-ng "
                    "(`make voice`).")


class Voice(Protocol):
    """One text-to-speech engine."""

    name: str

    async def speak(self, text: str, dest: Path, *, previous: str = "", following: str = ""
                    ) -> Path:
        """Synthesize `text` into a file next to `dest` (extension chosen by the engine)."""
        ...


class EspeakVoice:
    """espeak-ng run as a subprocess: offline, robotic, always the same."""

    def __init__(self, exe: str = "espeak-ng", voice: str = "en-us", words_per_minute: int = 165,
                 *, time_limit: float = 60.0) -> None:
        self.exe = exe
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.time_limit = time_limit
        self.name = f"espeak-ng:{voice}"

    def available(self) -> bool:
        """Whether the binary is installed."""
        return shutil.which(self.exe) is not None

    async def speak(self, text: str, dest: Path, *, previous: str = "", following: str = ""
                    ) -> Path:
        """A WAV file of `text` (the text goes through stdin, never the command line)."""
        if not self.available():
            raise VoiceUnavailable("espeak-ng is not installed: run `make voice` or set "
                                   "ELEVENLABS_API_KEY.")
        out = dest.with_suffix(".wav")
        proc = await asyncio.create_subprocess_exec(
            self.exe, "-v", self.voice, "-s", str(self.words_per_minute), "-w", str(out),
            "--stdin", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        try:
            async with asyncio.timeout(self.time_limit):
                _, err = await proc.communicate(text.encode())
        except BaseException:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            raise
        written = await asyncio.to_thread(lambda: out.stat().st_size if out.exists() else 0)
        if proc.returncode != 0 or written <= 44:
            log.warning("espeak-ng failed (%s): %s", proc.returncode, err.decode()[-500:])
            raise VoiceUnavailable("espeak-ng could not speak the script.")
        return out


class ElevenLabsVoice:
    """ElevenLabs text-to-speech through the `elevenlabs` SDK (MP3 per sentence)."""

    def __init__(self, client: AsyncElevenLabs, voice_id: str, model_id: str) -> None:
        self.client = client
        self.voice_id = voice_id
        self.model_id = model_id
        self.name = f"elevenlabs:{model_id}:{voice_id}"

    async def speak(self, text: str, dest: Path, *, previous: str = "", following: str = ""
                    ) -> Path:
        """An MP3 of `text`; the neighbouring sentences keep the intonation continuous."""
        out = dest.with_suffix(".mp3")
        extra = {}
        if previous:
            extra["previous_text"] = previous
        if following:
            extra["next_text"] = following
        size = 0
        async with aiofiles.open(out, "wb") as handle:
            async for chunk in self.client.text_to_speech.convert(
                    self.voice_id, text=text, model_id=self.model_id,
                    output_format=ELEVENLABS_FORMAT, **extra):
                size += len(chunk)
                await handle.write(chunk)
        if size == 0:
            raise VoiceUnavailable("ElevenLabs returned no audio.")
        return out


def elevenlabs_error(exc: BaseException) -> str:
    """A short, secret-free reason for an ElevenLabs failure."""
    if isinstance(exc, ApiError):
        detail = exc.body.get("detail") if isinstance(exc.body, dict) else None
        status = detail.get("status") if isinstance(detail, dict) else None
        return f"HTTP {exc.status_code}" + (f" {status}" if status else "")
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "no answer in time"
    return "could not be reached"


def espeak_voice(settings: Settings) -> EspeakVoice:
    """The offline voice from the settings."""
    return EspeakVoice(settings.espeak_binary, settings.espeak_voice,
                       settings.espeak_words_per_minute)


def build_voice(settings: Settings) -> Voice:
    """ElevenLabs when ELEVENLABS_API_KEY is set, else espeak-ng."""
    key = settings.elevenlabs_api_key
    if key is None or not key.get_secret_value():
        return espeak_voice(settings)
    client = AsyncElevenLabs(api_key=key.get_secret_value(),
                             base_url=settings.elevenlabs_base_url or None,
                             timeout=settings.elevenlabs_timeout_seconds)
    return ElevenLabsVoice(client, settings.elevenlabs_voice_id, settings.elevenlabs_model_id)


@dataclass(frozen=True)
class SpokenClip:
    """One synthesized sentence."""

    text: str
    path: Path


async def speak_lines(lines: list[str], folder: Path, voice: Voice,
                      fallback: EspeakVoice | None = None
                      ) -> tuple[list[SpokenClip], str, str | None]:
    """Every line spoken by `voice`; on an ElevenLabs failure all of them by `fallback`.

    Returns the clips, the engine's name and a note for the user when the fallback spoke.
    """
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    try:
        return await _speak_all(lines, folder, voice), voice.name, None
    except (ApiError, httpx.HTTPError, TimeoutError) as exc:
        reason = elevenlabs_error(exc)
        log.warning("ElevenLabs failed (%s): falling back to espeak-ng", reason)
        if fallback is None:
            raise VoiceUnavailable(f"ElevenLabs failed ({reason}).") from exc
        note = f"ElevenLabs failed ({reason}): the offline voice (espeak-ng) spoke instead."
        return await _speak_all(lines, folder, fallback), fallback.name, note


async def _speak_all(lines: list[str], folder: Path, voice: Voice) -> list[SpokenClip]:
    clips = []
    for i, text in enumerate(lines):
        path = await voice.speak(text, folder / f"line-{i:02d}",
                                 previous=" ".join(lines[:i])[-300:],
                                 following=" ".join(lines[i + 1:])[:300])
        clips.append(SpokenClip(text=text, path=path))
    return clips
