"""A loopback fake of ElevenLabs text-to-speech for the real `elevenlabs` SDK.

POST /v1/text-to-speech/{voice_id} (and /stream): `xi-api-key` auth, a JSON body with
`text` (and optional `model_id`, `previous_text`, `next_text`, `voice_settings`), the
`output_format` query. Answers real MP3 audio (a tone lasting as long as the words would
take to say) with ElevenLabs' headers, and its error bodies: `{"detail": {"status": …,
"message": …}}` for 401/404/429, a FastAPI-style `{"detail": [...]}` list for 422.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiohttp import web

from core.media.ffmpeg_bin import ffmpeg_exe
from tests.fakes.loopback import LoopbackFake

FORMATS = {
    "mp3_22050_32": (22050, "32k"),
    "mp3_44100_64": (44100, "64k"),
    "mp3_44100_128": (44100, "128k"),
    "mp3_44100_192": (44100, "192k"),
}
MODELS = {"eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3"}
WORDS_PER_SECOND = 2.8
FAULTS = {
    "invalid_key": (401, {"status": "invalid_api_key", "message": "Invalid API key"}),
    "quota": (
        401,
        {
            "status": "quota_exceeded",
            "message": "This request exceeds your quota of 10000. You have 12 credits remaining.",
        },
    ),
    "busy": (
        429,
        {
            "status": "too_many_concurrent_requests",
            "message": "Too many concurrent requests for your subscription.",
        },
    ),
}


class FakeElevenLabs(LoopbackFake):
    """Tests read `tts_calls` (path voice id, query, body, headers) after a run."""

    def __init__(
        self, api_key: str = "el-test-key", voices: tuple[str, ...] = ("voice-demo",)
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.voices = set(voices)
        self.tts_calls: list[dict[str, Any]] = []

    def routes(self, app: web.Application) -> None:
        """The text-to-speech endpoints."""
        app.router.add_post("/v1/text-to-speech/{voice_id}", self.convert)
        app.router.add_post("/v1/text-to-speech/{voice_id}/stream", self.convert)

    async def convert(self, request: web.Request) -> web.Response:
        """One synthesis."""
        self.counts["tts"] += 1
        fault = self.take(*FAULTS)
        if fault:
            status, detail = FAULTS[fault]
            return web.json_response({"detail": detail}, status=status)
        if request.headers.get("xi-api-key") != self.api_key:
            return web.json_response({"detail": FAULTS["invalid_key"][1]}, status=401)
        voice_id = request.match_info["voice_id"]
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not str(body.get("text") or "").strip():
            return web.json_response(
                {"detail": [{"loc": ["body", "text"], "msg": "Field required", "type": "missing"}]},
                status=422,
            )
        fmt = request.query.get("output_format", "mp3_44100_128")
        if fmt not in FORMATS:
            return web.json_response(
                {
                    "detail": [
                        {
                            "loc": ["query", "output_format"],
                            "msg": f"Unsupported output format {fmt}",
                            "type": "enum",
                        }
                    ]
                },
                status=422,
            )
        model = body.get("model_id") or "eleven_multilingual_v2"
        if model not in MODELS:
            return web.json_response(
                {
                    "detail": {
                        "status": "model_not_found",
                        "message": f"A model with model ID {model} does not exist.",
                    }
                },
                status=400,
            )
        if voice_id not in self.voices:
            return web.json_response(
                {
                    "detail": {
                        "status": "voice_not_found",
                        "message": f"A voice with voice_id {voice_id} was not found.",
                    }
                },
                status=404,
            )
        text = str(body["text"])
        self.tts_calls.append(
            {
                "voice_id": voice_id,
                "query": dict(request.query),
                "body": body,
                "headers": dict(request.headers),
            }
        )
        seconds = max(0.4, len(text.split()) / WORDS_PER_SECOND)
        audio = await _mp3(seconds, *FORMATS[fmt])
        return web.Response(
            body=audio,
            content_type="audio/mpeg",
            headers={
                "request-id": uuid.uuid4().hex,
                "character-cost": str(len(text)),
                "x-character-count": str(len(text)),
            },
        )


async def _mp3(seconds: float, rate: int, bitrate: str) -> bytes:
    proc = await asyncio.create_subprocess_exec(
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=220:sample_rate={rate}:duration={seconds:.3f}",
        "-c:a",
        "libmp3lame",
        "-b:a",
        bitrate,
        "-f",
        "mp3",
        "pipe:1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(err.decode())
    return out
