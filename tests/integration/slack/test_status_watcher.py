"""The Slack status reply keeps following its job through a database failure (SQLite).

The watcher's table disappears for a while (renamed away: every read of it fails, as in a
database outage); the watcher logs each failure, waits, tries again, and once the table is
back it edits the reply to the job's end.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from pydantic import SecretStr
from tortoise import connections

from bots.slack.cards import SlackCards
from bots.slack.client import SlackClients
from bots.slack.status import StatusWatcher
from core.brands import create_brand
from core.config import Settings
from core.models import (
    AssetKind,
    JobStatus,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SlackCard,
    SocialAccount,
    TargetStatus,
)
from core.users import create_user
from tests.fakes.slack_api import running_fake
from tests.support.waiting import until

CHANNEL = "C0ACME001"


async def test_the_reply_follows_the_job_through_a_database_failure(
    db: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bots.common.watchers")
    async with running_fake() as fake:
        team = fake.add_team("T0ACME001", "Acme")
        fake.add_channel(team, CHANNEL, "marketing")
        db.slack_bot_token = SecretStr(team.bot_token)
        db.slack_api_base = fake.api_base
        db.slack_status_min_interval_seconds = 0.05
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
        clients = SlackClients(db, None)
        posted = await (await clients.for_team(team.id)).chat_postMessage(
            channel=CHANNEL, text="the card"
        )
        card = await SlackCard.create(
            brand=brand,
            asset=asset,
            team_id=team.id,
            channel_id=CHANNEL,
            kind="inbox",
            platforms=["web"],
            selected=["web"],
            job=job,
            message_ts=posted["ts"],
        )
        services = SimpleNamespace(
            settings=db, connectors=SimpleNamespace(labels=lambda: {"web": "Web feed"})
        )
        watcher = StatusWatcher(SlackCards(services, clients))  # type: ignore[arg-type]
        watcher.retry_first, watcher.retry_max = 0.05, 0.2
        conn = connections.get("default")
        try:
            await watcher.attach(card)
            (reply,) = fake.thread(CHANNEL, posted["ts"])
            assert reply["text"].startswith("🚀 Publishing")

            await conn.execute_script("ALTER TABLE slack_cards RENAME TO slack_cards_away")
            await until(
                lambda: (
                    sum("status watcher of card" in r.getMessage() for r in caplog.records) >= 3
                ),
                "the watcher to fail, wait and try again, more than once",
            )
            await conn.execute_script("ALTER TABLE slack_cards_away RENAME TO slack_cards")
            await PublishTarget.filter(id=target.id).update(
                status=TargetStatus.PUBLISHED, external_url="http://127.0.0.1/b/acme/1"
            )
            await PublishJob.filter(id=job.id).update(status=JobStatus.PUBLISHED)

            await until(
                lambda: SlackCard.exists(id=card.id, status_done=True),
                "the watcher to see the job at rest",
            )
            message = fake.messages[(CHANNEL, reply["ts"])]
            assert message["text"].startswith("✅ Published everywhere"), message["text"]
        finally:
            await watcher.stop()
