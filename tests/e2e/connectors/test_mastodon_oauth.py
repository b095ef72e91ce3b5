"""Mastodon's sign-in through the web app: server form, app registered once, PKCE, state."""

from __future__ import annotations

from pathlib import Path

from core.models import AccountStatus, OAuthClientApp, SocialAccount
from tests.conftest import make_settings
from tests.e2e.connectors.network_dance import refused_then_connected, reused_is_refused
from tests.e2e.connectors.oauth_dance import authorize, brand_of, csrf_of, signed_in
from tests.fakes.mastodon_api import FakeMastodon
from tests.support.outbound import loopback_outbound
from tests.support.server import live_app


async def test_mastodon_connect_dance(tmp_path: Path) -> None:
    async with FakeMastodon().running() as server:
        settings = make_settings(tmp_path, **loopback_outbound(server.base_url))
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")
            form = await browser.get(f"/brands/{brand.id}/connect/mastodon")
            assert form.status_code == 200 and 'name="server"' in form.text
            # a GET never contacts the server it names (no cross-site request forgery)
            await browser.get(f"/brands/{brand.id}/connect/mastodon?server={server.base_url}")
            assert server.counts["apps"] == 0

            query = {"server": server.base_url}
            callback = await authorize(browser, brand.id, "mastodon", form=query)
            done = await refused_then_connected(base, browser, "owner@example.com", callback)
            assert done.headers["location"] == f"/brands/{brand.id}/connections"
            await reused_is_refused(browser, callback)

            # a second sign-in on the same server reuses the registered app
            second = await authorize(browser, brand.id, "mastodon", form=query)
            assert (await browser.get(second)).status_code == 303
            await browser.aclose()

            assert server.counts["apps"] == 1
            assert await OAuthClientApp.filter(platform="mastodon").count() == 1
            row = await OAuthClientApp.get(platform="mastodon")
            assert row.client_secret_enc not in server.apps[row.client_id]["client_secret"]
            account = await SocialAccount.get(brand_id=brand.id, platform="mastodon")
            assert account.status == AccountStatus.OK
            assert account.meta["server"] == server.base_url
            assert account.meta["limits"]["max_characters"] == 500
            assert account.refresh_token_enc is None  # Mastodon's tokens never expire


async def test_plain_http_servers_are_refused_by_default(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with live_app(settings) as base:
        browser = await signed_in(base, "owner@example.com")
        brand = await brand_of("owner@example.com", "Acme")
        url = f"/brands/{brand.id}/connect/mastodon"
        page = await browser.get(url)
        answer = await browser.post(
            url, data={"csrf_token": csrf_of(page.text), "server": "http://127.0.0.1:9"}
        )
        assert answer.status_code == 422  # InvalidInput, shown in plain words
        assert "https://" in answer.text
        await browser.aclose()
