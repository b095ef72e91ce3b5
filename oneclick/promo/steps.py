"""Each promo step alone: record, script, voice, edit, publish; inputs and outputs are files."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import ffmpeg

from adapters.anthropic_script import build_script_writer
from adapters.elevenlabs_tts import build_voice
from adapters.espeak_tts import EspeakVoice, espeak_voice
from core.app.actor import Actor
from core.config import Settings
from core.intake import file_chunks
from core.media.ffmpeg_bin import ffmpeg_exe
from core.media.graph import GLOBAL_ARGS
from core.media.probe import probe_file
from core.media.runner import run_ffmpeg
from core.models import AssetSource, JobStatus, MediaAsset, PublishJob
from core.promo.brand import ORIGIN, ensure_promo_brand
from core.promo.deliver import ad_source_id, existing_ad, publish_key
from core.promo.edit import EditPlan, edit_command
from core.promo.files import WorkDir
from core.promo.script import AdScript, DemoFlow, check_length, load_flows, save_flows
from core.promo.subtitles import cues_for, render_ass, render_srt
from core.promo.tts import Voice
from core.promo.voiceover import TAIL_SECONDS, VoiceTrack, make_voiceover
from core.promo.writer import ScriptWriter
from oneclick.promo.recorder import DemoRecorder
from oneclick.promo.screencast import frames_command, write_frames
from oneclick.services import Services


async def make_sample_clip(settings: Settings, dest: Path, seconds: float = 2.0) -> Path:
    """The video the demo uploads: a warm colour card with a title and a tone."""
    exe = ffmpeg_exe(settings)
    picture = ffmpeg.input(f"color=c=0xC8743C:s=480x270:r=25:d={seconds}", f="lavfi").filter(
        "drawtext",
        text="Fresh sourdough",
        fontcolor="white",
        fontsize=34,
        x="(w-tw)/2",
        y="(h-th)/2",
    )
    tone = ffmpeg.input(f"sine=frequency=392:duration={seconds}", f="lavfi")
    out = ffmpeg.output(
        picture,
        tone,
        str(dest),
        vcodec="libx264",
        pix_fmt="yuv420p",
        acodec="aac",
        movflags="+faststart",
        shortest=None,
    )
    argv = list(out.compile(cmd=exe))
    await run_ffmpeg([argv[0], *GLOBAL_ARGS, "-y", *argv[1:]], time_limit=60)
    return dest


async def record_step(
    settings: Settings,
    work: WorkDir,
    *,
    base_url: str,
    width: int = 1280,
    height: int = 720,
    pause: float = 0.8,
    typing_delay_ms: float = 35,
) -> list[DemoFlow]:
    """Record the demo flows of the web app at `base_url` into recording.mp4 + flows.json."""
    work.make()
    sample = await make_sample_clip(settings, work.root / "demo-upload.mp4")
    recorder = DemoRecorder(
        base_url,
        sample_video=sample,
        width=width,
        height=height,
        pause=pause,
        typing_delay_ms=typing_delay_ms,
    )
    segments, flows = await recorder.record()
    frames = work.root / "frames"
    listing = await asyncio.to_thread(write_frames, segments, frames)
    try:
        await run_ffmpeg(
            frames_command(
                ffmpeg_exe(settings), listing, work.recording, width=width, height=height
            ),
            time_limit=600,
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, frames, True)
    save_flows(flows, work.flows)
    return flows


async def script_step(
    settings: Settings,
    work: WorkDir,
    *,
    seconds: int,
    writer: ScriptWriter | None = None,
    owner_email: str | None = None,
) -> AdScript:
    """Write script-<N>s.json from the recorded flows and the product's brand prompt."""
    check_length(seconds)
    work.make()
    brand, _ = await ensure_promo_brand(settings, owner_email=owner_email)
    flows = load_flows(work.flows) if work.flows.exists() else []
    script = await (writer or build_script_writer(settings)).write(brand, flows, seconds)
    script.save(work.script(seconds))
    return script


async def voice_step(
    settings: Settings, work: WorkDir, *, seconds: int, voice: Voice | None = None
) -> VoiceTrack:
    """Speak the script into voice-<N>s.wav, with sentence times and SRT subtitles."""
    script = AdScript.load(work.need(work.script(seconds), "script"))
    voice = voice or build_voice(settings)
    fallback = None if isinstance(voice, EspeakVoice) else espeak_voice(settings)
    track = await make_voiceover(settings, script, work.voice(seconds), voice, fallback=fallback)
    track.save(work.voice_info(seconds))
    work.srt(seconds).write_text(render_srt(cues_for(track.lines)))
    return track


async def edit_step(
    settings: Settings,
    work: WorkDir,
    *,
    seconds: int,
    width: int = 1280,
    height: int = 720,
    music: Path | None = None,
    subtitles: bool = True,
    preset: str = "veryfast",
) -> EditPlan:
    """Cut recording, voice, music and burned-in subtitles into ad-<N>s.mp4."""
    track = VoiceTrack.load(work.need(work.voice_info(seconds), "voice"))
    recording = work.need(work.recording, "record")
    info = await probe_file(recording)
    ass = None
    if subtitles:
        ass = work.ass(seconds)
        ass.write_text(render_ass(cues_for(track.lines), width=width, height=height))
    plan = EditPlan(
        recording=recording,
        recording_seconds=info.duration or 1.0,
        voice=track.path,
        duration=round(track.duration + TAIL_SECONDS, 3),
        width=width,
        height=height,
        subtitles=ass,
        music=music,
        preset=preset,
    )
    await run_ffmpeg(edit_command(ffmpeg_exe(settings), plan, work.master(seconds)), time_limit=900)
    work.master_info(seconds).write_text(
        json.dumps(
            {
                "duration": plan.duration,
                "width": width,
                "height": height,
                "voice": track.engine,
                "voice_note": track.note,
                "subtitles": subtitles,
                "music": str(music) if music else None,
                "recording_speed": round(plan.speed, 3),
            },
            indent=2,
        )
    )
    return plan


async def publish_step(
    services: Services,
    work: WorkDir,
    *,
    seconds: int,
    platforms: Sequence[str],
    owner_email: str | None = None,
) -> tuple[MediaAsset, PublishJob | None]:
    """The ad as a generated asset of the product's brand, in its chat inboxes; then a job
    (awaiting approval when the brand asks for it). A repeated run finds both again."""
    script = AdScript.load(work.need(work.script(seconds), "script"))
    master = work.need(work.master(seconds), "edit")
    brand, bot = await ensure_promo_brand(services.settings, owner_email=owner_email)
    actor = Actor(bot, ORIGIN)
    source_id = await ad_source_id(master, script)
    asset = await existing_ad(brand, source_id) or await services.assets.upload_shared(
        actor,
        brand_id=brand.id,
        chunks=file_chunks(master),
        file_name=master.name,
        source=AssetSource.GENERATED,
        source_id=source_id,
        caption=script.caption,
    )
    if not platforms:
        return asset, None
    result = await services.publishing.publish(
        actor, asset_id=asset.id, platforms=platforms, idempotency_key=publish_key(asset, platforms)
    )
    return asset, result.job


async def wait_for_job(job: PublishJob, *, patience: float = 900.0) -> PublishJob:
    """The job once it has published, failed or waits for approval."""
    waiting = {JobStatus.RUNNING, JobStatus.SCHEDULED}
    async with asyncio.timeout(patience):
        while True:
            job = await PublishJob.get(id=job.id)
            if job.status not in waiting:
                return job
            await asyncio.sleep(0.5)
