"""TikTok's sign-in through the web app: state checked, code exchanged once, creator read."""

from __future__ import annotations

from pathlib import Path

from core.models import AccountStatus, AuditLog, SocialAccount
from tests.conftest import make_settings
from tests.e2e.connectors.network_dance import refused_then_connected, reused_is_refused
from tests.e2e.connectors.oauth_dance import authorize, brand_of, signed_in
from tests.fakes.tiktok_api import CLIENT_KEY, CLIENT_SECRET, FakeTikTok
from tests.support.server import live_app


async def test_tiktok_connect_dance(tmp_path: Path) -> None:
    async with FakeTikTok().running() as api:
        settings = make_settings(
            tmp_path,
            tiktok_api_base=api.base_url,
            tiktok_authorize_url=f"{api.base_url}/v2/auth/authorize/",
            tiktok_client_id=CLIENT_KEY,
            tiktok_client_secret=CLIENT_SECRET,
        )
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")
            callback = await authorize(browser, brand.id, "tiktok")
            done = await refused_then_connected(base, browser, "owner@example.com", callback)
            assert done.headers["location"] == f"/brands/{brand.id}/connections"
            await reused_is_refused(browser, callback)
            await browser.aclose()

            account = await SocialAccount.get(brand_id=brand.id, platform="tiktok")
            assert account.status == AccountStatus.OK
            assert account.external_id == api.open_id
            assert account.meta["username"] == api.username
            assert account.meta["privacy_level_options"] == api.privacy_level_options
            assert account.refresh_expires_at is not None
            exchange = [r for r in api.token_requests if r["grant_type"] == "authorization_code"]
            assert len(exchange) == 1
            assert exchange[0]["client_key"] == CLIENT_KEY
            assert exchange[0]["redirect_uri"] == f"{base}/oauth/tiktok/callback"
            assert await AuditLog.filter(action="account.connected", brand_id=brand.id).count() == 1
