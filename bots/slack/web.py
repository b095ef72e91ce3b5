"""The Slack app inside the web app: `/slack/events`, the OAuth GETs, start/stop."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response

from bots.slack.app import SlackBot, slack_configured
from oneclick.services import Services

log = logging.getLogger(__name__)
router = APIRouter(tags=["slack"], include_in_schema=False)


async def start(app: FastAPI, services: Services) -> SlackBot | None:
    """Start the Slack app when configured: HTTP with a signing secret, Socket Mode with an
    app-level token."""
    settings = services.settings
    app.state.slack = None
    if not slack_configured(settings):
        return None
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        log.warning(
            "Slack is configured without SLACK_SIGNING_SECRET or SLACK_APP_TOKEN: "
            "it cannot receive anything"
        )
        return None
    bot = SlackBot(services)
    try:
        await bot.start(socket_mode=settings.slack_app_token is not None)
    except Exception:  # the web app must still come up without Slack
        log.exception("the Slack app could not start; the web app runs without it")
        await bot.stop()
        return None
    app.state.slack = bot
    return bot


async def _handle(request: Request) -> Response:
    bot: SlackBot | None = getattr(request.app.state, "slack", None)
    if bot is None:
        raise HTTPException(404, "The Slack app is not enabled.")
    return await bot.handler.handle(request)


@router.post("/slack/events")
async def slack_events(request: Request) -> Response:
    """Events, commands, actions and modals (signature and age checked by slack-bolt)."""
    if request.app.state.services.settings.slack_signing_secret is None:
        raise HTTPException(404, "Slack requests come over Socket Mode here.")
    return await _handle(request)


@router.get("/slack/install")
async def slack_install(request: Request) -> Response:
    """The "Add to Slack" page (OAuth v2, when SLACK_CLIENT_ID/SECRET are set)."""
    return await _handle(request)


@router.get("/slack/oauth_redirect")
async def slack_oauth_redirect(request: Request) -> Response:
    """Slack sends the installer back here with a code and our state."""
    return await _handle(request)
