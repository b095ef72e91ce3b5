"""The FastAPI application: REST API, public feed pages, health, webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bots.slack import web as slack_web
from bots.telegram import webhook as telegram_webhook
from core.config import Settings, get_settings
from core.ports.media_store import MediaStore
from oneclick.bootstrap import open_services
from tasks.publish import run_sweeper
from tasks.schedule import run_schedule
from webapp import media_urls
from webapp.api import assets, brands, health, jobs
from webapp.errors import install_error_handlers
from webapp.limits import install_body_limit
from webapp.oauth import routes as oauth_routes
from webapp.openapi import install_openapi
from webapp.pages import audit as audit_pages
from webapp.pages import auth as auth_pages
from webapp.pages import brand_settings as brand_settings_pages
from webapp.pages import brands as brand_pages
from webapp.pages import connections as connection_pages
from webapp.pages import inbox as inbox_pages
from webapp.pages import jobs as job_pages
from webapp.pages import profile as profile_pages
from webapp.pages import usage as usage_pages
from webapp.public import feed
from webapp.security_headers import install_security_headers
from webapp.session import install_sessions

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"


def create_app(
    settings: Settings | None = None,
    *,
    in_process_queue: bool | None = None,
    telegram_polling: bool = False,
    media: MediaStore | None = None,
) -> FastAPI:
    """The web app; with `in_process_queue` it also runs jobs and the sweeper itself.

    The Telegram bot runs here in webhook mode when TELEGRAM_WEBHOOK_SECRET is set, or
    with long polling when `telegram_polling` (`oneclick run`) and a token is set.
    """
    settings = settings or get_settings()
    run_jobs_here = (not settings.redis_url) if in_process_queue is None else in_process_queue

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_services(settings, media=media) as services:
            app.state.services = services  # routes get it through webapp.deps.services_dep
            telegram = await telegram_webhook.start(app, services, polling=telegram_polling)
            slack = await slack_web.start(app, services)
            loops: list[asyncio.Task[None]] = []
            if run_jobs_here:
                loops.append(asyncio.create_task(run_sweeper(services)))
                loops.append(asyncio.create_task(run_schedule(services)))
            try:
                yield
            finally:
                for loop in loops:
                    loop.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await loop
                if telegram is not None:
                    await telegram.stop()
                if slack is not None:
                    await slack.stop()

    app = FastAPI(
        title="OneClick Social",
        version="0.1.0",
        lifespan=lifespan,
        description="Publish one piece of content to every network a brand uses.",
    )
    install_error_handlers(app)
    install_openapi(app)  # one error body and every status in /openapi.json
    install_sessions(app, settings)
    install_security_headers(app)  # outermost: every response, refusals included
    install_body_limit(app, settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        auth_pages,
        profile_pages,
        brand_pages,
        brand_settings_pages,
        connection_pages,
        inbox_pages,
        job_pages,
        audit_pages,
        usage_pages,
        oauth_routes,
    ):
        app.include_router(module.router)
    for module in (health, brands, assets, jobs, feed, media_urls):
        app.include_router(module.router)
    app.include_router(telegram_webhook.router)
    app.include_router(slack_web.router)
    return app
