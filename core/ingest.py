"""Instagram ingest (Flow A): new posts of a connected account become inbox assets.

The network is reached through its connector's `core.ports.post_source.PostSource`:
posts arrive as `SourcePost`s, so nothing here knows a network's field names.
`new_posts` lists the account's media newest first and stops at the first page holding a
post we already have. Posts this product published to Instagram itself (any brand's publish
target, matched by id or by permalink) are never taken back in: no repost loop. Posts older
than the account's first-sync cut (`since_of`, see `core.ingest_sync`) were left out on
purpose and stay out. `download_post` fetches every file of one post (all carousel
children, the video and its cover) and stores it as `MediaAsset(source='instagram')`,
deduplicated by (brand, source, source_id). Instagram's file links are signed CDN links
that expire: a refused link is re-fetched by reading the post again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from urllib.parse import urlsplit

import httpx
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from core import audit, notify
from core.config import Settings
from core.errors import ConnectorError, MediaRejected
from core.intake import Spooled, ingest_media, spool_chunks
from core.models import AssetKind, AssetSource, Brand, MediaAsset, PublishTarget, SocialAccount
from core.ports.media_store import MediaStore
from core.ports.post_source import PostSource, SourceFile, SourcePost
from core.safe_links import INSTAGRAM_HOSTS, web_link

log = logging.getLogger(__name__)
PAGE_SIZE = 25
MAX_PAGES = 4
EXPIRED_STATUSES = (403, 404, 410)
SINCE_KEY = "ingest_since"  # SocialAccount.meta: epoch seconds of the first-sync cut
_POST_PATHS = ("p", "reel", "reels", "tv")


def normalise_permalink(url: str) -> str:
    """What identifies an Instagram post in a link: `instagram.com/p/CODE` (reels, tv alike)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    for index, segment in enumerate(segments[:-1]):
        if segment.lower() in _POST_PATHS:
            return f"{host}/p/{segments[index + 1]}"
    return f"{host}/{'/'.join(segments)}" if host or segments else ""


def since_of(account: SocialAccount) -> float | None:
    """The first-sync cut of the account (None: its first sync has not run)."""
    value = (account.meta or {}).get(SINCE_KEY)
    return float(value) if isinstance(value, int | float) else None


async def published_by_us(items: Sequence[SourcePost]) -> set[str]:
    """Ids of the listed posts that this product published to Instagram (any brand)."""
    ids = [i["id"] for i in items if i["id"]]
    links = {i["id"]: normalise_permalink(i["permalink"]) for i in items if i["id"]}
    codes = {link.rsplit("/", 1)[-1] for link in links.values() if "/p/" in link}
    if not ids:
        return set()
    match = Q(external_id__in=ids)
    for code in codes:
        match |= Q(external_url__contains=code)
    rows = await PublishTarget.filter(match, platform="instagram").values_list(
        "external_id", "external_url"
    )
    ours_ids = {str(external_id) for external_id, _ in rows if external_id}
    ours_links = {normalise_permalink(url) for _, url in rows if url}
    return {i for i in ids if i in ours_ids or (links[i] and links[i] in ours_links)}


async def new_posts(source: PostSource, account: SocialAccount) -> list[SourcePost]:
    """Posts not yet in the brand's inbox nor published by us, oldest first (few pages)."""
    found: list[SourcePost] = []
    after: str | None = None
    since = since_of(account)
    for _ in range(MAX_PAGES):
        page = await source.list_posts(account, limit=PAGE_SIZE, after=after)
        items = page.posts
        ids = [i["id"] for i in items]
        known = set(
            await MediaAsset.filter(
                brand_id=account.brand_id, source=AssetSource.INSTAGRAM, source_id__in=ids
            ).values_list("source_id", flat=True)
        ) | await published_by_us(items)
        older = {i["id"] for i in items if since is not None and (i["posted_at"] or since) < since}
        found.extend(i for i in items if i["id"] not in known | older)
        after = page.after
        if known or older or after is None:
            break
    return list(reversed(found))


class Downloader:
    """Downloads one post's files, reading the post again when a CDN link has expired."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        source: PostSource,
        account: SocialAccount,
        *,
        attempts: int,
        pause: float = 1.0,
    ) -> None:
        self.settings, self.http, self.source, self.account = settings, http, source, account
        self.attempts, self.pause = max(attempts, 1), pause
        self.refetches = 0

    async def fetch_all(self, item: SourcePost) -> list[tuple[Spooled, bytes | None]]:
        """Every file (and its cover, for videos), spooled to disk."""
        spooled: list[tuple[Spooled, bytes | None]] = []
        try:
            for index in range(len(item["files"])):
                body, item = await self._one(item, index, cover=False)
                cover = None
                if _file(item, index)["cover_url"]:
                    try:
                        cover_data, item = await self._one(item, index, cover=True)
                        cover = cover_data if isinstance(cover_data, bytes) else None
                    except ConnectorError:
                        log.warning("instagram %s: cover not downloaded", item["id"])
                assert isinstance(body, Spooled)
                spooled.append((body, cover))
        except BaseException:
            for body, _ in spooled:
                body.discard()
            raise
        return spooled

    async def _one(
        self, item: SourcePost, index: int, *, cover: bool
    ) -> tuple[Spooled | bytes, SourcePost]:
        for attempt in range(1, self.attempts + 1):
            file = _file(item, index)
            link = file["cover_url"] if cover else file["url"]
            try:
                if not link:
                    raise _Expired()
                if cover:
                    response = await self.http.get(link, timeout=60.0)
                    if response.status_code in EXPIRED_STATUSES:
                        raise _Expired()
                    response.raise_for_status()
                    return response.content, item
                return await self._stream(link), item
            except _Expired:
                item = await self._refetch(item)
            except (httpx.HTTPError, OSError) as exc:
                log.info(
                    "instagram %s: download attempt %d failed (%s)",
                    item["id"],
                    attempt,
                    type(exc).__name__,
                )
                if attempt < self.attempts:
                    await asyncio.sleep(self.pause * attempt)
        raise ConnectorError(
            "Instagram's media files could not be downloaded; the next run will try again.",
            platform="instagram",
            retryable=True,
            code="download_failed",
        )

    async def _stream(self, url: str) -> Spooled:
        async with self.http.stream("GET", url, timeout=120.0) as response:
            if response.status_code in EXPIRED_STATUSES:
                raise _Expired()
            response.raise_for_status()
            return await spool_chunks(self.settings, _chunks(response))

    async def _refetch(self, item: SourcePost) -> SourcePost:
        """Fresh signed links for the post, read from the network again."""
        self.refetches += 1
        return await self.source.read_post(self.account, item["id"])


def _file(item: SourcePost, index: int) -> SourceFile:
    """The post's file at `index`; an empty link when a fresh read has fewer files."""
    files = item["files"]
    return files[index] if index < len(files) else SourceFile(kind="IMAGE", url="", cover_url=None)


class _Expired(Exception):
    """The CDN refused the link (its signature expired)."""


async def _chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    async for chunk in response.aiter_bytes(1024 * 1024):
        yield chunk


async def store_post(
    settings: Settings,
    store: MediaStore,
    brand: Brand,
    item: SourcePost,
    files: list[tuple[Spooled, bytes | None]],
) -> MediaAsset | None:
    """The post as an inbox asset (a carousel parent with its children); None if known."""
    post_id, caption = item["id"], item["caption"]
    link = web_link(item["permalink"], hosts=INSTAGRAM_HOSTS)  # from outside
    try:
        if len(files) == 1:
            asset = await ingest_media(
                settings,
                brand=brand,
                chunks=files[0][0],
                file_name=f"instagram-{post_id}",
                caption=caption,
                actor=None,
                origin="instagram",
                source=AssetSource.INSTAGRAM,
                source_id=post_id,
                source_url=link,
                store=store,
            )
        else:
            asset = await MediaAsset.create(
                brand=brand,
                kind=AssetKind.CAROUSEL,
                source=AssetSource.INSTAGRAM,
                source_id=post_id,
                source_url=link,
                original_caption=caption.strip(),
                file_name=f"instagram-{post_id}",
            )
            await audit.record(
                "asset.created",
                actor=None,
                brand=brand,
                obj=asset,
                origin="instagram",
                details={"source": "instagram", "kind": "carousel"},
            )
            for position, (body, _) in enumerate(files):
                await ingest_media(
                    settings,
                    brand=brand,
                    chunks=body,
                    file_name=f"instagram-{post_id}-{position + 1}",
                    actor=None,
                    origin="instagram",
                    source=AssetSource.INSTAGRAM,
                    source_id=f"{post_id}:{position}",
                    parent=asset,
                    position=position,
                    store=store,
                )
    except IntegrityError:
        for body, _ in files:
            body.discard()
        return None  # another run stored it meanwhile
    for position, (_, cover) in enumerate(files):
        if cover:
            made = store.work_dir("tmp") / f"cover-{uuid.uuid4().hex}.jpg"
            await asyncio.to_thread(made.write_bytes, cover)
            await store.keep(made, cover_name(post_id, position))
    return asset


def cover_name(post_id: str, position: int = 0) -> str:
    """The media store's name for the cover image of an ingested video."""
    return f"covers/instagram/{post_id}-{position}.jpg"


async def download_post(
    settings: Settings,
    http: httpx.AsyncClient,
    source: PostSource,
    account: SocialAccount,
    item: SourcePost,
    *,
    store: MediaStore,
    announce: bool = True,
) -> MediaAsset | None:
    """Download and store one post, then tell the brand's chats (unless not `announce`).

    None when it is already there or this product published it.
    """
    exists = await MediaAsset.exists(
        brand_id=account.brand_id, source=AssetSource.INSTAGRAM, source_id=item["id"]
    )
    if exists or await published_by_us([item]):
        return None
    downloader = Downloader(
        settings, http, source, account, attempts=settings.ingest_download_attempts
    )
    files = await downloader.fetch_all(item)
    brand = await Brand.get(id=account.brand_id)
    try:
        asset = await store_post(settings, store, brand, item, files)
    except MediaRejected as exc:
        log.warning("instagram %s skipped: %s", item["id"], exc.user_message)
        return None
    if asset is not None and announce:
        await notify.inbox_item(asset)
    return asset
