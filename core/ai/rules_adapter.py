"""The deterministic adapter: no network, used without an API key and as the fallback."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from core.ai.base import RULES_ADAPTER, CaptionAdapter, CaptionResult
from core.ai.enforce import EmptyCaption, enforce_caption
from core.models import Brand
from core.platform_rules import PlatformRules

_SHORTER = ("short", "brief", "concise", "less")


class RuleBasedAdapter(CaptionAdapter):
    """Fits the original caption to each platform's rules, with the brand's hashtags."""

    name = RULES_ADAPTER

    def __init__(self, *, is_fallback: bool = False, note: str | None = None) -> None:
        self.is_fallback = is_fallback
        self.note = note

    async def adapt(
        self,
        brand: Brand,
        text: str,
        platforms: Sequence[str],
        rules: Mapping[str, PlatformRules],
        *,
        hint: str | None = None,
    ) -> dict[str, CaptionResult]:
        """One rule-made caption per platform."""
        return {p: self.adapt_one(brand, text, rules[p], hint=hint) for p in platforms}

    def adapt_one(
        self,
        brand: Brand,
        text: str,
        rules: PlatformRules,
        *,
        hint: str | None = None,
        note: str | None = None,
    ) -> CaptionResult:
        """The rule-made caption for one platform."""
        if hint and any(word in hint.casefold() for word in _SHORTER):
            target = rules.ideal_length or rules.caption_max // 2
            rules = dataclasses.replace(rules, caption_max=min(rules.caption_max, target))
        try:
            caption = enforce_caption(
                text,
                rules,
                default_hashtags=list(brand.default_hashtags or []),
                forbidden=list(brand.forbidden_phrases or []),
                require_text=bool(text.strip()),
            )
        except EmptyCaption:
            caption = ""
        return CaptionResult(
            text=caption,
            is_fallback=self.is_fallback,
            adapter=RULES_ADAPTER,
            note=note or self.note,
        )
