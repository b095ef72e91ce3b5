"""`oneclick`: run the product and administer it from the command line."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import typer

from core.config import Settings, get_settings
from core.errors import OneClickError
from oneclick.promo.cli import promo_app

app = typer.Typer(
    help="OneClick Social: publish everywhere with one click.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
brand_app = typer.Typer(help="Brands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(apikey_app, name="apikey")
app.add_typer(brand_app, name="brand")
app.add_typer(promo_app, name="promo")

R = TypeVar("R")

ORIGIN = "cli"

if TYPE_CHECKING:
    from core.app.actor import Actor
    from core.models import Brand
    from oneclick.services import Services


class ChatBot(Protocol):
    """A chat front end a process can run: started by its command, stopped on exit."""

    async def stop(self) -> None: ...


Bot = TypeVar("Bot", bound=ChatBot)


def _with_db(work: Callable[[], Awaitable[R]]) -> R:
    """Run `work` with the database open; core errors become a clean exit message."""
    from core.db import close_db, init_db

    async def main() -> R:
        await init_db(get_settings())
        try:
            return await work()
        finally:
            await close_db()

    return _run(main)


def _run(work: Callable[[], Coroutine[Any, Any, R]]) -> R:
    """Run `work` (which opens what it needs); core errors become a clean exit message."""
    try:
        return asyncio.run(work())
    except OneClickError as exc:
        typer.secho(exc.user_message, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


async def _as_owner(slug: str) -> tuple[Actor, Brand]:
    """The operator acts for the brand's owner (the audit log names the owner, origin cli)."""
    from core.app.actor import Actor
    from core.brands import brand_by_slug
    from core.models import User

    brand = await brand_by_slug(slug)
    return Actor(await User.get(id=brand.owner_id), ORIGIN), brand


def _logging() -> None:
    from core.logs import configure_logging

    settings = get_settings()
    configure_logging(
        json_lines=settings.log_format == "json",
        level=settings.log_level,
        secrets=settings.secret_values(),
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations."""
    from core.db import upgrade

    asyncio.run(upgrade(get_settings()))
    typer.echo("Database is up to date.")


@app.command()
def run() -> None:
    """Everything in one process: web app, jobs, scheduler (and bots that are configured)."""
    import uvicorn

    from core.db import upgrade
    from webapp.app import create_app

    _logging()
    settings = get_settings()
    asyncio.run(upgrade(settings))
    typer.echo(f"OneClick Social on http://{settings.host}:{settings.port}")
    # log_config=None: uvicorn's loggers go through ours (redacted), not handlers of their own
    # proxy_headers=False: TRUSTED_PROXIES alone decides whose X-Forwarded-For is believed
    uvicorn.run(
        create_app(settings, in_process_queue=True, telegram_polling=True),
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=None,
        proxy_headers=False,
    )


@app.command()
def web() -> None:
    """The web app only (jobs go to Redis workers when REDIS_URL is set)."""
    import uvicorn

    from webapp.app import create_app

    _logging()
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=False,
    )  # TRUSTED_PROXIES decides, not uvicorn's 127.0.0.1 default


@app.command()
def worker(workers: Annotated[int, typer.Option(help="Worker processes.")] = 1) -> None:
    """Job workers pulling from Redis (needs REDIS_URL)."""
    from taskiq.cli.worker.args import WorkerArgs
    from taskiq.cli.worker.run import run_worker

    if not get_settings().redis_url:
        typer.secho(
            "REDIS_URL is not set: `oneclick run` runs jobs in-process instead.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)
    _logging()
    # on SIGTERM a worker stops taking messages and lets running tasks finish for up to
    # 25 s; anything still running is left unacknowledged and redelivered to another worker
    from tasks.names import TASK_MODULES

    # a factory: each worker process builds its broker from the settings when it starts
    args = WorkerArgs(
        broker="oneclick.bootstrap:worker_broker",
        modules=list(TASK_MODULES),
        workers=workers,
        configure_logging=False,
        wait_tasks_timeout=25,
        shutdown_timeout=30,
        max_async_tasks=get_settings().worker_concurrency,
    )
    sys.exit(run_worker(args) or 0)


@app.command()
def scheduler() -> None:
    """Queues due work: scheduled posts, retries, crashed workers' targets, ingest, tokens."""
    from oneclick.bootstrap import open_services
    from tasks.publish import run_sweeper
    from tasks.schedule import run_schedule

    _logging()
    settings = get_settings()

    async def main() -> None:
        async with open_services(settings) as services:
            await asyncio.gather(run_sweeper(services), run_schedule(services))

    asyncio.run(main())


@user_app.command("create")
def user_create(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Create a user (the password is asked for, or read from stdin)."""
    from core.users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _with_db(lambda: create_user(email, password, origin="cli"))
    typer.echo(f"Created user {user.email} (id {user.id}).")


@apikey_app.command("create")
def apikey_create(email: str, name: Annotated[str, typer.Option()] = "cli") -> None:
    """Create an API key for a user and print it (shown once)."""
    from core.users import create_api_key, user_by_email

    async def work() -> str:
        _, key = await create_api_key(await user_by_email(email), name=name, origin="cli")
        return key

    typer.echo(_with_db(work))


@brand_app.command("create")
def brand_create(
    name: str,
    owner: Annotated[str, typer.Option(help="Owner's email.")],
    slug: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a brand owned by a user."""
    from core.app import brands
    from core.app.actor import Actor
    from core.brands import reserved_slugs
    from core.users import user_by_email

    async def work() -> str:
        actor = Actor(await user_by_email(owner), ORIGIN)
        brand = await brands.create(
            actor, name=name, slug=slug, reserved=reserved_slugs(get_settings())
        )
        return f"Created brand {brand.name} (slug {brand.slug}, id {brand.id})."

    typer.echo(_with_db(work))


@brand_app.command("link-code")
def brand_link_code(slug: str) -> None:
    """A one-time code for `/start CODE` (Telegram) or `/oneclick link CODE` (Slack)."""
    from core.app import chat_links

    async def work() -> str:
        actor, brand = await _as_owner(slug)
        return await chat_links.issue_code(actor, brand_id=brand.id)

    code = _with_db(work)
    typer.echo(code)
    typer.echo(
        "Valid for 30 minutes, once. Telegram: /start " + code + "   Slack: /oneclick link " + code,
        err=True,
    )


@app.command()
def usage(
    brand: Annotated[str, typer.Option("--brand", help="The brand's slug.")],
    since: Annotated[str | None, typer.Option(help="ISO date; default: month start")] = None,
    until: Annotated[str | None, typer.Option(help="ISO date, default: now")] = None,
) -> None:
    """AI tokens, cache hit rate and cost of a brand."""
    from datetime import UTC, datetime

    from core.ai.usage import usage_report
    from core.brands import brand_by_slug

    def parse(value: str | None) -> datetime | None:
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(f"'{value}' is not an ISO date like 2026-11-01") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    async def work() -> str:
        report = await usage_report(
            await brand_by_slug(brand),
            since=parse(since),
            until=parse(until),
            cap=get_settings().ai_monthly_budget_usd,
        )
        return report.render_text()

    typer.echo(_with_db(work))


bot_app = typer.Typer(help="Chat bots as their own processes.", no_args_is_help=True)
account_app = typer.Typer(help="Connected network accounts.", no_args_is_help=True)
account_add_app = typer.Typer(help="Connect an account.", no_args_is_help=True)
app.add_typer(bot_app, name="bot")
app.add_typer(account_app, name="account")
account_app.add_typer(account_add_app, name="add")


@bot_app.command("telegram")
def bot_telegram() -> None:
    """The Telegram bot with long polling (jobs go to Redis workers when REDIS_URL is set)."""
    from bots.telegram.app import TelegramBot

    _logging()
    settings = get_settings()
    if settings.telegram_bot_token is None:
        typer.secho("TELEGRAM_BOT_TOKEN is not set.", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)

    _run_bot(settings, TelegramBot, lambda bot: bot.start_polling())


@bot_app.command("slack")
def bot_slack() -> None:
    """The Slack app over Socket Mode, no public URL needed (needs SLACK_APP_TOKEN)."""
    from bots.slack.app import SlackBot, slack_configured

    _logging()
    settings = get_settings()
    if settings.slack_app_token is None or not slack_configured(settings):
        typer.secho(
            "Set SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET).",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)

    _run_bot(settings, SlackBot, lambda bot: bot.start(socket_mode=True))


def _run_bot(
    settings: Settings, create: Callable[[Services], Bot], begin: Callable[[Bot], Awaitable[object]]
) -> None:
    """Run a chat bot in a process of its own until interrupted.

    `create(services)` makes the bot (anything with an async `stop()`), `begin(bot)` starts
    it; jobs it creates go to the queue (Redis workers when REDIS_URL is set).
    """
    from oneclick.bootstrap import open_services

    async def main() -> None:
        async with open_services(settings) as services:
            bot = create(services)
            try:
                await begin(bot)
                await asyncio.Event().wait()
            finally:
                await bot.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


@account_add_app.command("telegram")
def account_add_telegram(
    brand: Annotated[str, typer.Option("--brand", help="The brand's slug.")],
    chat_id: Annotated[str, typer.Option("--chat-id", help="The channel: -100… or @name.")],
) -> None:
    """Connect a Telegram channel the bot administers as a publishing target."""
    from oneclick.bootstrap import open_services

    async def main() -> str:
        async with open_services(get_settings()) as services:
            actor, found = await _as_owner(brand)
            connected = await services.accounts.connect(
                actor, brand_id=found.id, platform="telegram", params={"chat_id": chat_id}
            )
        account = connected.account
        return f"Connected Telegram channel {account.display_name} ({account.external_id})."

    typer.echo(_run(main))


def main() -> None:
    """Entry point of the `oneclick` script; a refused setting is one clear line each."""
    from pydantic import ValidationError

    try:
        app()
    except ValidationError as exc:  # raised by Settings(): placeholder secrets and the like
        for error in exc.errors():
            name = ".".join(str(p) for p in error.get("loc", ())).upper() or "settings"
            typer.secho(
                f"Configuration error in {name}: {error.get('msg')}", fg=typer.colors.RED, err=True
            )
        raise SystemExit(2) from None
