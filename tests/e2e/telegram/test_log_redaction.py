"""A failed Telegram download logs its traceback without the bot token in the file URL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bots.telegram.download import file_stream
from core.config import Settings
from core.logs import configure_logging
from tests.fakes.telegram_api import FakeTelegram, running_fake

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-x"  # the shape of a real token
SECRET_PART = TOKEN.split(":")[1]


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the root logger back as pytest had it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


async def failed_download(settings: Settings) -> aiohttp.ClientResponseError:
    """Run the product's download against a file the Bot API no longer serves."""
    async with running_fake(FakeTelegram(token=TOKEN)) as fake:
        stored = fake.add_file(b"video bytes", name="clip.mp4")
        stored.data = None  # getFile answers, the download itself is a 404
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base)))
        try:
            with pytest.raises(aiohttp.ClientResponseError) as failed:
                async for _ in await file_stream(bot, settings, stored.file_id, stored.size):
                    pass
        finally:
            await bot.session.close()
    assert SECRET_PART in str(failed.value)  # the library's own text carries the token
    return failed.value


@pytest.mark.parametrize("json_lines", [False, True])
async def test_traceback_of_a_failed_download_is_redacted(
    settings: Settings, root_logging: None, capsys: pytest.CaptureFixture[str], json_lines: bool
) -> None:
    error = await failed_download(settings)
    configure_logging(json_lines=json_lines, level="INFO")  # no known secrets: patterns only
    log = logging.getLogger("bots.telegram")
    try:
        raise RuntimeError(f"download of clip.mp4 failed: {error}") from error
    except RuntimeError:
        log.exception("telegram update %s failed", 42)
    log.error("with the exception object", exc_info=error)
    log.warning("as an argument: %r", error, stack_info=True)
    out = capsys.readouterr().err
    assert "Traceback" in out or '"exception"' in out
    assert "ClientResponseError" in out and "/file/bot" in out
    assert SECRET_PART not in out and TOKEN not in out
    if json_lines:
        assert all(json.loads(line) for line in out.splitlines())


async def test_configured_secrets_are_redacted_whatever_their_shape(
    settings: Settings, root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = "123456:TEST-token-for-fake"  # too short for the token pattern
    configure_logging(json_lines=False, secrets=[odd, None, "short"])
    try:
        raise ValueError(f"GET http://127.0.0.1/bot{odd}/getMe and {odd[7:]} alone")
    except ValueError:
        logging.getLogger("x").exception("failed")
    out = capsys.readouterr().err
    assert "TEST-token-for-fake" not in out and "getMe" in out
