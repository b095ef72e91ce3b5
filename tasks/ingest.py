"""Instagram ingest tasks: list new posts of each account, then download each post apart.

An account's first sync (right after connecting) is bounded and announced once: see
`core.ingest_sync`. "Sync now" (web, bots) is checked and audited in core, then queued here.
"""

from __future__ import annotations

import logging
from typing import Any

from taskiq import TaskiqDepends

from core.errors import ConnectorError
from core.ingest import download_post, new_posts
from core.ingest_sync import first_sync
from core.models import AccountStatus, MediaAsset, SocialAccount
from core.ports.post_source import PostSource, SourcePost, is_source_post
from oneclick.services import Services
from tasks import names
from tasks.broker import services_of, shared
from tasks.queue import task_queue

log = logging.getLogger(__name__)


def _instagram(services: Services) -> PostSource:
    connector = services.connectors.get("instagram")
    assert isinstance(connector, PostSource)
    return connector


async def list_account(services: Services, account: SocialAccount) -> list[SourcePost]:
    """The account's posts that are not in the inbox yet."""
    connector = _instagram(services)
    return await new_posts(connector, account)


async def fetch_post(
    services: Services, account: SocialAccount, item: SourcePost
) -> MediaAsset | None:
    """Download one post into the inbox (None when it was already there)."""
    connector = _instagram(services)
    return await download_post(
        services.settings, services.outbound, connector, account, item, store=services.media
    )


async def first_sync_of(
    services: Services, account: SocialAccount, reason: str
) -> list[MediaAsset] | None:
    """The account's bounded first sync, if it has not run yet (None when not due)."""
    connector = _instagram(services)
    return await first_sync(
        services.settings,
        services.outbound,
        connector,
        account,
        store=services.media,
        reason=reason,
    )


async def ingest_account_now(
    services: Services, account: SocialAccount, reason: str = "manual"
) -> list[MediaAsset]:
    """List and download inline (the CLI and tests); the scheduler queues instead."""
    first = await first_sync_of(services, account, reason)
    if first is not None:
        return first
    created = []
    for item in await list_account(services, account):
        asset = await fetch_post(services, account, item)
        if asset is not None:
            created.append(asset)
    return created


@shared.task(task_name=names.INGEST_ALL)
async def ingest_all(services: Services = TaskiqDepends(services_of)) -> int:
    """Queue a listing of every connected Instagram account."""
    accounts = await SocialAccount.filter(platform="instagram", status=AccountStatus.OK).only("id")
    ids = [account.id for account in accounts]
    for account_id in ids:
        await services.queue.sync_account(account_id, "schedule")
    return len(ids)


@shared.task(task_name=names.INGEST_ACCOUNT)
async def ingest_account(
    account_id: int, reason: str = "schedule", services: Services = TaskiqDepends(services_of)
) -> int:
    """List one account's new posts and queue a download for each (first sync: inline)."""
    account = await SocialAccount.get_or_none(id=account_id, status=AccountStatus.OK)
    if account is None:
        return 0
    try:
        first = await first_sync_of(services, account, reason)
        if first is not None:
            return len(first)
        items = await list_account(services, account)
    except ConnectorError as exc:
        log.warning("instagram ingest of account %s failed: %s", account_id, exc.code)
        return 0
    for item in items:
        await task_queue(services.queue).send(names.INGEST_DOWNLOAD, account_id, item)
    return len(items)


@shared.task(task_name=names.INGEST_DOWNLOAD)
async def ingest_download(
    account_id: int, item: dict[str, Any], services: Services = TaskiqDepends(services_of)
) -> int | None:
    """Download one post (retries inside; a failure waits for the next listing)."""
    if not is_source_post(item):  # queued by an older release: the next listing brings it
        log.info("instagram post %s: message of an older release skipped", item.get("id"))
        return None
    account = await SocialAccount.get_or_none(id=account_id, status=AccountStatus.OK)
    if account is None:
        return None
    try:
        asset = await fetch_post(services, account, item)
    except ConnectorError as exc:
        log.warning("instagram post %s not downloaded: %s", item["id"], exc.code)
        return None
    return asset.id if asset else None
