"""The real aiogram Bot and Dispatcher against the loopback fake Bot API, jobs in-process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr

from bots.telegram.app import TelegramBot
from core.brands import create_brand, issue_link_code
from core.config import Settings
from core.models import Brand, User
from core.users import create_user
from oneclick.bootstrap import Services, open_services
from tests.fakes.telegram_api import FakeTelegram, running_fake

CHANNEL = "-1001234567890"


@dataclass
class Harness:
    """Everything a Telegram e2e test touches."""

    fake: FakeTelegram
    bot: TelegramBot
    services: Services
    settings: Settings

    async def until(self, check: Callable[[], Any], what: str, limit: float = 60.0) -> Any:
        """Poll until `check()` is truthy; fail naming `what`."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return result
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"timed out waiting for {what}; bot said: "
            f"{[m.get('text') for m in self.fake.chat_messages_all()]}"
        )

    def last_text(self, chat_id: int) -> str:
        """The newest bot message text in a chat."""
        msgs = self.fake.chat_messages(chat_id)
        return msgs[-1].get("text", "") if msgs else ""

    def answers(self) -> list[str]:
        """Texts of every answerCallbackQuery so far."""
        return [str(c.params.get("text", "")) for c in self.fake.calls_of("answerCallbackQuery")]


def _all(self: FakeTelegram) -> list[dict[str, Any]]:
    return [m for m in self.messages.values() if m.get("from", {}).get("id") == self.bot_id]


FakeTelegram.chat_messages_all = _all  # type: ignore[attr-defined]


def person(uid: int, name: str = "Ann") -> dict[str, Any]:
    """A Telegram user."""
    return {"id": uid, "is_bot": False, "first_name": name}


def private(uid: int) -> dict[str, Any]:
    """A private chat with that user."""
    return {"id": uid, "type": "private", "first_name": "Ann"}


def button(message: dict[str, Any], starts: str) -> str:
    """The callback data of the first inline button whose text starts with `starts`."""
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for b in row:
            if b["text"].startswith(starts) and "callback_data" in b:
                return str(b["callback_data"])
    raise AssertionError(f"no button {starts!r} in {message.get('reply_markup')}")


@pytest.fixture
async def tg(db: Settings) -> AsyncIterator[Harness]:
    """A running bot (long polling) wired to the fake Bot API."""
    async with running_fake() as fake:
        settings = db
        settings.telegram_bot_token = SecretStr(fake.token)
        settings.telegram_api_base = fake.base
        settings.telegram_status_min_interval_seconds = 0.3
        settings.telegram_album_wait_seconds = 0.3
        async with open_services(settings, database=False) as services:
            bot = TelegramBot(services)
            await bot.start_polling(polling_timeout=1)
            try:
                yield Harness(fake, bot, services, settings)
            finally:
                await bot.stop()


async def owner_brand(
    h: Harness, email: str = "owner@example.com", name: str = "Acme Coffee", channel: bool = True
) -> tuple[User, Brand, str]:
    """A user, their brand (web feed + a Telegram channel) and a fresh link code."""
    owner = await create_user(email, "long enough password", origin="test")
    brand = await create_brand(owner, name, origin="test")
    if channel:
        h.fake.add_channel(CHANNEL, f"{name} News", username="acmenews")
        await h.services.connectors.get("telegram").connect(brand, {"chat_id": CHANNEL})
    code = await issue_link_code(brand, actor=owner, origin="test")
    return owner, brand, code


async def link(h: Harness, chat: dict[str, Any], user: dict[str, Any], code: str) -> None:
    """Send /start CODE and wait for the confirmation."""
    h.fake.user_message(
        chat,
        user,
        text=f"/start {code}",
        entities=[{"type": "bot_command", "offset": 0, "length": 6}],
    )
    await h.until(lambda: "linked to" in h.last_text(chat["id"]), "the link confirmation")
