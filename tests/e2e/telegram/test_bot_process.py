"""`oneclick bot telegram`, the compose file's telegram-bot service: its own process, long
polling a (loopback) Bot API, and a clean exit on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import make_settings
from tests.fakes.telegram_api import running_fake
from tests.support.db import migrated
from tests.support.waiting import until


async def test_the_bot_process_polls_and_stops_cleanly(tmp_path: Path) -> None:
    async with running_fake() as fake:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE": fake.base,
            "DATABASE_URL": f"sqlite://{tmp_path}/db.sqlite3",
            "DATA_DIR": str(tmp_path / "data"),
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("TELEGRAM_WEBHOOK_SECRET", None)
        await migrated(make_settings(tmp_path, database_url=env["DATABASE_URL"]))
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "oneclick",
            "bot",
            "telegram",
            env=env,
            cwd=tmp_path,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            # a new process imports the whole product first: slow on a busy machine
            await until(
                lambda: fake.calls_of("getUpdates") or bot.returncode is not None,
                "the bot process to poll the Bot API",
                limit=180.0,
                every=0.1,
            )
            if not fake.calls_of("getUpdates"):
                err = (await bot.stderr.read()).decode() if bot.stderr else ""
                raise AssertionError(
                    f"the bot exited ({bot.returncode}) before it polled: " + err[-2000:]
                )
            bot.send_signal(signal.SIGINT)
            code = await asyncio.wait_for(bot.wait(), 90)  # a deadline: busy machines are slow
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        stderr = (await bot.stderr.read()).decode() if bot.stderr else ""
        assert code == 0, stderr[-2000:]
        assert "Traceback" not in stderr, stderr[-2000:]
