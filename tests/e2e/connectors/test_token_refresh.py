"""The scheduled token refresh against the Meta fake: renewed before expiry; a refused
refresh flags the account and keeps its stored refresh token."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors._oauth import redirect_uri
from core import notify
from core.app.token_upkeep import refresh_due
from core.models import AccountStatus, AuditLog, SocialAccount
from tests.conftest import make_settings
from tests.e2e.connectors.contract import prepared_database, quick_user
from tests.fakes.meta_graph import PAGES, running_meta_graph
from tests.support.server import serving


@dataclass
class Reconnects:
    """A notifier recording reconnect notices."""

    accounts: list[int] = field(default_factory=list)

    async def inbox_item(self, asset: object) -> None:
        return None

    async def approval_needed(self, job: object) -> None:
        return None

    async def account_needs_reconnect(self, account: SocialAccount) -> None:
        self.accounts.append(account.id)


async def test_tokens_are_renewed_and_a_refusal_keeps_the_refresh_token(tmp_path: Path) -> None:
    async with running_meta_graph() as fake:
        settings = make_settings(tmp_path, **fake.settings_overrides())
        await prepared_database(settings)
        async with serving(settings) as served:
            from core.brands import create_brand

            user = await quick_user("owner@example.com")
            brand = await create_brand(user, "Acme", origin="test")
            services = served.services
            accounts = {}
            for platform, net in (("instagram", "ig"), ("threads", "th"), ("facebook", "fb")):
                connector = services.connectors.get(platform)
                redirect = redirect_uri(settings, platform)
                params = {"code": fake.issue_code(net, redirect), "redirect_uri": redirect}
                choice = await connector.connect_options(brand, params)
                if choice is not None:
                    params = {**choice.carry, "choice": [PAGES[0]["id"]]}
                accounts[platform] = await connector.connect(brand, params)
            reconnects = Reconnects()
            notify.register(reconnects)
            try:
                # fresh 60-day tokens are left alone
                assert await refresh_due(services.connectors) == {
                    "refreshed": 0,
                    "failed": 0,
                    "reconnect": 0,
                }
                soon = datetime.now(UTC) + timedelta(days=2)
                await (
                    SocialAccount.filter(brand_id=brand.id)
                    .exclude(platform="web")
                    .update(token_expires_at=soon)
                )
                before = {a.id: a.access_token_enc for a in accounts.values()}

                assert await refresh_due(services.connectors) == {
                    "refreshed": 3,
                    "failed": 0,
                    "reconnect": 0,
                }
                for account in accounts.values():
                    fresh = await SocialAccount.get(id=account.id)
                    assert fresh.access_token_enc != before[fresh.id]
                    assert fresh.token_expires_at > datetime.now(UTC) + timedelta(days=50)
                assert await AuditLog.filter(action="account.token_refreshed").count() == 3

                # Facebook refuses the next renewal: flagged once, tokens kept
                page = await SocialAccount.get(id=accounts["facebook"].id)
                await SocialAccount.filter(id=page.id).update(token_expires_at=soon)
                fake.inject("refresh_refused")
                assert await refresh_due(services.connectors) == {
                    "refreshed": 0,
                    "failed": 0,
                    "reconnect": 1,
                }
                flagged = await SocialAccount.get(id=page.id)
                assert flagged.status == AccountStatus.NEEDS_RECONNECT
                assert flagged.status_reason
                assert flagged.refresh_token_enc == page.refresh_token_enc is not None
                assert flagged.access_token_enc == page.access_token_enc
                assert reconnects.accounts == [page.id]
                # flagged accounts are not retried blindly, and not notified twice
                assert (await refresh_due(services.connectors))["reconnect"] == 0
                assert reconnects.accounts == [page.id]
            finally:
                notify.unregister_all()
