"""Instagram ingest end to end: the live app with the Meta, Telegram, Slack and Claude fakes."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.models import AuditLog, Brand, ChatKind, ChatLink, SocialAccount, User
from oneclick.services import Services
from tests.conftest import make_settings
from tests.e2e.connectors.contract import prepared_database, quick_user
from tests.e2e.connectors.oauth_dance import authorize, csrf_of, sign_in
from tests.e2e.slack.sender import Sender
from tests.fakes.anthropic_api import FakeMessagesAPI
from tests.fakes.meta_graph import MetaGraphFake, running_meta_graph
from tests.fakes.slack_api import FakeSlack, Team
from tests.fakes.slack_api import running_fake as running_slack
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import running_fake as running_telegram
from tests.support.media import make_jpeg
from tests.support.server import serving

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL, OWNER = "C0ACME001", "U0OWNER01"
CHAT = 777001  # a Telegram chat linked to the brand
HOUR, DAY = 3600.0, 86400.0


@dataclass
class World:
    """Everything an ingest test touches."""

    meta: MetaGraphFake
    telegram: FakeTelegram
    slack: FakeSlack
    team: Team
    ai: FakeMessagesAPI
    base: str
    send: Sender
    tmp: Path
    services: Services  # the live app's
    photo: bytes = b""

    async def scheduled_ingest(self) -> int:
        """The scheduled ingest run, through the in-process queue, to its end."""
        from tasks.ingest import ingest_all

        count: int = await ingest_all(self.services)
        await self.services.queue.broker.wait_all()  # type: ignore[attr-defined]
        return count

    async def until(self, check: Callable[[], Any], what: str, limit: float = 60.0) -> Any:
        """Poll until `check()` is truthy; fail naming `what`."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def seed(self, caption: str, age: float) -> str:
        """A photo post already on the Instagram account, `age` seconds old."""
        return self.meta.seed_ig_post(caption, [("IMAGE", self.photo)], age=age)

    def chat_texts(self, chat_id: int | str = CHAT) -> list[str]:
        """What the bot wrote in a Telegram chat, oldest first."""
        return [str(m.get("text", "")) for m in self.telegram.chat_messages(chat_id)]

    async def owner(
        self, email: str = "owner@example.com", name: str = "Acme Coffee"
    ) -> tuple[User, Brand, httpx.AsyncClient]:
        """A signed-in owner, their brand (web feed on) and the linked Telegram chat."""
        from core.brands import create_brand

        user = await quick_user(email)
        brand = await create_brand(user, name, origin="test")
        await ChatLink.create(
            brand=brand, kind=ChatKind.TELEGRAM, chat_id=str(CHAT), linked_by=user
        )
        return user, brand, await sign_in(self.base, email)

    async def link_slack(self, brand: Brand, user: User) -> None:
        """`/oneclick link CODE` in the Slack channel (the real command)."""
        from core.brands import issue_link_code

        code = await issue_link_code(brand, actor=user, origin="test")
        answer = await self.send.command(self.team, CHANNEL, OWNER, f"link {code}")
        assert answer.status_code == 200 and "linked" in answer.text, answer.text

    async def connect_instagram(self, browser: httpx.AsyncClient, brand: Brand) -> SocialAccount:
        """The OAuth dance through the web app; then wait for the first sync to finish."""
        done = await browser.get(await authorize(browser, brand.id, "instagram"))
        assert done.status_code == 303, done.text
        account = await SocialAccount.get(brand_id=brand.id, platform="instagram")
        await self.until(
            lambda: AuditLog.exists(action="ingest.first_sync", object_id=str(account.id)),
            "the first sync",
        )
        return await SocialAccount.get(id=account.id)

    async def sync_from_web(
        self, browser: httpx.AsyncClient, brand: Brand, account: SocialAccount
    ) -> httpx.Response:
        """Press "Sync now" on the connections page."""
        page = await browser.get(f"/brands/{brand.id}/connections")
        assert f"/accounts/{account.id}/sync" in page.text, "no Sync now button"
        return await browser.post(
            f"/brands/{brand.id}/accounts/{account.id}/sync",
            data={"csrf_token": csrf_of(page.text)},
        )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """The live app wired to every fake; the Claude fake answers captions."""
    with FakeMessagesAPI() as ai:
        async with (
            running_meta_graph() as meta,
            running_telegram() as telegram,
            running_slack() as slack,
        ):
            team = slack.add_team("T0ACME001", "Acme")
            slack.add_user(team, OWNER, "olga")
            slack.add_channel(team, CHANNEL, "marketing")
            settings = make_settings(
                tmp_path,
                **meta.settings_overrides(),
                telegram_bot_token=telegram.token,
                telegram_api_base=telegram.base,
                slack_bot_token=team.bot_token,
                slack_signing_secret=SECRET,
                slack_api_base=slack.api_base,
                anthropic_api_key="test-key",
                anthropic_base_url=ai.base_url,
                connector_poll_interval_seconds=0.02,
                publish_retry_base_seconds=0.05,
            )
            await prepared_database(settings)
            photo = await asyncio.to_thread(make_jpeg, tmp_path / "post.jpg")
            async with (
                serving(settings) as served,
                httpx.AsyncClient(base_url=served.url, timeout=30) as web,
            ):
                yield World(
                    meta,
                    telegram,
                    slack,
                    team,
                    ai,
                    served.url,
                    Sender(web, SECRET, slack),
                    tmp_path,
                    served.services,
                    photo.read_bytes(),
                )
