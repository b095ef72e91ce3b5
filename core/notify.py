"""Chat notifications from core to the front ends (Telegram, Slack) that are configured.

Front ends register a `Notifier` at start-up (see `oneclick.bootstrap`); core code
calls the module functions, which fan out to every registered notifier. A failing
notifier is logged and never breaks the caller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from core.models import MediaAsset, PublishJob, SocialAccount

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncSummary:
    """The one message after an account's first sync (instead of a card per old post)."""

    account: SocialAccount
    imported: int
    text: str  # plain words; each front end adds its link to the brand's inbox


class Notifier(Protocol):
    """One chat front end's way of telling people about events."""

    async def inbox_item(self, asset: MediaAsset) -> None:
        """A new asset arrived in the brand's inbox (ingest, upload from another front end)."""

    async def approval_needed(self, job: PublishJob) -> None:
        """A publish request waits for an approver."""

    async def account_needs_reconnect(self, account: SocialAccount) -> None:
        """A connection broke; people should reconnect it on the web page."""

    async def sync_summary(self, summary: SyncSummary) -> None:
        """A first sync brought recent posts into the inbox (or found none)."""


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
