"""The real web app (uvicorn) with the real slack-bolt app, against the fake Slack Web API."""

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

from core import notify
from core.brands import create_brand, issue_link_code
from core.config import Settings
from core.intake import file_chunks, ingest_media
from core.models import AssetSource, Brand, MediaAsset, SlackCard, User
from core.users import create_user
from tests.conftest import make_settings
from tests.e2e.slack.sender import Sender
from tests.fakes.slack_api import FakeSlack, Team, running_fake
from tests.support.media import make_jpeg
from tests.support.outbound import loopback_outbound
from tests.support.server import live_app

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0ACME001"
OWNER, EDITOR = "U0OWNER01", "U0EDITOR1"


@dataclass
class SlackHarness:
    """Everything a Slack e2e test touches."""

    fake: FakeSlack
    team: Team
    settings: Settings
    web: httpx.AsyncClient
    send: Sender
    tmp: Path

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
        raise AssertionError(
            f"timed out waiting for {what}; ephemerals: {self.fake.ephemeral_texts()}"
        )

    async def card_message(self, asset: MediaAsset, channel: str = CHANNEL) -> dict[str, Any]:
        """The Slack message of the asset's card in a channel (waits for it)."""

        async def find() -> dict[str, Any] | None:
            card = await SlackCard.get_or_none(
                asset_id=asset.id, channel_id=channel, message_ts__isnull=False
            )
            return self.fake.messages.get((channel, card.message_ts)) if card else None

        return dict(await self.until(find, f"the card of asset {asset.id}"))

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """A message as it is now."""
        return self.fake.messages[(channel, ts)]

    async def owner_brand(
        self, email: str = "owner@example.com", name: str = "Acme Coffee", approval: bool = False
    ) -> tuple[User, Brand, str]:
        """A user, their brand and a fresh link code."""
        owner = await create_user(email, "long enough password", origin="test")
        brand = await create_brand(owner, name, origin="test")
        if approval:
            brand.approval_required = True
            await brand.save()
        return owner, brand, await issue_link_code(brand, actor=owner, origin="test")

    async def command(self, text: str, user: str = OWNER, channel: str = CHANNEL) -> str:
        """Run `/oneclick <text>` and return the reply (JSON or plain text, as bolt acks)."""
        response = await self.send.command(self.team, channel, user, text)
        assert response.status_code == 200, response.text
        if response.headers.get("content-type", "").startswith("application/json"):
            return str(response.json().get("text", ""))
        return response.text

    async def link(self, code: str, user: str = OWNER, channel: str = CHANNEL) -> str:
        """Run `/oneclick link CODE` and return the reply text."""
        return await self.command(f"link {code}", user, channel)

    async def inbox_item(
        self,
        brand: Brand,
        actor: User | None,
        name: str = "mug.jpg",
        caption: str = "Our new mugs are here",
    ) -> MediaAsset:
        """A photo arriving in the brand's inbox (as Instagram ingest does), announced."""
        # ffmpeg runs in a thread: the app under test shares this event loop
        path = await asyncio.to_thread(make_jpeg, self.tmp / name)
        asset = await ingest_media(
            self.settings,
            brand=brand,
            chunks=file_chunks(path),
            file_name=name,
            caption=caption,
            actor=actor,
            origin="test",
            source=AssetSource.UPLOAD,
        )
        await notify.inbox_item(asset)
        return asset


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[SlackHarness]:
    """The live app in single-workspace mode (SLACK_BOT_TOKEN) wired to the fake."""
    async with running_fake() as fake:
        team = fake.add_team("T0ACME001", "Acme")
        fake.add_user(team, OWNER, "olga")
        fake.add_user(team, EDITOR, "ed")
        fake.add_channel(team, CHANNEL, "marketing")
        settings = make_settings(
            tmp_path,
            slack_bot_token=team.bot_token,
            slack_signing_secret=SECRET,
            slack_api_base=fake.api_base,
            slack_status_min_interval_seconds=0.2,
            **loopback_outbound(fake.base_url),
        )  # its file downloads
        async with live_app(settings) as base, httpx.AsyncClient(base_url=base, timeout=30) as web:
            yield SlackHarness(fake, team, settings, web, Sender(web, SECRET, fake), tmp_path)
