"""The bot inside the web app: `POST /telegram/webhook`, and start/stop in the lifespan."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request

from bots.telegram.app import WEBHOOK_PATH, TelegramBot
from oneclick.services import Services

log = logging.getLogger(__name__)
router = APIRouter(tags=["telegram"], include_in_schema=False)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def start(app: FastAPI, services: Services, *, polling: bool) -> TelegramBot | None:
    """Start the bot when a token is set: webhook mode with a secret, else long polling."""
    settings = services.settings
    app.state.telegram = None
    if settings.telegram_bot_token is None:
        return None
    if settings.telegram_webhook_secret is None and not polling:
        return None
    bot = TelegramBot(services)
    try:
        if settings.telegram_webhook_secret is not None:
            await bot.start_webhook(
                settings.public_url(WEBHOOK_PATH),
                settings.telegram_webhook_secret.get_secret_value(),
            )
        else:
            await bot.start_polling()
    except Exception:  # the web app must still come up without Telegram
        log.exception("the Telegram bot could not start; the web app runs without it")
        await bot.stop()
        return None
    app.state.telegram = bot
    return bot


@router.post(WEBHOOK_PATH)
async def telegram_webhook(request: Request) -> dict[str, Any]:
    """Verify the secret-token header, then handle the update in the background."""
    bot: TelegramBot | None = getattr(request.app.state, "telegram", None)
    secret = request.app.state.services.settings.telegram_webhook_secret
    if bot is None or secret is None:
        raise HTTPException(404, "The Telegram webhook is not enabled.")
    given = request.headers.get(SECRET_HEADER, "")
    if not secrets.compare_digest(given.encode(), secret.get_secret_value().encode()):
        raise HTTPException(403, "Wrong secret token.")
    try:
        update = await request.json()
    except ValueError:
        raise HTTPException(400, "The body is not JSON.") from None
    if not isinstance(update, dict) or "update_id" not in update:
        raise HTTPException(400, "Not a Telegram update.")
    bot.feed(update)
    return {}
