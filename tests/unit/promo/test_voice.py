"""The voice-over: ElevenLabs through its real SDK against a loopback fake, espeak-ng offline,
subtitle cues timed from the measured audio."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from adapters.elevenlabs_tts import ELEVENLABS_FORMAT, ElevenLabsVoice, build_voice
from core.config import Settings
from core.promo.files import WorkDir
from core.promo.script import AdScript
from core.promo.subtitles import TimedLine, cues_for, render_ass, render_srt
from core.promo.voiceover import GAP_SECONDS, audio_seconds
from oneclick.promo.steps import voice_step
from tests.fakes.elevenlabs_api import WORDS_PER_SECOND, FakeElevenLabs

LINES = [
    "Still posting by hand?",
    "One click publishes your video everywhere.",
    "OneClick Social. Post once, publish everywhere.",
]


def _script(work: WorkDir) -> None:
    work.make()
    AdScript(seconds=15, lines=LINES, caption="c", writer="rules").save(work.script(15))


async def test_elevenlabs_voices_each_sentence_and_times_the_cues(
    settings: Settings, tmp_path: Path
) -> None:
    work = WorkDir(tmp_path / "promo")
    _script(work)
    async with FakeElevenLabs(voices=("voice-demo",)).running() as fake:
        settings.elevenlabs_api_key = SecretStr("el-test-key")
        settings.elevenlabs_base_url = fake.base_url
        settings.elevenlabs_voice_id = "voice-demo"
        voice = build_voice(settings)
        assert isinstance(voice, ElevenLabsVoice)
        track = await voice_step(settings, work, seconds=15, voice=voice)
    assert track.engine.startswith("elevenlabs:") and track.note is None
    assert [c["body"]["text"] for c in fake.tts_calls] == LINES
    first, middle = fake.tts_calls[0], fake.tts_calls[1]
    assert first["headers"]["xi-api-key"] == "el-test-key"
    assert first["voice_id"] == "voice-demo"
    assert first["query"]["output_format"] == ELEVENLABS_FORMAT
    assert first["body"]["model_id"] == settings.elevenlabs_model_id
    assert "previous_text" not in first["body"] and middle["body"]["previous_text"] == LINES[0]
    assert middle["body"]["next_text"] == LINES[2]
    # the fake speaks 2.8 words a second; the track is the sentences plus the pauses
    expected = sum(max(0.4, len(t.split()) / WORDS_PER_SECOND) for t in LINES)
    expected += GAP_SECONDS * (len(LINES) - 1)
    assert abs(track.duration - expected) < 0.25, (track.duration, expected)
    assert abs(await audio_seconds(work.voice(15)) - track.duration) < 0.01
    starts = [t.start for t in track.lines]
    assert starts == sorted(starts) and track.lines[-1].end <= track.duration + 0.01
    assert abs(track.lines[1].start - (track.lines[0].end + GAP_SECONDS)) < 0.1
    srt = work.srt(15).read_text()
    assert srt.startswith("1\n00:00:00,000 --> ") and "Still posting by hand?" in srt


async def test_an_elevenlabs_failure_falls_back_to_espeak(
    settings: Settings, tmp_path: Path, espeak: str
) -> None:
    work = WorkDir(tmp_path / "promo")
    _script(work)
    async with FakeElevenLabs().running() as fake:
        settings.elevenlabs_api_key = SecretStr("el-wrong-key")
        settings.elevenlabs_base_url = fake.base_url
        settings.elevenlabs_voice_id = "voice-demo"
        track = await voice_step(settings, work, seconds=15)
    assert fake.calls("tts") == 1 and not fake.tts_calls
    assert track.engine.startswith("espeak-ng")
    assert track.note is not None and "HTTP 401 invalid_api_key" in track.note
    assert "el-wrong-key" not in track.note
    assert 1.5 < track.duration < 15


def test_cues_wrap_long_sentences_and_share_their_time() -> None:
    long = "Connect Instagram, TikTok, Facebook, Pinterest and your own web feed in a few clicks."
    cues = cues_for(
        [TimedLine("Short one.", 0.0, 1.0), TimedLine(long, 1.25, 5.25)], width=30, max_lines=2
    )
    assert cues[0].lines == ("Short one.",) and (cues[0].start, cues[0].end) == (0.0, 1.0)
    assert len(cues) == 3 and all(len(row) <= 30 for c in cues for row in c.lines)
    assert cues[1].start == 1.25 and abs(cues[-1].end - 5.25) < 1e-9
    assert cues[1].end == cues[2].start
    assert "00:00:01,250 --> " in render_srt(cues)
    ass = render_ass(cues, width=640, height=360)
    assert "PlayResY: 360" in ass and ass.count("Dialogue: ") == 3
    assert "Dialogue: 0,0:00:01.25," in ass and "\\N" in ass
