"""The OAuth redirect dance through the web app for Instagram, Facebook and Threads."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import AccountStatus, AuditLog, SocialAccount
from tests.conftest import make_settings
from tests.e2e.connectors.contract import prepared_database
from tests.e2e.connectors.oauth_dance import (
    authorize,
    brand_of,
    csrf_of,
    sign_in,
    signed_in,
    with_state,
)
from tests.fakes.meta_graph import IG_USER, PAGES, TH_USER, running_meta_graph
from tests.support.server import live_app

EXPECTED = {
    "instagram": [IG_USER["user_id"]],
    "threads": [TH_USER["id"]],
    "facebook": [PAGES[0]["id"], PAGES[1]["id"]],
}


@pytest.mark.parametrize("platform", ["instagram", "facebook", "threads"])
async def test_connect_dance_checks_state(platform: str, tmp_path: Path) -> None:
    async with running_meta_graph() as fake:
        settings = make_settings(tmp_path, **fake.settings_overrides())
        await prepared_database(settings)
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")

            # a forged state is refused, and nothing is connected
            callback = await authorize(browser, brand.id, platform)
            forged = await browser.get(with_state(callback, "forged-state"))
            assert forged.status_code == 400
            assert "not valid" in forged.text

            # a state started in another browser session is refused there
            other = await sign_in(base, "owner@example.com")
            elsewhere = await other.get(callback)
            assert elsewhere.status_code == 400
            assert "another browser session" in elsewhere.text

            # the real one connects, once
            done = await browser.get(callback)
            assert done.status_code == 303, done.text
            if platform == "facebook":
                assert done.headers["location"] == f"/brands/{brand.id}/connect/facebook/pick"
                page = await browser.get(done.headers["location"])
                assert PAGES[0]["name"] in page.text and PAGES[1]["name"] in page.text
                done = await browser.post(
                    done.headers["location"],
                    data={
                        "csrf_token": csrf_of(page.text),
                        "choice": [PAGES[0]["id"], PAGES[1]["id"]],
                    },
                )
                assert done.status_code == 303, done.text
                again = await browser.post(
                    f"/brands/{brand.id}/connect/facebook/pick",
                    data={"csrf_token": csrf_of(page.text), "choice": [PAGES[0]["id"]]},
                )
                assert again.status_code == 400  # the pick is single-use too
            assert done.headers["location"] == f"/brands/{brand.id}/connections"

            reused = await browser.get(callback)
            assert reused.status_code == 400
            assert "already used" in reused.text

            accounts = await SocialAccount.filter(brand_id=brand.id, platform=platform)
            assert sorted(a.external_id for a in accounts) == sorted(EXPECTED[platform])
            for account in accounts:
                assert account.status == AccountStatus.OK
                assert account.access_token_enc and "-" not in account.access_token_enc[:6]
            assert await AuditLog.filter(
                action="account.connected", brand_id=brand.id
            ).count() == len(accounts)
            await browser.aclose()
            await other.aclose()


async def test_denied_access_connects_nothing(tmp_path: Path) -> None:
    async with running_meta_graph() as fake:
        settings = make_settings(tmp_path, **fake.settings_overrides())
        await prepared_database(settings)
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")
            callback = await authorize(browser, brand.id, "instagram")
            state = callback.split("state=", 1)[1].split("&", 1)[0]
            denied = await browser.get(
                f"/oauth/instagram/callback?error=access_denied"
                f"&error_reason=user_denied&state={state}"
            )
            assert denied.status_code == 400
            assert "did not give access" in denied.text
            assert await SocialAccount.filter(brand_id=brand.id, platform="instagram").count() == 0
            await browser.aclose()
