"""`oneclick promo …`: each step of the self-marketing pipeline alone, or `run` for all."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from core.config import Settings, get_settings
from core.errors import OneClickError

if TYPE_CHECKING:
    from core.promo.files import WorkDir
    from oneclick.services import Services

promo_app = typer.Typer(
    help="The product markets itself: record, script, voice, edit, publish.", no_args_is_help=True
)
R = TypeVar("R")

WorkOpt = Annotated[
    Path | None, typer.Option("--work-dir", help="Step files; default PROMO_WORK_DIR (data/promo).")
]
LengthOpt = Annotated[
    list[int] | None,
    typer.Option("--length", help="Ad length in seconds: 15 or 30 (repeat for both)."),
]
OwnerOpt = Annotated[
    str | None, typer.Option("--owner", help="Owner's email when the product's brand is created.")
]
SizeW = Annotated[int, typer.Option("--width")]
SizeH = Annotated[int, typer.Option("--height")]


def _work(settings: Settings, work_dir: Path | None) -> WorkDir:
    from core.promo.files import WorkDir

    return WorkDir(work_dir or settings.promo_work_dir).make()


def _lengths(lengths: list[int] | None, platforms: list[str] | None = None) -> list[int]:
    from core.promo.script import DEFAULT_SECONDS, check_length, seconds_for

    if lengths:
        return sorted({check_length(n) for n in lengths})
    return sorted({seconds_for(p) for p in platforms or []}) or [DEFAULT_SECONDS]


def _platforms(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def _run(work: Callable[[], Coroutine[Any, Any, R]]) -> R:
    """Run a step; core errors become a short message and exit code 1."""
    try:
        return asyncio.run(work())
    except OneClickError as exc:
        typer.secho(exc.user_message, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


async def _with_services(settings: Settings, work: Callable[[Services], Awaitable[R]]) -> R:
    """The database, the services and the queue for the steps that touch the product."""
    from core.db import upgrade
    from oneclick.bootstrap import open_services

    await upgrade(settings)
    async with open_services(settings) as services:
        return await work(services)


async def _record(
    settings: Settings, work: WorkDir, base_url: str | None, width: int, height: int, pause: float
) -> None:
    from oneclick.promo.sandbox import sandbox_app
    from oneclick.promo.steps import record_step

    if base_url:
        flows = await record_step(
            settings, work, base_url=base_url, width=width, height=height, pause=pause
        )
    else:
        async with sandbox_app(settings, work.root / "sandbox") as url:
            flows = await record_step(
                settings, work, base_url=url, width=width, height=height, pause=pause
            )
    typer.echo(f"Recorded {len(flows)} flows into {work.recording}")


@promo_app.command("record")
def record(
    work_dir: WorkOpt = None,
    base_url: Annotated[
        str | None, typer.Option(help="A running web app; default: a throwaway demo copy.")
    ] = None,
    width: SizeW = 1280,
    height: SizeH = 720,
    pause: Annotated[float, typer.Option(help="Seconds to linger on each step.")] = 0.8,
) -> None:
    """Record the demo flows of the web app (sign in, connections, upload, publish, status)."""
    settings = get_settings()
    _run(lambda: _record(settings, _work(settings, work_dir), base_url, width, height, pause))


@promo_app.command("script")
def script(work_dir: WorkOpt = None, length: LengthOpt = None, owner: OwnerOpt = None) -> None:
    """Write the ad script (Claude with a key, the built-in rules without)."""
    from oneclick.promo.steps import script_step

    settings = get_settings()
    work = _work(settings, work_dir)

    async def steps(_: Services) -> None:
        for seconds in _lengths(length):
            ad = await script_step(settings, work, seconds=seconds, owner_email=owner)
            typer.echo(f"{work.script(seconds)} ({ad.writer}, {ad.words} words)")
            if ad.note:
                typer.secho(ad.note, fg=typer.colors.YELLOW, err=True)

    _run(lambda: _with_services(settings, steps))


@promo_app.command("voice")
def voice(work_dir: WorkOpt = None, length: LengthOpt = None) -> None:
    """Voice the script (ElevenLabs with a key, espeak-ng without)."""
    from oneclick.promo.steps import voice_step

    settings = get_settings()
    work = _work(settings, work_dir)

    async def steps() -> None:
        for seconds in _lengths(length):
            track = await voice_step(settings, work, seconds=seconds)
            typer.echo(f"{track.path} ({track.engine}, {track.duration:.1f} s)")
            if track.note:
                typer.secho(track.note, fg=typer.colors.YELLOW, err=True)

    _run(steps)


@promo_app.command("edit")
def edit(
    work_dir: WorkOpt = None,
    length: LengthOpt = None,
    music: Annotated[Path | None, typer.Option(help="A music bed, ducked under the voice.")] = None,
    subtitles: Annotated[bool, typer.Option(help="Burn in subtitles.")] = True,
    width: SizeW = 1280,
    height: SizeH = 720,
) -> None:
    """Edit recording, voice, music and subtitles into the master video."""
    from oneclick.promo.steps import edit_step

    settings = get_settings()
    work = _work(settings, work_dir)

    async def steps() -> None:
        for seconds in _lengths(length):
            plan = await edit_step(
                settings,
                work,
                seconds=seconds,
                width=width,
                height=height,
                music=music,
                subtitles=subtitles,
            )
            typer.echo(f"{work.master(seconds)} ({plan.duration:.1f} s)")

    _run(steps)


async def _deliver(
    services: Services,
    work: WorkDir,
    lengths: list[int],
    platforms: list[str],
    owner: str | None,
    wait: bool,
) -> None:
    from core.promo.script import seconds_for
    from oneclick.promo.steps import publish_step, wait_for_job

    for seconds in lengths:
        chosen = [p for p in platforms if len(lengths) == 1 or seconds_for(p) == seconds]
        asset, job = await publish_step(
            services, work, seconds=seconds, platforms=chosen, owner_email=owner
        )
        typer.echo(f"Asset {asset.id} ({seconds} s ad) is in the brand's inbox.")
        if job is None:
            continue
        if wait:
            job = await wait_for_job(job)
        typer.echo(f"Job {job.id} to {', '.join(chosen)}: {job.status}")
        if job.status == "awaiting_approval":
            typer.echo("It waits for an approver in Telegram, Slack or the web app.")


@promo_app.command("publish")
def publish(
    work_dir: WorkOpt = None,
    length: LengthOpt = None,
    owner: OwnerOpt = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Platforms, comma-separated (e.g. web,mastodon); none: inbox only."
        ),
    ] = None,
    wait: Annotated[bool, typer.Option(help="Wait until published.")] = True,
) -> None:
    """Put the ad in the product brand's inbox and publish it through the pipeline."""
    settings = get_settings()
    work = _work(settings, work_dir)
    platforms = _platforms(to)
    lengths = _lengths(length, platforms)
    _run(
        lambda: _with_services(
            settings, lambda s: _deliver(s, work, lengths, platforms, owner, wait)
        )
    )


@promo_app.command("run")
def run(
    work_dir: WorkOpt = None,
    length: LengthOpt = None,
    owner: OwnerOpt = None,
    publish_to: Annotated[
        str | None, typer.Option("--publish", help="Platforms, comma-separated.")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="Record a running web app.")] = None,
    music: Annotated[Path | None, typer.Option(help="A music bed.")] = None,
    width: SizeW = 1280,
    height: SizeH = 720,
    wait: Annotated[bool, typer.Option(help="Wait until published.")] = True,
) -> None:
    """Every step: record, script, voice, edit, inbox, publish."""
    from oneclick.promo.steps import edit_step, script_step, voice_step

    settings = get_settings()
    work = _work(settings, work_dir)
    platforms = _platforms(publish_to)
    lengths = _lengths(length, platforms)

    async def everything(services: Services) -> None:
        for seconds in lengths:
            ad = await script_step(settings, work, seconds=seconds, owner_email=owner)
            track = await voice_step(settings, work, seconds=seconds)
            await edit_step(
                settings, work, seconds=seconds, width=width, height=height, music=music
            )
            typer.echo(
                f"{work.master(seconds)}: {ad.words} words by {ad.writer}, voice "
                f"{track.engine}, {track.duration:.1f} s"
            )
        await _deliver(services, work, lengths, platforms, owner, wait)

    async def main() -> None:
        await _record(settings, work, base_url, width, height, 0.8)
        await _with_services(settings, everything)

    _run(main)
