"""The one error funnel: core errors (and Telegram hiccups) become short chat replies."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import ErrorEvent

from core.errors import ConnectorError, OneClickError

log = logging.getLogger(__name__)
FALLBACK = "Something went wrong on our side. Please try again in a moment."


def user_text(exc: BaseException) -> str | None:
    """What to tell the person; None when nothing needs saying."""
    if isinstance(exc, TelegramBadRequest) and "not modified" in exc.message:
        return None
    if isinstance(exc, TelegramRetryAfter):
        return f"Telegram asks us to slow down; try again in {exc.retry_after} s."
    if isinstance(exc, ConnectorError):
        return exc.user_message
    if isinstance(exc, OneClickError):
        return exc.user_message
    return FALLBACK


async def on_error(event: ErrorEvent) -> bool:
    """Answer the tap or the message that failed, in plain words."""
    exc = event.exception
    if not isinstance(exc, OneClickError):
        log.error("telegram update %s failed", event.update.update_id, exc_info=exc)
    text = user_text(exc)
    if text is None:
        return True
    update = event.update
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=len(text) > 60)
        elif update.message is not None:
            await update.message.answer(text)
    except Exception:  # noqa: BLE001 - the chat may be gone; nothing more to do
        log.warning("could not tell the user about an error in update %s", update.update_id)
    return True
