"""Stored script through a platform's answer: a post URL from a user-chosen Mastodon server
is checked before it is stored and again before any page, API answer or chat shows it."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from bots.common.status_text import Markup, target_line
from connectors.base import PublishState
from core.models import PublishTarget, TargetStatus
from tests.e2e.connectors.cases.mastodon import CASE
from tests.e2e.connectors.contract import FakeRun, contract_env
from tests.e2e.connectors.oauth_dance import sign_in
from tests.fakes.mastodon_api import FakeMastodon
from tests.support.outbound import loopback_outbound

HOSTILE = (
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/@acme/1",
    "//evil.example/x",
    "https://user@evil.example/",
)


class LyingMastodon(FakeMastodon):
    """A Mastodon server answering every new status with the link it was told to."""

    link = ""

    async def post_status(self, request: web.Request) -> web.Response:
        """The status as made, with its `url` and `uri` replaced."""
        await super().post_status(request)
        status = self.statuses[self.published[-1]["id"]]
        status["url"] = status["uri"] = self.link
        return web.json_response(self.public(status))


@asynccontextmanager
async def lying_fake() -> AsyncIterator[FakeRun]:
    async with LyingMastodon().running() as server:
        yield FakeRun(overrides=loopback_outbound(server.base_url), handle=server)


CHAT = Markup(
    escape=html.escape,
    bold=lambda t: f"<b>{t}</b>",
    link=lambda url, text: f'<a href="{url}">{text}</a>',
)


async def test_a_hostile_post_link_is_neither_stored_nor_shown(tmp_path: Path) -> None:
    case = dataclasses.replace(CASE, fake=lying_fake)
    async with contract_env(case, tmp_path) as env:
        account = await case.connect(env)
        browser = await sign_in(env.base_url, env.user.email)
        fake: LyingMastodon = env.handle  # type: ignore[assignment]
        runner = env.services.runner
        for link in HOSTILE:
            fake.link = link
            asset = await env.asset("image", caption=f"post for {link[:12]}")
            target = await env.target(asset, account)
            await runner.prepare_job(target.job_id)
            assert (await runner.run(target.id)).status == TargetStatus.PUBLISHED
            target = await PublishTarget.get(id=target.id)
            assert target.external_id and target.external_url == "", link  # the post counts

            status = await env.connector.get_status(target.external_id, account)
            assert status.state == PublishState.PUBLISHED and not status.external_url

        # a link stored before these checks existed is still never shown as a link
        await PublishTarget.filter(id=target.id).update(external_url=HOSTILE[0])
        target = await PublishTarget.get(id=target.id)
        page = await browser.get(f"/brands/{env.brand.id}/jobs/{target.job_id}")
        poll = await browser.get(f"/brands/{env.brand.id}/jobs/{target.job_id}.json")
        await browser.aclose()
        assert page.status_code == 200 and "javascript" not in page.text.lower()
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert all(t["url"] == "" for t in poll.json()["targets"])
        assert "javascript" not in target_line(target, "Mastodon", CHAT).lower()

        from webapp.api.schemas import TargetOut

        assert TargetOut.of(target).external_url is None


async def test_a_good_post_link_on_the_server_is_kept(tmp_path: Path) -> None:
    case = dataclasses.replace(CASE, fake=lying_fake)
    async with contract_env(case, tmp_path) as env:
        account = await case.connect(env)
        fake: LyingMastodon = env.handle  # type: ignore[assignment]
        fake.link = f"{fake.base_url}/@acme/42"
        asset = await env.asset("image")
        target = await env.target(asset, account)
        await env.services.runner.prepare_job(target.job_id)
        await env.services.runner.run(target.id)
        target = await PublishTarget.get(id=target.id)
        assert target.external_url == fake.link
        assert f'href="{fake.link}"' in target_line(target, "Mastodon", CHAT)
