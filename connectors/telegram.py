"""Telegram channel connector: posts to a channel the bot administers (Bot API).

Media go up as real multipart uploads of the prepared files (`telegram_video`,
`telegram_photo`); albums go out with `sendMediaGroup` (caption on the first item).
The bot token comes from settings (`TELEGRAM_BOT_TOKEN`), the server from
`TELEGRAM_API_BASE`. The channel's chat id is the account's `external_id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import FSInputFile, InputMediaPhoto, InputMediaVideo, Message

from connectors.base import Connector, PublishState, PublishStatus
from core.ai.style_rules import DEFAULT_RULES
from core.effects import note_create_sent
from core.errors import ConnectorError, InvalidInput, MaybeApplied
from core.models import (
    AccountStatus,
    AssetKind,
    Brand,
    MediaAsset,
    PublishTarget,
    SocialAccount,
    TranscodedMedia,
)

CAPTION_MAX = 1024
PLATFORM = "telegram"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def post_url(account: SocialAccount, message_id: int | str) -> str:
    """The t.me link of a channel post (public username, else the private c/ form)."""
    username = (account.meta or {}).get("username")
    if username:
        return f"https://t.me/{username}/{message_id}"
    internal = account.external_id.removeprefix("-100").lstrip("-")
    return f"https://t.me/c/{internal}/{message_id}"


def translate(exc: TelegramAPIError, *, sending: bool = False) -> ConnectorError:
    """A Bot API error as the product's connector error, in plain words.

    `sending`: the call posts to the channel. A server error or a connection cut after
    the request left may come after Telegram posted it (the nothing-twice rule); the Bot
    API keeps no history to look it up in, so that ends as an honest "unknown".
    """
    if isinstance(exc, TelegramRetryAfter):
        return ConnectorError(
            "Telegram asked us to slow down; retrying shortly.",
            platform=PLATFORM,
            retryable=True,
            retry_after=exc.retry_after,
            code="429",
        )
    if isinstance(exc, TelegramUnauthorizedError):
        return ConnectorError(
            "Telegram refused the bot token: check TELEGRAM_BOT_TOKEN.",
            platform=PLATFORM,
            needs_reconnect=True,
            code="401",
        )
    if isinstance(exc, (TelegramForbiddenError, TelegramNotFound)) or (
        isinstance(exc, TelegramBadRequest) and "chat not found" in exc.message.lower()
    ):
        return ConnectorError(
            "The bot can no longer post in this channel: add it back as an "
            "administrator with the right to post, then retry.",
            platform=PLATFORM,
            needs_reconnect=True,
            code="forbidden",
        )
    if isinstance(exc, TelegramServerError):
        if sending:
            return sent_maybe("Telegram answered with a server error", "5xx")
        return ConnectorError(
            "Telegram had a server problem; retrying.",
            platform=PLATFORM,
            retryable=True,
            code="5xx",
        )
    if isinstance(exc, TelegramNetworkError):
        if "ClientConnector" in exc.message:  # never connected: nothing was sent
            return ConnectorError(
                "Telegram could not be reached; retrying.",
                platform=PLATFORM,
                retryable=True,
                code="network",
            )
        if sending:
            return sent_maybe("The upload to Telegram was cut off", "network")
        return ConnectorError(
            "The connection to Telegram was cut off; retrying.",
            platform=PLATFORM,
            retryable=True,
            code="network",
        )
    reason = exc.message.removeprefix("Bad Request: ")
    return ConnectorError(f"Telegram refused the post: {reason}.", platform=PLATFORM, code="400")


def sent_maybe(what: str, code: str) -> MaybeApplied:
    """A send whose outcome is unknown (noted for the running attempt)."""
    note_create_sent()
    return MaybeApplied(
        f"{what} after the post was sent, so it may be in the channel.",
        platform=PLATFORM,
        retryable=False,
        code=code,
    )


class TelegramConnector(Connector):
    """A Telegram channel the product's bot administers."""

    platform = PLATFORM
    label = "Telegram channel"
    rules = DEFAULT_RULES["telegram"]
    auth_kind = "bot_token"
    supports_carousel = True

    def media_profile(self, asset: MediaAsset) -> str:
        """A Telegram video, or a Telegram photo (albums: photos)."""
        return "telegram_video" if asset.kind == AssetKind.VIDEO else "telegram_photo"

    @asynccontextmanager
    async def _bot(self) -> Any:
        token = self.ctx.settings.telegram_bot_token
        if token is None:
            raise ConnectorError(
                "The Telegram bot is not configured (TELEGRAM_BOT_TOKEN).",
                platform=PLATFORM,
                code="no_token",
            )
        session = AiohttpSession(
            api=TelegramAPIServer.from_base(self.ctx.settings.telegram_api_base)
        )
        bot = Bot(token.get_secret_value(), session=session)
        try:
            yield bot
        finally:
            await session.close()

    async def connect(self, brand: Brand, oauth_params: Mapping[str, Any]) -> SocialAccount:
        """Check the bot administers the channel (`chat_id`) and store it as an account."""
        chat_id = str(oauth_params.get("chat_id") or "").strip()
        if not chat_id:
            raise InvalidInput("Give the channel's chat id (like -1001234567890 or @name).")
        async with self._bot() as bot:
            try:
                chat = await bot.get_chat(chat_id)
                member = await bot.get_chat_member(chat.id, bot.id)
            except TelegramAPIError as exc:
                raise InvalidInput(
                    "Telegram does not know that channel or the bot is not in "
                    "it: add the bot as an administrator first."
                ) from exc
        if member.status != "administrator" or not getattr(member, "can_post_messages", True):
            raise InvalidInput(
                "Make the bot an administrator of the channel with the right "
                "to post messages, then try again."
            )
        account, _ = await SocialAccount.update_or_create(
            brand=brand,
            platform=PLATFORM,
            external_id=str(chat.id),
            defaults={
                "display_name": chat.title or chat.username or str(chat.id),
                "status": AccountStatus.OK,
                "status_reason": "",
                "meta": {"username": chat.username or "", "type": chat.type},
            },
        )
        return account  # the caller (core.app.accounts) audits who connected it

    async def disconnect(self, account: SocialAccount) -> None:
        """Stop posting to the channel (the bot stays in it; remove it there if wanted)."""
        account.status = AccountStatus.DISCONNECTED
        await account.save(update_fields=["status"])

    async def _items(self, asset: MediaAsset) -> list[tuple[MediaAsset, TranscodedMedia, Path]]:
        """Each item with its prepared file, and that file on this machine."""
        items = [asset]
        if asset.kind == AssetKind.CAROUSEL:
            items = (
                await MediaAsset.filter(parent_id=asset.id, deleted_at=None)
                .order_by("position", "id")
                .limit(10)
            )
        prepared = [(a, await self.prepare_media(a, self.media_profile(a))) for a in items]
        return [(a, media, await self.local_file(media)) for a, media in prepared]

    async def publish(
        self, target: PublishTarget, caption: str, account: SocialAccount
    ) -> tuple[str, str]:
        """Upload the prepared media with the caption; (message id(s), t.me link)."""
        if utf16_len(caption) > CAPTION_MAX:
            raise ConnectorError(
                f"The caption has {utf16_len(caption):,} characters; Telegram "
                f"allows {CAPTION_MAX:,}.",
                platform=PLATFORM,
                code="caption",
            )
        job = await self.job_of(target)
        items = await self._items(job.asset)
        if not items:
            raise ConnectorError("This album has no photos or videos left.", platform=PLATFORM)
        chat_id = account.external_id
        timeout = self.ctx.settings.telegram_upload_timeout_seconds
        async with self._bot() as bot:
            try:
                if len(items) == 1:
                    message = await self._send_one(bot, chat_id, *items[0], caption, wait=timeout)
                    ids = [message.message_id]
                else:
                    sent = await bot.send_media_group(
                        chat_id=chat_id,
                        media=[
                            self._input_media(a, t, path, caption if i == 0 else None)
                            for i, (a, t, path) in enumerate(items)
                        ],
                        request_timeout=timeout,
                    )
                    ids = [m.message_id for m in sent]
            except TelegramAPIError as exc:
                raise translate(exc, sending=True) from exc
            except (ValueError, KeyError, TypeError, AiogramError) as exc:  # a malformed answer
                raise sent_maybe("Telegram's answer could not be read", "malformed") from exc
        note_create_sent()
        return ",".join(str(i) for i in ids), post_url(account, ids[0])

    @staticmethod
    async def _send_one(
        bot: Bot,
        chat_id: str,
        asset: MediaAsset,
        media: TranscodedMedia,
        path: Path,
        caption: str,
        *,
        wait: int,
    ) -> Message:
        upload = FSInputFile(
            path,
            filename=f"post-{asset.id}" + (".mp4" if media.mime_type == "video/mp4" else ".jpg"),
        )
        if media.mime_type.startswith("video/"):
            return await bot.send_video(
                chat_id=chat_id,
                video=upload,
                caption=caption or None,
                width=media.width,
                height=media.height,
                duration=round(media.duration_seconds or 0) or None,
                supports_streaming=True,
                request_timeout=wait,
            )
        return await bot.send_photo(
            chat_id=chat_id, photo=upload, caption=caption or None, request_timeout=wait
        )

    @staticmethod
    def _input_media(
        asset: MediaAsset, media: TranscodedMedia, path: Path, caption: str | None
    ) -> InputMediaPhoto | InputMediaVideo:
        if media.mime_type.startswith("video/"):
            return InputMediaVideo(
                media=FSInputFile(path, f"item-{asset.id}.mp4"),
                caption=caption or None,
                width=media.width,
                height=media.height,
                supports_streaming=True,
                duration=round(media.duration_seconds or 0) or None,
            )
        return InputMediaPhoto(
            media=FSInputFile(path, f"item-{asset.id}.jpg"), caption=caption or None
        )

    async def get_status(self, external_id: str, account: SocialAccount) -> PublishStatus:
        """Whether the channel post still exists (probed with a no-op markup edit)."""
        first = external_id.split(",")[0]
        async with self._bot() as bot:
            try:
                await bot.edit_message_reply_markup(
                    chat_id=account.external_id, message_id=int(first), reply_markup=None
                )
            except TelegramBadRequest as exc:
                text = exc.message.lower()
                if "not modified" not in text:
                    if "not found" in text:
                        return PublishStatus(PublishState.NOT_FOUND)
                    return PublishStatus(PublishState.FAILED, error=exc.message)
            except TelegramAPIError as exc:
                raise translate(exc) from exc
        return PublishStatus(PublishState.PUBLISHED, post_url(account, first))

    async def refresh_token(self, account: SocialAccount) -> SocialAccount:
        """A bot token does not expire; nothing to refresh."""
        return account

    async def find_published(
        self, target: PublishTarget, account: SocialAccount
    ) -> tuple[str, str] | None:
        """The recorded post if the id was stored; otherwise Telegram cannot tell (no history)."""
        if target.external_id:
            status = await self.get_status(target.external_id, account)
            if status.state == PublishState.PUBLISHED:
                return target.external_id, status.external_url or post_url(
                    account, target.external_id.split(",")[0]
                )
            return None
        return await super().find_published(target, account)


CONNECTOR = TelegramConnector
