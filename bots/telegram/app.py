"""The bot runtime: one Dispatcher with a Router per feature, polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher

from bots.telegram.cards import Cards
from bots.telegram.errors import on_error
from bots.telegram.notifier import make_bot
from bots.telegram.routers import (
    approval,
    card,
    edit,
    fallback,
    linking,
    publish,
    sync,
    upload,
)
from bots.telegram.status import StatusWatcher
from oneclick.services import Services

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"


def build_dispatcher(
    services: Services, cards: Cards, watcher: StatusWatcher, albums: upload.AlbumCollector
) -> Dispatcher:
    """The dispatcher: routers in order, the error funnel, and the shared objects."""
    dp = Dispatcher(services=services, cards=cards, watcher=watcher, albums=albums)
    dp.errors.register(on_error)
    for module in (sync, linking, edit, upload, approval, publish, card, fallback):
        # routers are module singletons: a new dispatcher (a restart, a test) takes them over
        module.router._parent_router = None
        dp.include_router(module.router)
    return dp


class TelegramBot:
    """The running bot of one process."""

    def __init__(self, services: Services, *, bot: Bot | None = None) -> None:
        self.services = services
        self.bot = bot or make_bot(services)
        self.cards = Cards(services)
        self.watcher = StatusWatcher(self.bot, self.cards)
        self.albums = upload.AlbumCollector(services.settings.telegram_album_wait_seconds)
        self.dp = build_dispatcher(services, self.cards, self.watcher, self.albums)
        self._polling: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    async def start_polling(self, *, polling_timeout: int = 10) -> None:
        """Long polling in a background task (and resume status messages)."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.watcher.resume()
        self._polling = asyncio.create_task(
            self.dp.start_polling(
                self.bot,
                polling_timeout=polling_timeout,
                handle_signals=False,
                close_bot_session=False,
            )
        )

    async def start_webhook(self, url: str, secret: str) -> None:
        """Register the webhook (the web app feeds updates) and resume status messages."""
        await self.bot.set_webhook(url, secret_token=secret, drop_pending_updates=False)
        await self.watcher.resume()

    def feed(self, update: dict[str, Any]) -> None:
        """Handle a webhook update in the background (Telegram wants a fast 200)."""
        task = asyncio.create_task(self.dp.feed_raw_update(self.bot, update))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def stop(self) -> None:
        """Stop polling and watchers, close the session."""
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):
                await self.dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._polling, 10)
            self._polling = None
        await self.albums.drain()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self.watcher.stop()
        await self.bot.session.close()
