"""The offline voice: espeak-ng run as a subprocess (an adapter of core.promo.tts.Voice)."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

from core.config import Settings
from core.promo.tts import VoiceUnavailable

log = logging.getLogger(__name__)


class EspeakVoice:
    """espeak-ng run as a subprocess: offline, robotic, always the same."""

    def __init__(
        self,
        exe: str = "espeak-ng",
        voice: str = "en-us",
        words_per_minute: int = 165,
        *,
        time_limit: float = 60.0,
    ) -> None:
        self.exe = exe
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.time_limit = time_limit
        self.name = f"espeak-ng:{voice}"

    def available(self) -> bool:
        """Whether the binary is installed."""
        return shutil.which(self.exe) is not None

    async def speak(
        self, text: str, dest: Path, *, previous: str = "", following: str = ""
    ) -> Path:
        """A WAV file of `text` (the text goes through stdin, never the command line)."""
        if not self.available():
            raise VoiceUnavailable(
                "espeak-ng is not installed: run `make voice` or set ELEVENLABS_API_KEY."
            )
        out = dest.with_suffix(".wav")
        proc = await asyncio.create_subprocess_exec(
            self.exe,
            "-v",
            self.voice,
            "-s",
            str(self.words_per_minute),
            "-w",
            str(out),
            "--stdin",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
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


def espeak_voice(settings: Settings) -> EspeakVoice:
    """The offline voice from the settings."""
    return EspeakVoice(
        settings.espeak_binary, settings.espeak_voice, settings.espeak_words_per_minute
    )
