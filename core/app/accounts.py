"""Connected accounts: connect, disconnect, turn the web feed on, sync now."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from core import audit
from core.app.actor import Actor
from core.app.roles import Action
from core.errors import ConnectorError, NotFound
from core.ingest_sync import SYNC_PLATFORMS, request_sync
from core.models import AccountStatus, Brand, SocialAccount
from core.ports.queue import JobQueue

log = logging.getLogger(__name__)


class AccountConnector(Protocol):
    """What the account use cases need of a network's connector."""

    async def connect(self, brand: Brand, oauth_params: dict[str, Any]) -> SocialAccount:
        """Make (or renew) the brand's account from the network's answer."""

    async def disconnect(self, account: SocialAccount) -> None:
        """Revoke the account's tokens at the network where it can."""


class ConnectorFinder(Protocol):
    """Finds a network's connector (the registry)."""

    def get(self, platform: str) -> Any: ...


@dataclass(frozen=True)
class Connected:
    """A connected account; `syncing` when its recent posts are on their way to the inbox."""

    account: SocialAccount
    syncing: bool


@dataclass(frozen=True)
class Disconnected:
    """A disconnected account; `note` says why revoking at the network failed, if it did."""

    account: SocialAccount
    note: str


class Accounts:
    """The brand's connections; each change audited with the person who made it."""

    def __init__(self, *, connectors: ConnectorFinder, queue: JobQueue) -> None:
        self.connectors = connectors
        self.queue = queue

    async def connect(
        self, actor: Actor, *, brand_id: int, platform: str, params: Mapping[str, Any]
    ) -> Connected:
        """Connect a network with what its flow returned (OAuth code, server, app password)."""
        brand = await actor.may(brand_id, Action.CONNECT)
        connector: AccountConnector = self.connectors.get(platform)
        account = await connector.connect(brand, dict(params))
        return await self.connected(actor, account)

    async def connected(self, actor: Actor, account: SocialAccount) -> Connected:
        """Record an account a connect flow made, and start its first sync where it has one."""
        await actor.may(account.brand_id, Action.CONNECT)
        await audit.record(
            "account.connected",
            actor=actor.user,
            brand=account.brand_id,
            obj=account,
            origin=actor.origin,
            details={"platform": account.platform, "external_id": account.external_id},
        )
        syncing = False
        if account.platform in SYNC_PLATFORMS and account.status == AccountStatus.OK:
            try:
                await self.queue.sync_account(account.id, "connect")
                syncing = True
            except Exception:  # connected; the schedule syncs it later
                log.exception("could not queue the first sync of account %s", account.id)
        return Connected(account, syncing)

    async def disconnect(self, actor: Actor, *, brand_id: int, account_id: int) -> Disconnected:
        """Revoke the account's tokens where possible and stop publishing to it."""
        await actor.may(brand_id, Action.CONNECT)
        account = await actor.scope.account(account_id)
        if account.brand_id != brand_id:
            raise NotFound("Account not found.")
        note = ""
        try:
            await self.connectors.get(account.platform).disconnect(account)
        except ConnectorError as exc:  # disconnected here even if revoking failed
            note = exc.user_message
        await SocialAccount.filter(id=account.id).update(
            status=AccountStatus.DISCONNECTED, access_token_enc=None, refresh_token_enc=None
        )
        await audit.record(
            "account.disconnected",
            actor=actor.user,
            brand=brand_id,
            obj=account,
            origin=actor.origin,
            details={"platform": account.platform},
        )
        return Disconnected(account, note)

    async def sync_now(
        self, actor: Actor, *, brand_id: int, account_id: int | None = None
    ) -> list[SocialAccount]:
        """ "Sync now": queue a listing of the brand's account (one, or all that can sync)."""
        await actor.may(brand_id, Action.SYNC)
        accounts = await request_sync(
            actor.scope, brand_id=brand_id, origin=actor.origin, account_id=account_id
        )
        for account in accounts:
            await self.queue.sync_account(account.id, "manual")
        return accounts
