"""Captions by Anthropic's Claude (an adapter of core.ai.base.CaptionAdapter).

One structured request per asset for all its platforms, then enforcement; the rules
adapter when there is no key or Claude fails.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import anthropic

from core.ai.base import CaptionAdapter, CaptionResult
from core.ai.enforce import EmptyCaption, enforce_caption, find_forbidden
from core.ai.prompt import build_request
from core.ai.rules_adapter import RuleBasedAdapter
from core.ai.style_rules import DEFAULT_RULES
from core.ai.usage import CallUsage, budget_exhausted, record_usage
from core.config import Settings
from core.errors import InvalidInput
from core.models import Brand
from core.platform_rules import PlatformRules

log = logging.getLogger(__name__)
MAX_RETRIES = 3  # the SDK retries 408/409/429/5xx/529 with backoff, honouring retry-after
REQUEST_TIMEOUT_SECONDS = 60.0

UNAVAILABLE = "Claude is unavailable right now ({reason}): made by the built-in rules instead."


class ClaudeAdapter(CaptionAdapter):
    """Adapts with Claude; any failure or an exhausted budget falls back to the rules."""

    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        model: str,
        *,
        max_tokens: int = 8192,
        deadline_seconds: float = 120.0,
        budget_cap_usd: float | None = None,
    ) -> None:
        self.client = client
        self.budget_cap_usd = budget_cap_usd  # AI_MONTHLY_BUDGET_USD: no brand spends more
        self.model = model
        self.name = model
        self.max_tokens = max_tokens
        self.deadline_seconds = deadline_seconds  # caps the SDK's retries and retry-after waits
        self.fallback = RuleBasedAdapter(is_fallback=True)

    async def adapt(
        self,
        brand: Brand,
        text: str,
        platforms: Sequence[str],
        rules: Mapping[str, PlatformRules],
        *,
        hint: str | None = None,
    ) -> dict[str, CaptionResult]:
        """One request for all `platforms`; forbidden phrases trigger one re-request."""
        platforms = list(dict.fromkeys(platforms))
        guide = {**DEFAULT_RULES, **rules}
        unknown = [p for p in platforms if p not in guide]
        if unknown:
            raise InvalidInput(f"Unknown platform: {', '.join(unknown)}.")
        if not platforms:
            return {}
        note = await budget_exhausted(brand, cap=self.budget_cap_usd)
        raw: dict[str, str] | None = None
        if note is None:
            raw, note = await self._call(brand, text, platforms, guide, hint=hint)
        if raw is None:
            return {
                p: self.fallback.adapt_one(brand, text, guide[p], hint=hint, note=note)
                for p in platforms
            }
        forbidden = [p for p in brand.forbidden_phrases or [] if p.strip()]
        offending = {p: found for p, t in raw.items() if (found := find_forbidden(t, forbidden))}
        if offending and await budget_exhausted(brand, cap=self.budget_cap_usd) is None:
            again, _ = await self._call(
                brand,
                text,
                list(offending),
                guide,
                hint=hint,
                avoid=offending,
                purpose="captions-regenerate",
            )
            raw.update({p: t for p, t in (again or {}).items() if p in offending})
        return {p: self._finish(brand, text, p, raw.get(p), guide, hint) for p in platforms}

    def _finish(
        self,
        brand: Brand,
        text: str,
        platform: str,
        answer: str | None,
        guide: Mapping[str, PlatformRules],
        hint: str | None,
    ) -> CaptionResult:
        rules = guide[platform]
        if answer is not None:
            try:
                caption = enforce_caption(
                    answer,
                    rules,
                    default_hashtags=list(brand.default_hashtags or []),
                    forbidden=list(brand.forbidden_phrases or []),
                )
                return CaptionResult(text=caption, is_fallback=False, adapter=self.model)
            except EmptyCaption:
                log.warning("empty %s caption from %s for brand %s", platform, self.model, brand.id)
        note = f"Claude returned no usable {rules.label} caption: made by the built-in rules."
        return self.fallback.adapt_one(brand, text, rules, hint=hint, note=note)

    async def _call(
        self,
        brand: Brand,
        text: str,
        platforms: Sequence[str],
        guide: Mapping[str, PlatformRules],
        *,
        hint: str | None,
        avoid: Mapping[str, Sequence[str]] | None = None,
        purpose: str = "captions",
    ) -> tuple[dict[str, str] | None, str | None]:
        """The model's caption per platform, or None and a note for the user."""
        params = build_request(
            brand,
            text,
            platforms,
            guide,
            model=self.model,
            max_tokens=self.max_tokens,
            hint=hint,
            avoid=avoid,
        )
        try:
            async with asyncio.timeout(self.deadline_seconds):
                message = await self.client.messages.create(**params)
        except anthropic.APIStatusError as exc:
            log.warning(
                "Claude call failed for brand %s: HTTP %s %s",
                brand.id,
                exc.status_code,
                exc.message,
            )
            reason = {429: "rate limited", 529: "overloaded"}.get(
                exc.status_code, f"error {exc.status_code}"
            )
            return None, UNAVAILABLE.format(reason=reason)
        except (anthropic.APIConnectionError, TimeoutError) as exc:
            log.warning("Claude call failed for brand %s: %r", brand.id, exc)
            return None, UNAVAILABLE.format(reason="no answer in time")
        await record_usage(brand, self.model, call_usage(message.usage), purpose=purpose)
        answer = "".join(b.text for b in message.content if b.type == "text")
        parsed = _parse(answer, platforms)
        if parsed is None:
            log.warning(
                "unreadable Claude answer for brand %s (stop_reason=%s)",
                brand.id,
                message.stop_reason,
            )
            return None, UNAVAILABLE.format(reason="its answer could not be read")
        return parsed, None


def call_usage(usage: Any) -> CallUsage:
    written = usage.cache_creation_input_tokens or 0
    breakdown = getattr(usage, "cache_creation", None)
    one_hour = breakdown.ephemeral_1h_input_tokens if breakdown else written
    five_min = breakdown.ephemeral_5m_input_tokens if breakdown else 0
    return CallUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_input_tokens or 0,
        cache_write_1h_tokens=one_hour,
        cache_write_5m_tokens=five_min,
    )


def _parse(answer: str, platforms: Sequence[str]) -> dict[str, str] | None:
    try:
        data = json.loads(answer)
        items = data["captions"]
    except (ValueError, KeyError, TypeError):
        return None
    out: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if (
            isinstance(item, dict)
            and item.get("platform") in platforms
            and isinstance(item.get("text"), str)
        ):
            out.setdefault(item["platform"], item["text"])
    return out


def build_caption_adapter(
    settings: Settings,
    *,
    max_retries: int = MAX_RETRIES,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
    deadline_seconds: float = 120.0,
) -> CaptionAdapter:
    """ClaudeAdapter when ANTHROPIC_API_KEY is set, else the deterministic RuleBasedAdapter."""
    if settings.anthropic_api_key is None or not settings.anthropic_api_key.get_secret_value():
        return RuleBasedAdapter()
    client = anthropic.AsyncAnthropic(
        api_key=settings.anthropic_api_key.get_secret_value(),
        base_url=settings.anthropic_base_url or None,
        max_retries=max_retries,
        timeout=timeout,
    )
    return ClaudeAdapter(
        client,
        settings.anthropic_model,
        deadline_seconds=deadline_seconds,
        budget_cap_usd=settings.ai_monthly_budget_usd,
    )
