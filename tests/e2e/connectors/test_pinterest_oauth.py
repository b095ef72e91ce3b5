"""Pinterest's sign-in through the web app: state checked, Basic auth, board picker."""

from __future__ import annotations

from pathlib import Path

from core.models import AccountStatus, SocialAccount
from tests.conftest import make_settings
from tests.e2e.connectors.network_dance import refused_then_connected, reused_is_refused
from tests.e2e.connectors.oauth_dance import authorize, brand_of, csrf_of, signed_in
from tests.fakes.pinterest_api import CLIENT_ID, CLIENT_SECRET, FakePinterest
from tests.support.server import live_app


async def test_pinterest_connect_dance_with_board_picker(tmp_path: Path) -> None:
    async with FakePinterest().running() as api:
        settings = make_settings(
            tmp_path,
            pinterest_api_base=api.base_url,
            pinterest_authorize_url=f"{api.base_url}/oauth/",
            pinterest_client_id=CLIENT_ID,
            pinterest_client_secret=CLIENT_SECRET,
        )
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")
            callback = await authorize(browser, brand.id, "pinterest")
            done = await refused_then_connected(base, browser, "owner@example.com", callback)
            pick = f"/brands/{brand.id}/connect/pinterest/pick"
            assert done.headers["location"] == pick
            page = await browser.get(pick)
            assert "Coffee ideas" in page.text and "Shop" in page.text
            chosen = await browser.post(
                pick, data={"csrf_token": csrf_of(page.text), "choice": ["9002"]}
            )
            assert chosen.status_code == 303, chosen.text
            assert chosen.headers["location"] == f"/brands/{brand.id}/connections"
            await reused_is_refused(browser, callback)
            await browser.aclose()

            account = await SocialAccount.get(brand_id=brand.id, platform="pinterest")
            assert account.status == AccountStatus.OK
            assert account.meta["board_id"] == "9002" and account.meta["board_name"] == "Shop"
            assert account.refresh_token_enc and account.refresh_expires_at is not None
            exchanges = [r for r in api.token_requests if r["grant_type"] == "authorization_code"]
            assert len(exchanges) == 1  # the picker reuses the exchanged token
            assert "client_secret" not in exchanges[0]  # HTTP Basic, not in the body
