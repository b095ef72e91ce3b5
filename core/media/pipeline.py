"""The media pipeline service the connectors call: `MediaPipeline.ensure(asset, profiles)`."""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError

from core.config import Settings
from core.errors import MediaRejected
from core.media.ffmpeg_bin import ffmpeg_exe
from core.media.plan import DurationPolicy, OutputPlan, plan_output
from core.media.probe import MediaInfo, probe_sync
from core.media.profiles import FITS, get_profile
from core.media.sandbox import probe_untrusted
from core.media.store import LocalMediaStore
from core.media.transcode import Transcoder, output_name, thumbnail_name, thumbnail_path
from core.models import Brand, MediaAsset, TranscodedMedia
from core.models.enums import AssetKind
from core.models.relations import loaded
from core.ports.media_store import MediaStore

ProgressCallback = Callable[[int], Awaitable[None]]
DEFAULT_TIMEOUT = 30 * 60.0
_asset_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
_brand_slots: weakref.WeakValueDictionary[int, asyncio.Semaphore] = weakref.WeakValueDictionary()
KNOWN_OUTPUTS_MAX = 4096
OUTPUTS = "transcoded"  # the made formats' folder in the media store
OutputKey = tuple[int, str | None, str, str | None, str]


@dataclass(frozen=True)
class Kept:
    """A made file in the media store: its reference, its cover's ("" if none), its probe."""

    ref: str
    thumbnail: str
    info: MediaInfo


class KnownOutputs:
    """Outputs this pipeline made or found, by every input of their content key: (asset,
    its content, profile, the brand's fit and duration choices). An entry cannot go stale
    (and is checked against the media store on use). Every publish asks for its files several
    times (the job's media pass, the target's preparation, the connector's upload): this
    answers all but the first without a query."""

    def __init__(self, store: MediaStore, limit: int = KNOWN_OUTPUTS_MAX) -> None:
        self._rows: OrderedDict[OutputKey, TranscodedMedia] = OrderedDict()
        self._store = store
        self._limit = limit

    async def get(self, key: OutputKey) -> TranscodedMedia | None:
        """The output for this key, if known and still in the store."""
        row = self._rows.get(key)
        if row is None:
            return None
        if not await self._store.exists(row.file_path):
            del self._rows[key]
            return None
        self._rows.move_to_end(key)
        return row

    def put(self, key: OutputKey, row: TranscodedMedia) -> None:
        """Remember an output (the least recently used are forgotten past the limit)."""
        self._rows[key] = row
        self._rows.move_to_end(key)
        while len(self._rows) > self._limit:
            self._rows.popitem(last=False)


class MediaPipeline:
    """Makes (or reuses) one `TranscodedMedia` per requested profile of an asset."""

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        preset: str = "veryfast",
        threads: int = 0,
        store: MediaStore | None = None,
    ) -> None:
        self.settings = settings
        #: where originals are read and the made formats kept (the local one by default)
        self.store: MediaStore = store or LocalMediaStore(settings.media_dir)
        self.out_dir = self.store.work_dir(OUTPUTS)
        self.transcoder = Transcoder(
            ffmpeg_exe(settings), self.out_dir, timeout=timeout, preset=preset, threads=threads
        )
        self.known = KnownOutputs(self.store)

    async def ensure(
        self,
        asset: MediaAsset,
        profiles: Sequence[str],
        *,
        progress: ProgressCallback | None = None,
    ) -> dict[str, TranscodedMedia]:
        """One row per profile name; for a carousel, keys are `"<profile>[<index>]"`."""
        if asset.kind != AssetKind.CAROUSEL:
            return await self._ensure_one(asset, profiles, progress)
        result: dict[str, TranscodedMedia] = {}
        for index, rows in enumerate(await self.ensure_each(asset, profiles, progress=progress)):
            result.update({f"{name}[{index}]": row for name, row in rows.items()})
        return result

    async def ensure_each(
        self,
        asset: MediaAsset,
        profiles: Sequence[str],
        *,
        progress: ProgressCallback | None = None,
    ) -> list[dict[str, TranscodedMedia]]:
        """Per item, in order: the asset itself, or each child of a carousel."""
        if asset.kind != AssetKind.CAROUSEL:
            return [await self._ensure_one(asset, profiles, progress)]
        children = await MediaAsset.filter(parent_id=asset.id, deleted_at=None).order_by(
            "position", "id"
        )
        if not children:
            raise MediaRejected("This carousel has no photos or videos in it.")
        out = []
        for index, child in enumerate(children):
            span = _span(progress, index, len(children))
            out.append(await self._ensure_one(child, profiles, span))
        return out

    async def _ensure_one(
        self, asset: MediaAsset, profiles: Sequence[str], progress: ProgressCallback | None
    ) -> dict[str, TranscodedMedia]:
        names = list(dict.fromkeys(profiles))
        fits, policy = await self._brand_choices(asset)
        keys_known: dict[str, OutputKey] = {
            n: (asset.id, asset.content_hash, n, fits.get(n), policy) for n in names
        }
        known = {n: await self.known.get(key) for n, key in keys_known.items()}
        if all(known.values()):
            if progress is not None:
                await progress(100)
            return {n: row for n, row in known.items() if row is not None}
        lock = _asset_locks.setdefault(asset.id, asyncio.Lock())
        async with lock:
            if not await self.store.exists(asset.file_path):
                raise MediaRejected("The original file of this post is missing; send it again.")
            src = await self.store.local_file(asset.file_path)
            info = (
                MediaInfo.from_json(asset.probe)
                if asset.probe
                else await probe_untrusted(src, self.settings)
            )
            plans = {
                n: plan_output(info, get_profile(n), fit=fits.get(n), duration_policy=policy)
                for n in names
            }
            source_hash = asset.content_hash or await asyncio.to_thread(file_sha256, src)
            keys = {n: plan.content_key(source_hash) for n, plan in plans.items()}
            existing = {
                row.profile: row
                for row in await TranscodedMedia.filter(asset_id=asset.id, profile__in=names)
            }
            stale = [n for n in names if not await self._fresh(existing.get(n), keys[n])]
            async with self._brand_slot(asset.brand_id):
                paths = await self.transcoder.produce(
                    src, info, {keys[n]: plans[n] for n in stale}, progress=progress
                )
            kept: dict[str, Kept] = {}  # profiles that coincide share one file: kept once
            for name in stale:
                key = keys[name]
                if key not in kept:
                    kept[key] = await self._keep(key, plans[name], paths[key])
                existing[name] = await self._save(
                    asset, name, key, plans[name], kept[key], existing.get(name)
                )
            if progress is not None and not stale:
                await progress(100)
            for name in names:
                self.known.put(keys_known[name], existing[name])
            return {n: existing[n] for n in names}

    async def _fresh(self, row: TranscodedMedia | None, key: str) -> bool:
        return row is not None and row.content_key == key and await self.store.exists(row.file_path)

    def _brand_slot(self, brand_id: int) -> asyncio.Semaphore:
        """At most BRAND_TRANSCODES conversions of one brand at once in this process; the
        others wait their turn, so one brand's burst cannot hold every ffmpeg slot."""
        slots = max(1, self.settings.brand_transcodes or 1 << 16)
        slot = _brand_slots.get(brand_id)
        if slot is None:
            slot = _brand_slots[brand_id] = asyncio.Semaphore(slots)
        return slot

    async def _brand_choices(self, asset: MediaAsset) -> tuple[dict[str, Any], DurationPolicy]:
        brand = loaded(asset, "brand", Brand) or await Brand.get(id=asset.brand_id)
        media = (brand.settings or {}).get("media") or {}
        fits = {k: v for k, v in (media.get("fit") or {}).items() if v in FITS}
        policy = media.get("duration_policy", "trim")
        return fits, policy if policy in ("trim", "refuse") else "trim"

    async def _keep(self, key: str, plan: OutputPlan, path: Path) -> Kept:
        """Measure a made file, then keep it (and a video's cover) in the media store."""
        out = await asyncio.to_thread(probe_sync, path)
        thumb = ""
        if plan.kind == "video":
            made = thumbnail_path(self.out_dir, key)
            thumb = await self.store.keep(made, f"{OUTPUTS}/{thumbnail_name(key)}")
        ref = await self.store.keep(path, f"{OUTPUTS}/{output_name(key, plan)}")
        return Kept(ref, thumb, out)

    async def _save(
        self,
        asset: MediaAsset,
        name: str,
        key: str,
        plan: OutputPlan,
        kept: Kept,
        row: TranscodedMedia | None,
    ) -> TranscodedMedia:
        values: dict[str, Any] = {
            "brand_id": asset.brand_id,
            "file_path": kept.ref,
            "content_key": key,
            "mime_type": plan.mime_type,
            "size_bytes": kept.info.size_bytes,
            "width": kept.info.width,
            "height": kept.info.height,
            "duration_seconds": kept.info.duration,
            "thumbnail_path": kept.thumbnail,
            "notes": "\n".join(plan.notes),
        }
        if row is None:
            try:
                return await TranscodedMedia.create(asset_id=asset.id, profile=name, **values)
            except IntegrityError:
                row = await TranscodedMedia.get(asset_id=asset.id, profile=name)
        await row.update_from_dict(values).save()
        return row


def file_sha256(path: Path) -> str:
    """The sha256 hex digest of a file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _span(progress: ProgressCallback | None, index: int, count: int) -> ProgressCallback | None:
    """A callback mapping 0..100 of item `index` into its share of the carousel's 0..100."""
    if progress is None:
        return None

    async def report(percent: int) -> None:
        await progress(int((index * 100 + percent) / count))

    return report
