"""The whole path across front ends: a Telegram upload by a non-approver, approved in Slack."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import httpx
from pydantic import SecretStr

from bots.telegram.app import TelegramBot
from core.brands import issue_link_code
from core.models import AuditLog, JobStatus, PublishJob, SlackCard, WebPost
from tests.conftest import make_settings
from tests.e2e.slack.conftest import CHANNEL, OWNER, SECRET, SlackHarness
from tests.e2e.slack.sender import Sender
from tests.e2e.slack.test_approve_publish import texts
from tests.e2e.telegram.conftest import Harness, button, link, person
from tests.fakes.slack_api import running_fake as slack_fake
from tests.fakes.telegram_api import running_fake as telegram_fake
from tests.support.media import make_jpeg
from tests.support.server import serving


async def test_telegram_upload_by_member_approved_in_slack_publishes(tmp_path: Path) -> None:
    async with slack_fake() as sfake, telegram_fake() as tfake:
        team = sfake.add_team("T0ACME001", "Acme")
        sfake.add_user(team, OWNER, "olga")
        sfake.add_channel(team, CHANNEL, "approvals")
        settings = make_settings(
            tmp_path,
            slack_bot_token=team.bot_token,
            slack_signing_secret=SECRET,
            slack_api_base=sfake.api_base,
            slack_status_min_interval_seconds=0.2,
            telegram_bot_token=SecretStr(tfake.token),
            telegram_api_base=tfake.base,
            telegram_status_min_interval_seconds=0.3,
        )
        async with (
            serving(settings) as served,
            httpx.AsyncClient(base_url=served.url, timeout=30) as web,
        ):
            h = SlackHarness(sfake, team, settings, web, Sender(web, SECRET, sfake), tmp_path)
            bot = TelegramBot(served.services)  # the web app's services: one set of notifiers
            await bot.start_polling(polling_timeout=1)
            try:
                owner, brand, code = await h.owner_brand(approval=True)
                await h.link(code)
                tg = Harness(tfake, bot, served.services, settings)
                group = {"id": -4001, "type": "group", "title": "Acme team"}
                olga, ed = person(8101, "Olga"), person(8102, "Ed")
                await link(
                    tg, group, olga, await issue_link_code(brand, actor=owner, origin="test")
                )
                jpeg = (await asyncio.to_thread(make_jpeg, tmp_path / "p.jpg")).read_bytes()
                tfake.user_message(
                    group, ed, photo=tfake.photo_sizes(jpeg), caption="Latte art Friday"
                )
                tcard = await tg.until(
                    lambda: next(
                        (
                            m
                            for m in tfake.chat_messages(-4001)
                            if "Publish" in str(m.get("reply_markup"))
                        ),
                        None,
                    ),
                    "the Telegram card",
                )
                tfake.tap(ed, tcard, button(tcard, "🚀 Publish"))

                job = await h.until(
                    lambda: PublishJob.get_or_none(brand_id=brand.id), "the request"
                )
                card = await h.until(
                    lambda: SlackCard.get_or_none(
                        job_id=job.id, channel_id=CHANNEL, message_ts__isnull=False
                    ),
                    "the Slack approval card",
                )
                assert job.status == JobStatus.AWAITING_APPROVAL and job.origin == "telegram"
                message = copy.deepcopy(h.message(CHANNEL, card.message_ts))
                assert "Approval needed" in texts(message)
                assert "Latte art Friday" in texts(message)

                await h.send.click(team, CHANNEL, OWNER, message, "✅ Approve")
                await h.until(
                    lambda: any(
                        m["text"].startswith("✅ Published everywhere")
                        for m in sfake.thread(CHANNEL, card.message_ts)
                    ),
                    "published, in the Slack thread",
                    limit=60,
                )
                job = await PublishJob.get(id=job.id)
                assert job.status == JobStatus.PUBLISHED and job.approved_by_id == owner.id
                assert await WebPost.filter(brand_id=brand.id).count() == 1
                assert f"Approved by <@{OWNER}>" in texts(h.message(CHANNEL, card.message_ts))
                assert await AuditLog.exists(
                    action="job.approved", origin="slack", actor_id=owner.id, object_id=str(job.id)
                )
            finally:
                await bot.stop()
