"""Assets: upload into the inbox, adapt captions, set a caption by hand."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Sequence

from core import notify
from core.ai.base import CaptionResult
from core.ai.brand_settings import clean_ai_settings
from core.app.actor import Actor
from core.app.roles import Action
from core.captions import CaptionService
from core.config import Settings
from core.errors import InvalidInput
from core.intake import Spooled, ingest_media
from core.models import AdaptedCaption, AssetSource, MediaAsset
from core.quota import check_quota


class Assets:
    """The inbox: what people add and how its captions are made."""

    def __init__(self, *, settings: Settings, captions: CaptionService) -> None:
        self.settings = settings
        self.captions = captions

    async def check_room(self, actor: Actor, *, brand_id: int, incoming: int = 0) -> None:
        """Before reading an upload: the person may add media and the brand has room."""
        await actor.may(brand_id, Action.UPLOAD)
        await check_quota(self.settings, brand_id=brand_id, incoming=incoming)

    async def upload(self, actor: Actor, *, brand_id: int,
                     chunks: AsyncIterator[bytes] | Spooled, file_name: str | None,
                     caption: str = "", source: AssetSource = AssetSource.UPLOAD,
                     announce: bool = True) -> MediaAsset:
        """Store one photo or video in the brand's inbox and tell the linked chats.

        `announce=False` for an album's items (the album is announced once, whole).
        """
        brand = await actor.may(brand_id, Action.UPLOAD)
        asset = await ingest_media(self.settings, brand=brand, chunks=chunks,
                                   file_name=file_name, caption=caption, actor=actor.user,
                                   origin=actor.origin, source=source)
        if announce:
            await notify.inbox_item(asset)
        return asset

    async def adapt(self, actor: Actor, *, asset_id: int, platforms: Sequence[str],
                    hint: str | None = None, regenerate: bool = False
                    ) -> dict[str, AdaptedCaption]:
        """The asset's caption adapted per network (stored for publishing)."""
        asset = await actor.scope.asset(asset_id)
        await actor.may(asset.brand_id, Action.EDIT)
        return await self.captions.adapt(asset, platforms, hint=hint, regenerate=regenerate,
                                         actor=actor.user, origin=actor.origin)

    async def set_caption(self, actor: Actor, *, asset_id: int, platform: str,
                          text: str) -> AdaptedCaption:
        """The person's own caption for one network (checked against its rules)."""
        asset = await actor.scope.asset(asset_id)
        await actor.may(asset.brand_id, Action.EDIT)
        return await self.captions.set_override(asset, platform, text, actor=actor.user,
                                                origin=actor.origin)

    async def preview(self, actor: Actor, *, brand_id: int, text: str,
                      platforms: Sequence[str] | None, ai_system_prompt: str,
                      default_hashtags: Sequence[str], forbidden_phrases: Sequence[str]
                      ) -> dict[str, CaptionResult]:
        """A sample text's captions with the brand's AI settings as typed (nothing saved).

        `platforms`: None for every network. Counts as one AI call of the person.
        """
        brand = await actor.may(brand_id, Action.EDIT)
        cleaned = clean_ai_settings(ai_system_prompt=ai_system_prompt,
                                    default_hashtags=default_hashtags,
                                    forbidden_phrases=forbidden_phrases)
        draft = copy.copy(brand)  # never saved: the preview uses the form's values
        draft.ai_system_prompt = cleaned.ai_system_prompt
        draft.default_hashtags = cleaned.default_hashtags
        draft.forbidden_phrases = cleaned.forbidden_phrases
        rules = self.captions.rules
        chosen = [p for p in (platforms or list(rules)) if p in rules]
        if not chosen:
            raise InvalidInput("Choose at least one known platform.")
        return await self.captions.preview(draft, text, chosen, actor=actor.user)
