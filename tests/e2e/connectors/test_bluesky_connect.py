"""Bluesky's app-password form in the web app: wrong password refused, the right one kept
only as session tokens."""

from __future__ import annotations

from pathlib import Path

from core.models import AccountStatus, AuditLog, SocialAccount
from tests.conftest import make_settings
from tests.e2e.connectors.oauth_dance import brand_of, csrf_of, signed_in
from tests.fakes.bluesky_pds import APP_PASSWORD, DID, HANDLE, FakeBluesky
from tests.support.outbound import loopback_outbound
from tests.support.server import live_app


async def test_bluesky_app_password_form(tmp_path: Path) -> None:
    async with FakeBluesky().running() as pds:
        settings = make_settings(
            tmp_path,
            bluesky_service=pds.base_url,
            bluesky_video_service=pds.base_url,
            **loopback_outbound(pds.base_url),
        )
        async with live_app(settings) as base:
            browser = await signed_in(base, "owner@example.com")
            brand = await brand_of("owner@example.com", "Acme")
            url = f"/brands/{brand.id}/connect/bluesky"
            form = await browser.get(url)
            assert 'name="identifier"' in form.text and 'name="password"' in form.text

            wrong = await browser.post(
                url,
                data={"csrf_token": csrf_of(form.text), "identifier": HANDLE, "password": "nope"},
            )
            assert wrong.status_code == 422 and "app password" in wrong.text
            assert await SocialAccount.filter(platform="bluesky").count() == 0

            no_csrf = await browser.post(url, data={"identifier": HANDLE, "password": APP_PASSWORD})
            assert no_csrf.status_code in (400, 403)

            done = await browser.post(
                url,
                data={
                    "csrf_token": csrf_of(form.text),
                    "identifier": HANDLE,
                    "password": APP_PASSWORD,
                },
            )
            assert done.status_code == 303, done.text
            await browser.aclose()

            account = await SocialAccount.get(brand_id=brand.id, platform="bluesky")
            assert account.status == AccountStatus.OK and account.external_id == DID
            assert account.meta["pds"] == pds.base_url
            stored = [
                account.access_token_enc or "",
                account.refresh_token_enc or "",
                str(account.meta),
            ]
            assert not any(APP_PASSWORD in value for value in stored)
            assert account.token_expires_at is not None and account.refresh_expires_at
            assert await AuditLog.filter(action="account.connected", brand_id=brand.id).count() == 1
