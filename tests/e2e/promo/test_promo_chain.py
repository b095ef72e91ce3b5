"""Issue 10's proof, offline: Playwright records the real web app, Claude (the fake Messages
API) writes the script, espeak-ng voices it, ffmpeg edits it with burned-in subtitles, and
the ad ends in the product brand's inbox and on its web feed, through the same pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import av
import httpx
from pydantic import SecretStr

from adapters.anthropic_script import build_script_writer
from core import notify
from core.config import Settings
from core.media.ffmpeg_bin import ffmpeg_exe
from core.media.probe import probe_file
from core.media.runner import run_ffmpeg
from core.models import AssetSource, Brand, MediaAsset, PublishJob
from core.promo.edit import still_command
from core.promo.files import WorkDir
from core.promo.subtitles import cues_for
from core.promo.voiceover import TAIL_SECONDS
from oneclick.promo.steps import edit_step, publish_step, record_step, script_step, voice_step
from tests.e2e.web.conftest import ensure_chromium
from tests.fakes.anthropic_api import FakeMessagesAPI
from tests.support.server import serving
from tests.support.waiting import until

W, H = 640, 360
AD = {
    "lines": [
        "Still posting one video to every network by hand?",
        "Connect your networks once, then upload a video.",
        "AI writes each caption, and one click publishes everywhere.",
        "OneClick Social. Post once, publish everywhere.",
    ],
    "caption": "OneClick Social: one video, every network, one click.",
}


class Inbox:
    """A chat front end that keeps what core.notify tells it."""

    def __init__(self) -> None:
        self.items: list[MediaAsset] = []
        self.approvals: list[PublishJob] = []

    async def inbox_item(self, asset: MediaAsset) -> None:
        self.items.append(asset)

    async def approval_needed(self, job: PublishJob) -> None:
        self.approvals.append(job)

    async def account_needs_reconnect(self, account: object) -> None:
        return None


def read_pgm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the gray pixels of a binary PGM."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P5", fields[0]
    return int(fields[1]), int(fields[2]), fields[4][-(int(fields[1]) * int(fields[2])) :]


def stream_seconds(path: Path) -> dict[str, float]:
    """Each stream's own duration."""
    with av.open(str(path)) as container:
        return {
            s.type: float(s.duration * s.time_base)
            for s in container.streams
            if s.duration is not None
        }


async def test_the_product_makes_and_publishes_its_own_ad(
    settings: Settings, tmp_path: Path, espeak: str
) -> None:
    ensure_chromium()
    work = WorkDir(tmp_path / "promo")
    inbox = Inbox()
    notify.register(inbox)
    try:
        async with serving(settings) as served:
            base = served.url
            flows = await record_step(
                settings, work, base_url=base, width=W, height=H, pause=0.15, typing_delay_ms=0
            )
            assert [f.name for f in flows] == [
                "sign_in",
                "connections",
                "upload",
                "publish",
                "status",
            ]
            recording = await probe_file(work.recording)
            assert recording.width == W and recording.duration
            assert abs(recording.duration - sum(f.duration for f in flows)) < 0.5

            with FakeMessagesAPI(responder=lambda body: json.dumps(AD)) as api:
                settings.anthropic_api_key = SecretStr("sk-test")
                settings.anthropic_base_url = api.base_url
                writer = build_script_writer(settings, max_retries=0, timeout=10)
                script = await script_step(settings, work, seconds=30, writer=writer)
            assert script.lines == AD["lines"] and script.writer == settings.anthropic_model
            assert '<flow name="publish"' in api.ok_requests[0].body["messages"][0]["content"]

            track = await voice_step(settings, work, seconds=30)  # no ElevenLabs key
            assert track.engine.startswith("espeak-ng") and track.note is None
            plan = await edit_step(
                settings, work, seconds=30, width=W, height=H, preset="ultrafast"
            )
            master = work.master(30)

            # audio and video of the voice's length plus the tail, within the 30 s ad
            info = await probe_file(master)
            assert info.has_audio and info.audio_codec == "aac" and info.video_codec == "h264"
            assert (info.width, info.height) == (W, H)
            assert plan.duration == round(track.duration + TAIL_SECONDS, 3) < 30
            streams = stream_seconds(master)
            assert abs(streams["video"] - plan.duration) < 0.1, streams
            assert abs(streams["audio"] - plan.duration) < 0.1, streams

            await _assert_subtitles_burned_in(settings, plan, track, master, tmp_path)

            asset, job = await publish_step(served.services, work, seconds=30, platforms=["web"])
            assert job is not None
            brand = await Brand.get(slug=settings.promo_brand_slug)
            assert asset.brand_id == brand.id and asset.source == AssetSource.GENERATED
            assert "OneClick Social" in brand.ai_system_prompt
            # the recorded demo's own upload (in the throwaway app, same process) announces
            # itself too: the ad is the one generated item
            generated = [a.id for a in inbox.items if a.source == AssetSource.GENERATED]
            assert generated == [asset.id]
            item = await _wait_for_feed_item(base, brand.slug)
            attachment = item["attachments"][0]
            assert attachment["mime_type"] == "video/mp4"
            assert abs(attachment["duration_in_seconds"] - plan.duration) < 0.3
            assert (await PublishJob.get(id=job.id)).status == "published"
    finally:
        notify.unregister(inbox)


async def _assert_subtitles_burned_in(
    settings: Settings, plan, track, master: Path, tmp_path: Path
) -> None:
    """At the middle of the first cue, the ad's frame differs from the same frame rendered
    without subtitles only in the subtitle band at the bottom, and there by text pixels."""
    cue = cues_for(track.lines)[0]
    at = (cue.start + cue.end) / 2
    exe = ffmpeg_exe(settings)
    bare = tmp_path / "bare.pgm"
    await run_ffmpeg(still_command(exe, plan, at, bare, subtitles=False))
    shown = tmp_path / "shown.pgm"
    await run_ffmpeg(
        [
            exe,
            "-loglevel",
            "error",
            "-y",
            "-ss",
            f"{at:.3f}",
            "-i",
            str(master),
            "-frames:v",
            "1",
            "-pix_fmt",
            "gray",
            "-update",
            "1",
            str(shown),
        ],
        time_limit=60,
    )
    width, height, a = read_pgm(bare)
    _, _, b = read_pgm(shown)
    band = int(height * 0.70)
    top = [abs(a[i] - b[i]) for i in range(0, band * width)]
    bottom = [abs(a[i] - b[i]) for i in range(band * width, height * width)]
    assert sum(top) / len(top) < 3, "only the subtitle band may change"
    changed = sum(1 for d in bottom if d > 80)
    assert changed > 1500, f"{changed} text pixels in the subtitle band"


async def _wait_for_feed_item(base: str, slug: str) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def first_item() -> dict | None:
            feed = (await http.get(f"/b/{slug}/feed.json")).json()
            return feed["items"][0] if feed["items"] else None

        return dict(await until(first_item, "the ad on the web feed", limit=120.0, every=0.25))
