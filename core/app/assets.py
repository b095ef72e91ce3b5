"""Assets: upload into the inbox, adapt captions, set a caption by hand."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from core import audit, notify
from core.ai.base import CaptionResult
from core.ai.brand_settings import clean_ai_settings
from core.app.actor import Actor
from core.app.roles import Action, allows, require
from core.captions import CaptionService
from core.config import Settings
from core.errors import Conflict, InvalidInput, MediaRejected, NotFound, OneClickError
from core.intake import Spooled, ingest_media
from core.models import (
    AdaptedCaption,
    AssetKind,
    AssetSource,
    Brand,
    JobStatus,
    MediaAsset,
    PublishTarget,
    TargetStatus,
)
from core.ports.media_store import MediaStore
from core.quota import check_quota

NOT_WAITING = "This request is no longer waiting for a decision."


class Assets:
    """The inbox: what people add and how its captions are made."""

    def __init__(self, *, settings: Settings, captions: CaptionService, media: MediaStore) -> None:
        self.settings = settings
        self.captions = captions
        #: where the originals are kept
        self.media = media

    async def check_room(self, actor: Actor, *, brand_id: int, incoming: int = 0) -> None:
        """Before reading an upload: the person may add media and the brand has room."""
        await actor.may(brand_id, Action.UPLOAD)
        await check_quota(self.settings, brand_id=brand_id, incoming=incoming)

    async def upload(
        self,
        actor: Actor,
        *,
        brand_id: int,
        chunks: AsyncIterator[bytes] | Spooled,
        file_name: str | None,
        caption: str = "",
        source: AssetSource = AssetSource.UPLOAD,
        announce: bool = True,
    ) -> MediaAsset:
        """Store one photo or video in the brand's inbox and tell the linked chats.

        `announce=False` for an album's items (the album is announced once, whole).
        """
        brand = await actor.may(brand_id, Action.UPLOAD)
        return await self._take(
            actor,
            brand,
            chunks=chunks,
            file_name=file_name,
            caption=caption,
            source=source,
            announce=announce,
        )

    async def adapt(
        self,
        actor: Actor,
        *,
        asset_id: int,
        platforms: Sequence[str],
        hint: str | None = None,
        regenerate: bool = False,
    ) -> dict[str, AdaptedCaption]:
        """The asset's caption adapted per network (stored for publishing)."""
        asset = await actor.scope.asset(asset_id)
        await actor.may(asset.brand_id, Action.EDIT)
        return await self.captions.adapt(
            asset,
            platforms,
            hint=hint,
            regenerate=regenerate,
            actor=actor.user,
            origin=actor.origin,
        )

    async def set_caption(
        self, actor: Actor, *, asset_id: int, platform: str, text: str
    ) -> AdaptedCaption:
        """The person's own caption for one network (checked against its rules)."""
        asset = await actor.scope.asset(asset_id)
        await actor.may(asset.brand_id, Action.EDIT)
        return await self.captions.set_override(
            asset, platform, text, actor=actor.user, origin=actor.origin
        )

    async def preview(
        self,
        actor: Actor,
        *,
        brand_id: int,
        text: str,
        platforms: Sequence[str] | None,
        ai_system_prompt: str,
        default_hashtags: Sequence[str],
        forbidden_phrases: Sequence[str],
    ) -> dict[str, CaptionResult]:
        """A sample text's captions with the brand's AI settings as typed (nothing saved).

        `platforms`: None for every network. Counts as one AI call of the person.
        """
        brand = await actor.may(brand_id, Action.EDIT)
        cleaned = clean_ai_settings(
            ai_system_prompt=ai_system_prompt,
            default_hashtags=default_hashtags,
            forbidden_phrases=forbidden_phrases,
        )
        draft = copy.copy(brand)  # never saved: the preview uses the form's values
        draft.ai_system_prompt = cleaned.ai_system_prompt
        draft.default_hashtags = cleaned.default_hashtags
        draft.forbidden_phrases = cleaned.forbidden_phrases
        rules = self.captions.rules
        chosen = [p for p in (platforms or list(rules)) if p in rules]
        if not chosen:
            raise InvalidInput("Choose at least one known platform.")
        return await self.captions.preview(draft, text, chosen, actor=actor.user)

    async def upload_shared(
        self,
        actor: Actor,
        *,
        brand_id: int,
        chunks: AsyncIterator[bytes] | Spooled,
        file_name: str | None,
        source: AssetSource,
        source_id: str,
        caption: str = "",
        source_url: str = "",
        announce: bool = True,
    ) -> MediaAsset:
        """Store a photo or video shared in a chat (`source_id` names the chat's file).

        As `upload`, and the asset remembers where it came from (`source_url`: a link
        back to it, already checked by the caller).
        """
        brand = await actor.may(brand_id, Action.UPLOAD)
        return await self._take(
            actor,
            brand,
            chunks=chunks,
            file_name=file_name,
            caption=caption,
            source=source,
            source_id=source_id,
            source_url=source_url,
            announce=announce,
        )

    async def edit_captions(
        self, actor: Actor, *, asset_id: int, captions: Mapping[str, str], job_id: int | None = None
    ) -> list[str]:
        """A person's caption edits from a chat card; the networks whose text changed.

        Changed texts become the asset's own captions (checked against each network's
        rules); with `job_id`, a job still waiting for approval takes them too (audited).
        """
        asset = await actor.scope.asset(asset_id)
        await actor.may(asset.brand_id, Action.EDIT)
        job = None
        if job_id is not None:
            job = await actor.scope.job(job_id)
            if job.asset_id != asset.id:
                raise NotFound("Job not found.")
            if job.status != JobStatus.AWAITING_APPROVAL:
                raise Conflict(NOT_WAITING)
            current = {t.platform: t.caption for t in await PublishTarget.filter(job_id=job.id)}
        else:
            current = {
                c.platform: c.text
                for c in await AdaptedCaption.filter(asset_id=asset.id, platform__in=list(captions))
            }
        changed = {p: t for p, t in captions.items() if t.strip() != current.get(p, "").strip()}
        for platform, text in changed.items():
            await self.captions.set_override(
                asset, platform, text, actor=actor.user, origin=actor.origin
            )
        if job is not None and changed:
            texts = await self.captions.captions_for_publish(asset, list(changed), changed)
            for platform, text in texts.items():
                await PublishTarget.filter(
                    job_id=job.id, platform=platform, status=TargetStatus.PENDING
                ).update(caption=text)
            await audit.record(
                "job.captions_edited",
                actor=actor.user,
                brand=job.brand_id,
                obj=job,
                origin=actor.origin,
                details={"platforms": sorted(changed)},
            )
        return sorted(changed)

    async def dismiss(
        self, actor: Actor, *, asset_id: int, note: str = "", card_id: int | None = None
    ) -> MediaAsset:
        """Turn down an inbox item on a chat card (it stays in the inbox), audited.

        Editors, who handle the inbox, and approvers, who may reject, may both do it.
        """
        asset = await actor.scope.asset(asset_id)
        role = await actor.role(asset.brand_id)
        if not (allows(role, Action.EDIT) or allows(role, Action.APPROVE)):
            require(role, Action.APPROVE)
        details: dict[str, object] = {"reason": note[:500]}
        if card_id is not None:
            details["card"] = card_id
        await audit.record(
            "asset.dismissed",
            actor=actor.user,
            brand=asset.brand_id,
            obj=asset,
            origin=actor.origin,
            details=details,
        )
        return asset

    async def check_rewrite(self, actor: Actor, *, asset_id: int) -> None:
        """Before a rewrite: the person may change captions and has AI calls left (else why)."""
        asset = await actor.scope.asset(asset_id)
        await actor.may(asset.brand_id, Action.EDIT)
        self.captions.check_allowance(actor.user)

    async def receive(
        self,
        actor: Actor,
        *,
        brand_id: int,
        file: ChatFile,
        source: AssetSource,
        caption: str = "",
        announce: bool = True,
    ) -> MediaAsset:
        """A photo or video a chat message carries; the same message again returns its asset.

        The file is read only when it is new (a webhook may deliver an update twice).
        """
        brand = await actor.may(brand_id, Action.UPLOAD)
        found = await MediaAsset.get_or_none(
            brand_id=brand.id, source=source, source_id=file.source_id
        )
        if found is not None:
            return found
        return await self._take(
            actor,
            brand,
            chunks=await file.open(),
            file_name=file.file_name,
            caption=caption,
            source=source,
            source_id=file.source_id,
            announce=announce,
        )

    async def _take(
        self,
        actor: Actor,
        brand: Brand,
        *,
        chunks: AsyncIterator[bytes] | Spooled,
        file_name: str | None,
        caption: str,
        source: AssetSource,
        source_id: str | None = None,
        source_url: str = "",
        announce: bool,
    ) -> MediaAsset:
        """Store one file as an inbox item (audited by intake); tell the chats if `announce`."""
        asset = await ingest_media(
            self.settings,
            store=self.media,
            brand=brand,
            chunks=chunks,
            file_name=file_name,
            caption=caption,
            actor=actor.user,
            origin=actor.origin,
            source=source,
            source_id=source_id,
            source_url=source_url,
        )
        if announce:
            await notify.inbox_item(asset)
        return asset

    async def receive_album(
        self,
        actor: Actor,
        *,
        brand_id: int,
        files: Sequence[ChatFile | None],
        source: AssetSource,
        source_id: str,
        caption: str = "",
        announce: bool = True,
    ) -> MediaAsset:
        """An album a chat sent, stored as one carousel of its first ten files (audited).

        `None` stands for a file that is not a photo or video. Files that cannot be used
        are skipped; when none can, `MediaRejected` says why for each. The same album
        again returns its asset.
        """
        brand = await actor.may(brand_id, Action.UPLOAD)
        parent = await MediaAsset.get_or_none(brand_id=brand.id, source=source, source_id=source_id)
        if parent is not None:
            return parent
        parent = await MediaAsset.create(
            brand=brand,
            source=source,
            source_id=source_id,
            kind=AssetKind.CAROUSEL,
            original_caption=caption.strip(),
            created_by=actor.user,
        )
        refused: list[str] = []
        for position, file in enumerate(files[:ALBUM_LIMIT]):
            if file is None:
                refused.append("an unsupported file")
                continue
            try:
                await ingest_media(
                    self.settings,
                    store=self.media,
                    brand=brand,
                    chunks=await file.open(),
                    file_name=file.file_name,
                    actor=actor.user,
                    origin=actor.origin,
                    source=source,
                    source_id=file.source_id,
                    parent=parent,
                    position=position,
                )
            except OneClickError as exc:
                refused.append(exc.user_message)
        if not await MediaAsset.filter(parent_id=parent.id).exists():
            await parent.delete()
            raise MediaRejected("None of the album's files could be used: " + "; ".join(refused))
        await audit.record(
            "asset.created",
            actor=actor.user,
            brand=brand,
            obj=parent,
            origin=actor.origin,
            details={"source": source.value, "kind": "carousel", "skipped": len(refused)},
        )
        if announce:
            await notify.inbox_item(parent)
        return parent


ALBUM_LIMIT = 10  # the most items a carousel takes on the networks that have one


@dataclass(frozen=True)
class ChatFile:
    """A file a chat message carries: its name, the chat's id for it, how to read it.

    `open` is called only when the file is new: it may refuse (too large) before reading.
    """

    file_name: str | None
    source_id: str
    open: Callable[[], Awaitable[AsyncIterator[bytes]]]
