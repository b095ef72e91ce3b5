"""Flow B: a photo, a video, a video sent as a file, or an album becomes an asset and a card."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiogram import Bot, F, Router, types

from bots.telegram.cards import Cards, safe_edit
from bots.telegram.download import file_stream
from bots.telegram.errors import user_text
from bots.telegram.routers.common import acting
from core.app.assets import ChatFile
from core.app.roles import Action
from core.errors import MediaRejected, OneClickError
from core.models import AssetSource
from oneclick.services import Services

router = Router(name="upload")
log = logging.getLogger(__name__)
MEDIA_MIME = ("video/", "image/")
UNSUPPORTED = (
    "I can take photos and videos (MP4, MOV, JPEG, PNG…), sent as media or as "
    "files. This file is {what}, which I cannot publish."
)


@dataclass
class Item:
    """One media file of a message: what to download and how to name it."""

    file_id: str
    size: int | None
    name: str
    message_id: int


def media_item(message: types.Message) -> Item | None:
    """The downloadable media of a message, or None if it has none we take."""
    if message.photo:
        best = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return Item(best.file_id, best.file_size, "photo.jpg", message.message_id)
    if message.video:
        v = message.video
        return Item(v.file_id, v.file_size, v.file_name or "video.mp4", message.message_id)
    if message.animation:
        a = message.animation
        return Item(a.file_id, a.file_size, a.file_name or "animation.mp4", message.message_id)
    doc = message.document
    if doc and (doc.mime_type or "").startswith(MEDIA_MIME):
        return Item(doc.file_id, doc.file_size, doc.file_name or "file", message.message_id)
    return None


def chat_file(bot: Bot, services: Services, chat_id: str, item: Item) -> ChatFile:
    """The use case's view of a message's file: read from the Bot API only when new."""

    async def read() -> AsyncIterator[bytes]:
        return await file_stream(bot, services.settings, item.file_id, item.size)

    return ChatFile(file_name=item.name, source_id=f"{chat_id}:{item.message_id}", open=read)


@router.message(F.media_group_id)
async def album_item(
    message: types.Message, bot: Bot, services: Services, cards: Cards, albums: AlbumCollector
) -> None:
    """One item of an album: collected, the album is handled once it is complete."""
    await albums.add(message, bot, services, cards)


@router.message(F.photo | F.video | F.animation | F.document)
async def single_media(message: types.Message, bot: Bot, services: Services, cards: Cards) -> None:
    """A photo, video or media file: download, store, reply with the card."""
    brand, actor = await acting(message.chat.id, message.from_user)
    await actor.may(brand.id, Action.UPLOAD)  # refused before anything is received
    item = media_item(message)
    if item is None:
        doc = message.document
        what = f"“{doc.file_name}” ({doc.mime_type or 'unknown type'})" if doc else "unknown"
        raise MediaRejected(UNSUPPORTED.format(what=what))
    progress = await message.reply("⏳ Got it, receiving the file…")
    chat_id = str(message.chat.id)
    try:
        asset = await services.assets.receive(
            actor,
            brand_id=brand.id,
            file=chat_file(bot, services, chat_id, item),
            source=AssetSource.TELEGRAM,
            caption=message.caption or "",
        )
        await cards.create(
            bot,
            brand=brand,
            asset=asset,
            chat_id=chat_id,
            actor=actor.user,
            message_id=progress.message_id,
        )
    except Exception as exc:  # noqa: BLE001 - reported to the user in the chat
        await _report(bot, progress, exc)


async def _report(bot: Bot, progress: types.Message, exc: BaseException) -> None:
    """Turn the progress message into the error, in plain words."""
    if not isinstance(exc, OneClickError):
        log.error("telegram upload failed", exc_info=exc)
    await safe_edit(
        bot, progress.chat.id, progress.message_id, "❌ " + (user_text(exc) or "That did not work.")
    )


@router.message(F.audio | F.voice | F.sticker | F.video_note)
async def unsupported(message: types.Message) -> None:
    """Media the product cannot publish."""
    await acting(message.chat.id, message.from_user)
    raise MediaRejected(UNSUPPORTED.format(what="audio, a voice note or a sticker"))


@dataclass
class _Album:
    messages: list[types.Message] = field(default_factory=list)
    timer: asyncio.Task[None] | None = None


class AlbumCollector:
    """Gathers the messages of one media group, then makes one carousel asset."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait = wait_seconds
        self._albums: dict[tuple[int, str], _Album] = {}
        self._jobs: set[asyncio.Task[None]] = set()

    async def add(self, message: types.Message, bot: Bot, services: Services, cards: Cards) -> None:
        """Add an item; (re)start the quiet timer of its album."""
        key = (message.chat.id, str(message.media_group_id))
        album = self._albums.setdefault(key, _Album())
        album.messages.append(message)
        if album.timer is not None:
            album.timer.cancel()
        album.timer = asyncio.create_task(self._later(key, bot, services, cards))
        self._jobs.add(album.timer)
        album.timer.add_done_callback(self._jobs.discard)

    async def _later(
        self, key: tuple[int, str], bot: Bot, services: Services, cards: Cards
    ) -> None:
        await asyncio.sleep(self.wait)
        album = self._albums.pop(key, None)
        if album is None:
            return
        task = asyncio.create_task(self._finish(album.messages, bot, services, cards))
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    async def drain(self) -> None:
        """Wait for pending albums (tests, shutdown)."""
        while self._jobs:
            await asyncio.gather(*list(self._jobs), return_exceptions=True)

    async def _finish(
        self, messages: list[types.Message], bot: Bot, services: Services, cards: Cards
    ) -> None:
        messages.sort(key=lambda m: m.message_id)
        first = messages[0]
        try:
            brand, actor = await acting(first.chat.id, first.from_user)
            await actor.may(brand.id, Action.UPLOAD)
        except OneClickError as exc:
            await first.answer(exc.user_message)
            return
        progress = await first.reply(f"⏳ Got an album of {len(messages)}, receiving…")
        chat_id = str(first.chat.id)
        try:
            asset = await services.assets.receive_album(
                actor,
                brand_id=brand.id,
                source=AssetSource.TELEGRAM,
                source_id=f"album:{chat_id}:{first.media_group_id}",
                files=[
                    chat_file(bot, services, chat_id, item) if (item := media_item(m)) else None
                    for m in messages
                ],
                caption=next((m.caption for m in messages if m.caption), "") or "",
            )
            await cards.create(
                bot,
                brand=brand,
                asset=asset,
                chat_id=chat_id,
                actor=actor.user,
                message_id=progress.message_id,
            )
        except Exception as exc:  # noqa: BLE001 - reported to the user in the chat
            await _report(bot, progress, exc)
