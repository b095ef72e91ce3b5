"""Syncing an Instagram account: the bounded first sync and the "Sync now" request.

A newly connected account's first sync imports only its newest posts (at most
`INGEST_FIRST_SYNC_POSTS`, none older than `INGEST_FIRST_SYNC_DAYS`), with no card per post
and no AI call (captions are made when someone opens the item): the brand's chats get one
summary instead. The sync records a cut in the account's meta (`SINCE_KEY`); later syncs
skip posts older than it, so the back catalogue never floods the inbox. An account whose
posts are already in the inbox (it synced before this rule) keeps syncing as it did.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import httpx

from core import audit, notify
from core.config import Settings
from core.errors import ConnectorError, InvalidInput, NotFound
from core.ingest import PAGE_SIZE, SINCE_KEY, download_post, published_by_us, since_of
from core.models import AccountStatus, AssetSource, MediaAsset, Role, SocialAccount
from core.ports.media_store import MediaStore
from core.ports.post_source import PostSource, SourcePost
from core.tenancy import BrandScope

log = logging.getLogger(__name__)
SYNC_PLATFORMS = ("instagram",)  # networks whose posts come into the inbox
DAY = 86400.0


def handle(account: SocialAccount) -> str:
    """How people know the account: `@username`, else its display name or id."""
    username = str((account.meta or {}).get("username") or "")
    return f"@{username}" if username else (account.display_name or account.external_id)


def recent_window(
    items: list[SourcePost], *, posts: int, days: float, now: float
) -> list[SourcePost]:
    """The newest `posts` of the listed items (newest first), none older than `days` (0: any)."""
    oldest = now - days * DAY if days > 0 else None
    fresh = [i for i in items if oldest is None or (i["posted_at"] or now) >= oldest]
    return fresh[: max(posts, 0)]


def summary_text(account: SocialAccount, imported: int, days: float) -> str:
    """The first sync's one message, in plain words."""
    who = handle(account)
    if imported:
        noun = "post" if imported == 1 else "posts"
        return f"Imported {imported} recent {noun} from {who} into the inbox"
    window = f" from the last {days:g} days" if days > 0 else ""
    return (
        f"Connected {who}: no posts{window} to import. New posts will arrive here as "
        "they are published"
    )


async def claim_first_sync(account: SocialAccount, cut: float) -> bool:
    """Record the account's cut once (compare-and-set); False if another sync did it first."""
    for _ in range(5):
        fresh = await SocialAccount.get(id=account.id)
        if since_of(fresh) is not None:
            account.meta = fresh.meta
            return False
        meta = {**(fresh.meta or {}), SINCE_KEY: cut}
        if await SocialAccount.filter(id=fresh.id, updated_at=fresh.updated_at).update(
            meta=meta, updated_at=datetime.now(UTC)
        ):
            account.meta = meta
            return True
    return False


async def first_sync(
    settings: Settings,
    http: httpx.AsyncClient,
    source: PostSource,
    account: SocialAccount,
    *,
    store: MediaStore,
    reason: str,
) -> list[MediaAsset] | None:
    """The account's first sync if it has not run: the imported assets; None when not due."""
    if since_of(account) is not None:
        return None
    items = (await source.list_posts(account, limit=PAGE_SIZE)).posts
    if await MediaAsset.exists(
        brand_id=account.brand_id,
        source=AssetSource.INSTAGRAM,
        source_id__in=[i["id"] for i in items],
    ):
        await claim_first_sync(account, 0.0)  # synced before first syncs existed: no cut
        return None
    own = await published_by_us(items)
    theirs = [i for i in items if i["id"] not in own]
    chosen = recent_window(
        theirs,
        posts=settings.ingest_first_sync_posts,
        days=settings.ingest_first_sync_days,
        now=time.time(),
    )
    times = [t for i in chosen if (t := i["posted_at"]) is not None]
    left = [t for i in theirs if i not in chosen and (t := i["posted_at"]) is not None]
    cut = min(times) if times else (max(left) + 1.0 if left else 0.0)
    if not await claim_first_sync(account, cut):
        return None
    imported: list[MediaAsset] = []
    for item in reversed(chosen):
        try:
            asset = await download_post(
                settings, http, source, account, item, store=store, announce=False
            )
        except ConnectorError as exc:  # newer than the cut: the next sync brings it
            log.warning("instagram post %s not downloaded: %s", item["id"], exc.code)
            continue
        if asset is not None:
            imported.append(asset)
    days = settings.ingest_first_sync_days
    if imported or reason != "schedule":
        await notify.sync_summary(
            notify.SyncSummary(account, len(imported), summary_text(account, len(imported), days))
        )
    await audit.record(
        "ingest.first_sync",
        actor=None,
        brand=account.brand_id,
        obj=account,
        details={
            "imported": len(imported),
            "reason": reason,
            "posts": settings.ingest_first_sync_posts,
            "days": days,
        },
    )
    return imported


async def request_sync(
    scope: BrandScope, *, brand_id: int, origin: str, account_id: int | None = None
) -> list[SocialAccount]:
    """ "Sync now": the brand's usable accounts to sync (one, or all), audited; else why not."""
    brand = await scope.brand(brand_id, min_role=Role.EDITOR)
    query = SocialAccount.filter(brand_id=brand.id, platform__in=SYNC_PLATFORMS).exclude(
        status=AccountStatus.DISCONNECTED
    )
    if account_id is not None:
        query = query.filter(id=account_id)
    accounts = await query.order_by("id")
    if not accounts:
        if account_id is not None:
            raise NotFound("That account is not connected to this brand, or cannot sync.")
        raise InvalidInput(
            "No Instagram account is connected to this brand, so there is "
            "nothing to sync. Connect one on the brand's Connections page."
        )
    usable = [a for a in accounts if a.status == AccountStatus.OK]
    if not usable:
        raise InvalidInput(
            f"The connection of {handle(accounts[0])} must be renewed before "
            "it can sync: reconnect it on the brand's Connections page."
        )
    for account in usable:
        await audit.record(
            "ingest.sync_requested",
            actor=scope.user,
            brand=brand,
            obj=account,
            origin=origin,
            details={"platform": account.platform, "account": handle(account)},
        )
    return usable
