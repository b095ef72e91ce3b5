"""Getting a user's file from the Bot API: size limit first, then a streamed download."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from core.config import Settings
from core.errors import TooLarge

CHUNK = 1024 * 1024


def too_large(settings: Settings, size: int | None) -> TooLarge:
    """The message naming the Bot API download limit and the ways around it."""
    limit = settings.telegram_download_limit_mb
    size_text = f"This file is {size / (1024 * 1024):.0f} MB. " if size else ""
    return TooLarge(
        f"{size_text}Telegram lets bots download files up to {limit} MB. Upload it on the web "
        f"page instead ({settings.public_url('/')}), or run a local Bot API server and point "
        "TELEGRAM_API_BASE at it to lift the limit."
    )


async def file_stream(
    bot: Bot, settings: Settings, file_id: str, size: int | None
) -> AsyncIterator[bytes]:
    """The file's bytes, streamed; TooLarge before any download when over the limit."""
    if size and size > settings.telegram_download_limit_mb * 1024 * 1024:
        raise too_large(settings, size)
    try:
        file = await bot.get_file(file_id)
    except TelegramBadRequest as exc:
        if "too big" in exc.message.lower():
            raise too_large(settings, size) from exc
        raise
    if not file.file_path:
        raise too_large(settings, size)
    url = bot.session.api.file_url(bot.token, file.file_path)
    return bot.session.stream_content(
        url=url,
        timeout=settings.telegram_download_timeout_seconds,
        chunk_size=CHUNK,
        raise_for_status=True,
    )
