"""Captions of an asset per platform: stored, adapted in one call, overridden, published."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.exceptions import IntegrityError

from core import audit
from core.ai.base import RULES_ADAPTER, CaptionAdapter, CaptionResult
from core.ai.enforce import EmptyCaption, count_hashtags, enforce_caption, find_forbidden, measure
from core.ai.limits import AICallLimiter
from core.ai.rules_adapter import RuleBasedAdapter
from core.ai.style_rules import DEFAULT_RULES
from core.errors import InvalidInput
from core.models import AdaptedCaption, Brand, MediaAsset, User
from core.platform_rules import PlatformRules

log = logging.getLogger(__name__)

USER_ADAPTER = "user"


class CaptionService:
    """Owns AdaptedCaption rows; the only code that asks an adapter for captions."""

    def __init__(
        self,
        adapter: CaptionAdapter,
        rules: Mapping[str, PlatformRules],
        *,
        limiter: AICallLimiter | None = None,
    ) -> None:
        self.adapter = adapter
        self.rules: dict[str, PlatformRules] = {**DEFAULT_RULES, **rules}
        self.limiter = limiter  # AI calls a person may start per minute
        self._rules_adapter = RuleBasedAdapter(is_fallback=True)

    def check_allowance(self, actor: User | None, *, take: bool = False) -> None:
        """RateLimited when `actor` may not ask the AI again yet; `take` counts one ask.

        Only a person's asks count (automatic captions do not), and only with an AI
        adapter: the built-in rules cost nothing.
        """
        if actor is None or self.limiter is None or self.adapter.name == RULES_ADAPTER:
            return
        (self.limiter.take if take else self.limiter.check)(str(actor.id))

    async def preview(
        self, brand: Brand, text: str, platforms: Sequence[str], *, actor: User
    ) -> dict[str, CaptionResult]:
        """Captions of a sample text with the brand as given (unsaved); nothing is stored.

        Counts as one AI call of `actor` (RateLimited when over the per-person limit).
        """
        platforms = self._check(platforms)
        self.check_allowance(actor, take=True)
        return await self.adapter.adapt(brand, text, platforms, self.rules)

    def _check(self, platforms: Sequence[str]) -> list[str]:
        platforms = list(dict.fromkeys(platforms))
        unknown = [p for p in platforms if p not in self.rules]
        if unknown:
            raise InvalidInput(f"Unknown platform: {', '.join(unknown)}.")
        return platforms

    async def adapt(
        self,
        asset: MediaAsset,
        platforms: Sequence[str],
        *,
        hint: str | None = None,
        regenerate: bool = False,
        actor: User | None = None,
        origin: str = "api",
    ) -> dict[str, AdaptedCaption]:
        """The caption per platform: stored ones kept, missing ones made in one adapter call.

        `regenerate=True` remakes every listed platform (overrides included: asking to
        regenerate a platform is the user's choice), with `hint` ("shorter", free text).
        """
        platforms = self._check(platforms)
        brand = await Brand.get(id=asset.brand_id)
        stored = {
            c.platform: c
            for c in await AdaptedCaption.filter(
                brand_id=brand.id, asset_id=asset.id, platform__in=platforms
            )
        }
        todo = platforms if regenerate else [p for p in platforms if p not in stored]
        if todo:
            self.check_allowance(actor, take=True)
            made = await self._safe_adapt(brand, asset.original_caption, todo, hint=hint)
            for platform in todo:
                stored[platform] = await self._save(
                    brand,
                    asset,
                    platform,
                    made[platform],
                    actor=actor,
                    origin=origin,
                    action="caption.regenerated" if platform in stored else "caption.created",
                    hint=hint,
                )
        return {p: stored[p] for p in platforms}

    async def set_override(
        self, asset: MediaAsset, platform: str, text: str, *, actor: User | None, origin: str
    ) -> AdaptedCaption:
        """Store the user's own caption for one platform; InvalidInput if it breaks a rule."""
        (platform,) = self._check([platform])
        brand = await Brand.get(id=asset.brand_id)
        text = self.validate_override(brand, platform, text)
        result = CaptionResult(text=text, is_fallback=False, adapter=USER_ADAPTER)
        return await self._save(
            brand,
            asset,
            platform,
            result,
            actor=actor,
            origin=origin,
            action="caption.overridden",
            is_override=True,
        )

    def validate_override(self, brand: Brand, platform: str, text: str) -> str:
        """The cleaned user caption, or InvalidInput saying plainly what is wrong."""
        rules = self.rules[platform]
        text = text.strip()
        if not text:
            raise InvalidInput(f"The {rules.label} caption is empty.")
        found = find_forbidden(text, brand.forbidden_phrases or [])
        if found:
            raise InvalidInput(
                f"The caption uses a phrase this brand forbids: "
                f"{', '.join(repr(p) for p in found)}."
            )
        length = measure(text, rules)
        if length > rules.caption_max:
            raise InvalidInput(
                f"{rules.label} allows {rules.caption_max:,} characters; "
                f"this caption has {length:,}."
            )
        tags = count_hashtags(text)
        if tags > max(rules.hashtags_max, 0):
            raise InvalidInput(
                f"{rules.label} allows {rules.hashtags_max} hashtags; this caption has {tags}."
            )
        return text

    async def captions_for_publish(
        self, asset: MediaAsset, platforms: Sequence[str], overrides: Mapping[str, str]
    ) -> dict[str, str]:
        """Text to publish per platform: override, else stored, else adapted now.

        Never fails because the AI is down (the rules answer); overrides are held to
        the platform's hard limits and forbidden phrases as a last safety net.
        """
        platforms = self._check(platforms)
        brand = await Brand.get(id=asset.brand_id)
        out: dict[str, str] = {}
        for platform in platforms:
            override = (overrides.get(platform) or "").strip()
            if override:
                try:
                    out[platform] = enforce_caption(
                        override,
                        self.rules[platform],
                        forbidden=list(brand.forbidden_phrases or []),
                    )
                except EmptyCaption:
                    log.info("override for %s emptied by enforcement", platform)
        missing = [p for p in platforms if p not in out]
        if missing:
            stored = await self.adapt(asset, missing, origin="publish")
            out.update({p: c.text for p, c in stored.items()})
        return {p: out[p] for p in platforms}

    async def _safe_adapt(
        self, brand: Brand, text: str, platforms: list[str], *, hint: str | None
    ) -> dict[str, CaptionResult]:
        try:
            made = await self.adapter.adapt(brand, text, platforms, self.rules, hint=hint)
        except InvalidInput:
            raise
        except Exception:  # an adapter bug must not block publishing: the rules answer
            log.exception("caption adapter failed for brand %s", brand.id)
            made = {}
        note = "The AI adapter failed: made by the built-in rules."
        return {
            p: made.get(p)
            or self._rules_adapter.adapt_one(brand, text, self.rules[p], hint=hint, note=note)
            for p in platforms
        }

    async def _save(
        self,
        brand: Brand,
        asset: MediaAsset,
        platform: str,
        result: CaptionResult,
        *,
        actor: User | None,
        origin: str,
        action: str,
        hint: str | None = None,
        is_override: bool = False,
    ) -> AdaptedCaption:
        values: dict[str, Any] = {
            "text": result.text,
            "is_fallback": result.is_fallback,
            "is_override": is_override,
            "adapter": result.adapter,
        }
        caption = await AdaptedCaption.get_or_none(asset_id=asset.id, platform=platform)
        if caption is None:
            try:
                caption = await AdaptedCaption.create(
                    brand=brand, asset=asset, platform=platform, **values
                )
            except IntegrityError:  # made concurrently: update that row instead
                caption = await AdaptedCaption.get(asset_id=asset.id, platform=platform)
                caption.update_from_dict(values)
                await caption.save()
        else:
            caption.update_from_dict(values)
            await caption.save()
        details: dict[str, object] = {
            "platform": platform,
            "adapter": result.adapter,
            "is_fallback": result.is_fallback,
        }
        if result.note:
            details["note"] = result.note
        if hint:
            details["hint"] = hint
        await audit.record(
            action, actor=actor, brand=brand, obj=caption, origin=origin, details=details
        )
        caption.note = result.note  # shown to the user, not stored
        return caption
