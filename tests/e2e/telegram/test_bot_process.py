"""`oneclick bot telegram`, the compose file's telegram-bot service: its own process, long
polling a (loopback) Bot API, and a clean exit on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import running_fake


async def test_the_bot_process_polls_and_stops_cleanly(tmp_path: Path) -> None:
    async with running_fake() as fake:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE": fake.base,
               "DATABASE_URL": f"sqlite://{tmp_path}/db.sqlite3",
               "DATA_DIR": str(tmp_path / "data"), "REDIS_URL": "", "LOG_LEVEL": "WARNING"}
        env.pop("TELEGRAM_WEBHOOK_SECRET", None)
        upgrade = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "oneclick", "db", "upgrade", env=env, cwd=tmp_path)
        assert await upgrade.wait() == 0
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "oneclick", "bot", "telegram", env=env, cwd=tmp_path,
            stderr=asyncio.subprocess.PIPE)
        try:
            for _ in range(300):
                if fake.calls_of("getUpdates"):
                    break
                await asyncio.sleep(0.1)
            assert fake.calls_of("getUpdates"), "the bot never polled the Bot API"
            bot.send_signal(signal.SIGINT)
            code = await asyncio.wait_for(bot.wait(), 30)
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        stderr = (await bot.stderr.read()).decode() if bot.stderr else ""
        assert code == 0, stderr[-2000:]
        assert "Traceback" not in stderr, stderr[-2000:]
