"""Keeps connections alive: each token is refreshed a while before it expires.

A system use case (the scheduler runs it; nobody acts): a refresh the network refuses
marks the account `needs_reconnect` and tells the brand's chats (core.notify); the stored
refresh token is never deleted, so a later retry or a reconnect can still use it.
Temporary failures are simply tried again on the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from core import audit, notify
from core.errors import ConnectorError
from core.models import AccountStatus, SocialAccount
from core.ports.connector import Connector

log = logging.getLogger(__name__)
HORIZON = timedelta(days=30)
ORIGIN = "scheduler"


class RefresherLookup(Protocol):
    """The connector registry, as token upkeep sees it."""

    def platforms(self) -> Sequence[str]:
        """Every platform with a connector."""
        ...

    def get(self, platform: str) -> Connector:
        """The connector of one platform."""
        ...


async def refresh_due(
    connectors: RefresherLookup, *, now: datetime | None = None
) -> dict[str, int]:
    """Refresh every usable account whose token expires within its connector's margin."""
    now = now or datetime.now(UTC)
    counts = {"refreshed": 0, "failed": 0, "reconnect": 0}
    accounts = await SocialAccount.filter(
        status=AccountStatus.OK, token_expires_at__lte=now + HORIZON
    )
    known = set(connectors.platforms())
    for account in accounts:
        if account.platform not in known:
            continue
        connector = connectors.get(account.platform)
        if (
            account.token_expires_at is None
            or account.token_expires_at - now > connector.refresh_ahead
        ):
            continue
        counts[await refresh_account(connector, account)] += 1
    return counts


async def refresh_account(connector: Connector, account: SocialAccount) -> str:
    """Refresh one account: "refreshed", "failed" (will retry) or "reconnect"."""
    try:
        await connector.refresh_token(account)
    except ConnectorError as exc:
        if exc.retryable:
            log.info("token refresh of account %s postponed: %s", account.id, exc.code)
            return "failed"
        await mark_needs_reconnect(account, exc.user_message)
        return "reconnect"
    await audit.record(
        "account.token_refreshed",
        actor=None,
        brand=account.brand_id,
        obj=account,
        origin=ORIGIN,
        details={
            "platform": account.platform,
            "expires_at": account.token_expires_at.isoformat()
            if account.token_expires_at
            else None,
        },
    )
    return "refreshed"


async def mark_needs_reconnect(account: SocialAccount, reason: str) -> None:
    """Flag the account (its tokens stay stored) and tell the brand's chats once."""
    changed = await SocialAccount.filter(id=account.id, status=AccountStatus.OK).update(
        status=AccountStatus.NEEDS_RECONNECT, status_reason=reason
    )
    if not changed:
        return
    await account.refresh_from_db()
    await audit.record(
        "account.needs_reconnect",
        actor=None,
        brand=account.brand_id,
        obj=account,
        origin=ORIGIN,
        details={"reason": reason},
    )
    await notify.account_needs_reconnect(account)
