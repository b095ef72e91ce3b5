"""The Telegram status message keeps following its job through a database failure (SQLite).

The watcher's table disappears for a while (renamed away: every read of it fails, as in a
database outage); the watcher logs each failure, waits, tries again, and once the table is
back it edits the message to the job's end. The real aiogram Bot talks to the fake Bot API.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from pydantic import SecretStr
from tortoise import connections

from bots.telegram.cards import Cards
from bots.telegram.notifier import make_bot
from bots.telegram.status import StatusWatcher
from core.brands import create_brand
from core.config import Settings
from core.models import (
    AssetKind,
    JobStatus,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SocialAccount,
    TargetStatus,
    TelegramCard,
)
from core.users import create_user
from tests.fakes.telegram_api import running_fake
from tests.support.waiting import until

CHAT = 8601


async def test_the_status_follows_the_job_through_a_database_failure(
    db: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bots.common.watchers")
    async with running_fake() as fake:
        db.telegram_bot_token = SecretStr(fake.token)
        db.telegram_api_base = fake.base
        db.telegram_status_min_interval_seconds = 0.05
        owner = await create_user("owner@example.com", "long enough password", origin="test")
        brand = await create_brand(owner, "Acme Coffee", origin="test")
        web = await SocialAccount.get(brand_id=brand.id, platform="web")
        asset = await MediaAsset.create(brand=brand, kind=AssetKind.IMAGE, file_name="mug.jpg")
        job = await PublishJob.create(
            brand=brand, asset=asset, created_by=owner, status=JobStatus.RUNNING, origin="test"
        )
        target = await PublishTarget.create(
            brand=brand, job=job, account=web, platform="web", caption="Mugs"
        )
        services = SimpleNamespace(
            settings=db, connectors=SimpleNamespace(labels=lambda: {"web": "Web feed"})
        )
        bot = make_bot(services)  # type: ignore[arg-type]
        watcher = StatusWatcher(bot, Cards(services))  # type: ignore[arg-type]
        watcher.retry_first, watcher.retry_max = 0.05, 0.2
        conn = connections.get("default")
        try:
            status = await bot.send_message(CHAT, "…")
            card = await TelegramCard.create(
                brand=brand,
                asset=asset,
                chat_id=str(CHAT),
                platforms=["web"],
                selected=["web"],
                job=job,
                status_message_id=status.message_id,
            )
            watcher.watch(card.id)
            await until(
                lambda: fake.message(CHAT, status.message_id)["text"].startswith("🚀 Publishing"),
                "the status of the running job",
            )

            await conn.execute_script("ALTER TABLE telegram_cards RENAME TO telegram_cards_away")
            await until(
                lambda: (
                    sum("status watcher of card" in r.getMessage() for r in caplog.records) >= 3
                ),
                "the watcher to fail, wait and try again, more than once",
            )
            await conn.execute_script("ALTER TABLE telegram_cards_away RENAME TO telegram_cards")
            await PublishTarget.filter(id=target.id).update(
                status=TargetStatus.PUBLISHED, external_url="http://127.0.0.1/b/acme/1"
            )
            await PublishJob.filter(id=job.id).update(status=JobStatus.PUBLISHED)

            await until(
                lambda: TelegramCard.exists(id=card.id, status_done=True),
                "the watcher to see the job at rest",
            )
            text = fake.message(CHAT, status.message_id)["text"]
            assert text.startswith("✅ Published everywhere"), text
        finally:
            await watcher.stop()
            await bot.session.close()
