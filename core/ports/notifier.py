"""How core tells people about events in their chats (Telegram, Slack): a notifier.

Each chat front end implements `Notifier`; `core.notify` fans every event out to the
notifiers the composition root registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.models import MediaAsset, PublishJob, SocialAccount


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
