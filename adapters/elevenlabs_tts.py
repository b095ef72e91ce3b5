"""ElevenLabs text to speech through its official SDK (an adapter of core.promo.tts.Voice)."""

from __future__ import annotations

from pathlib import Path

import aiofiles
import httpx
from elevenlabs.client import AsyncElevenLabs
from elevenlabs.core.api_error import ApiError

from adapters.espeak_tts import espeak_voice
from core.config import Settings
from core.promo.tts import Voice, VoiceFailed, VoiceUnavailable

ELEVENLABS_FORMAT = "mp3_44100_128"
ENGINE = "ElevenLabs"


class ElevenLabsVoice:
    """ElevenLabs text-to-speech through the `elevenlabs` SDK (MP3 per sentence)."""

    def __init__(self, client: AsyncElevenLabs, voice_id: str, model_id: str) -> None:
        self.client = client
        self.voice_id = voice_id
        self.model_id = model_id
        self.name = f"elevenlabs:{model_id}:{voice_id}"

    async def speak(
        self, text: str, dest: Path, *, previous: str = "", following: str = ""
    ) -> Path:
        """An MP3 of `text`; the neighbouring sentences keep the intonation continuous."""
        out = dest.with_suffix(".mp3")
        extra = {}
        if previous:
            extra["previous_text"] = previous
        if following:
            extra["next_text"] = following
        size = 0
        try:
            async with aiofiles.open(out, "wb") as handle:
                async for chunk in self.client.text_to_speech.convert(
                    self.voice_id,
                    text=text,
                    model_id=self.model_id,
                    output_format=ELEVENLABS_FORMAT,
                    **extra,
                ):
                    size += len(chunk)
                    await handle.write(chunk)
        except (ApiError, httpx.HTTPError, TimeoutError) as exc:
            raise VoiceFailed(ENGINE, elevenlabs_error(exc)) from exc
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


def build_voice(settings: Settings) -> Voice:
    """ElevenLabs when ELEVENLABS_API_KEY is set, else espeak-ng."""
    key = settings.elevenlabs_api_key
    if key is None or not key.get_secret_value():
        return espeak_voice(settings)
    client = AsyncElevenLabs(
        api_key=key.get_secret_value(),
        base_url=settings.elevenlabs_base_url or None,
        timeout=settings.elevenlabs_timeout_seconds,
    )
    return ElevenLabsVoice(client, settings.elevenlabs_voice_id, settings.elevenlabs_model_id)
