"""Chat notifications from core to the front ends (Telegram, Slack) that are configured.

Front ends register a `Notifier` (the port, `core.ports.notifier`) at start-up (see
`oneclick.bootstrap`); core code calls the module functions, which fan out to every
registered notifier. A failing notifier is logged and never breaks the caller.
"""

from __future__ import annotations

import logging

from core.models import MediaAsset, PublishJob, SocialAccount
from core.ports.notifier import Notifier, SyncSummary

log = logging.getLogger(__name__)
__all__ = [
    "Notifier",
    "SyncSummary",
    "account_needs_reconnect",
    "approval_needed",
    "inbox_item",
    "register",
    "sync_summary",
    "unregister",
    "unregister_all",
]


_notifiers: list[Notifier] = []


def register(notifier: Notifier) -> None:
    """Add a front end's notifier (once per process)."""
    if notifier not in _notifiers:
        _notifiers.append(notifier)


def unregister(notifier: Notifier) -> None:
    """Forget one front end's notifier (its process is shutting down)."""
    if notifier in _notifiers:
        _notifiers.remove(notifier)


def unregister_all() -> None:
    """Forget every notifier (shutdown, tests)."""
    _notifiers.clear()


async def inbox_item(asset: MediaAsset) -> None:
    """Tell every front end about a new inbox item."""
    for notifier in list(_notifiers):
        try:
            await notifier.inbox_item(asset)
        except Exception:  # a chat outage must not break ingest or upload
            log.exception("notifier %r failed on inbox item %s", notifier, asset.id)


async def approval_needed(job: PublishJob) -> None:
    """Tell every front end that a job waits for approval."""
    for notifier in list(_notifiers):
        try:
            await notifier.approval_needed(job)
        except Exception:
            log.exception("notifier %r failed on approval for job %s", notifier, job.id)


async def account_needs_reconnect(account: SocialAccount) -> None:
    """Tell every front end that an account must be reconnected."""
    for notifier in list(_notifiers):
        try:
            await notifier.account_needs_reconnect(account)
        except Exception:
            log.exception("notifier %r failed on account %s", notifier, account.id)


async def sync_summary(summary: SyncSummary) -> None:
    """Tell every front end what an account's first sync brought into the inbox."""
    for notifier in list(_notifiers):
        try:
            await notifier.sync_summary(summary)
        except Exception:
            log.exception(
                "notifier %r failed on the sync summary of account %s", notifier, summary.account.id
            )
