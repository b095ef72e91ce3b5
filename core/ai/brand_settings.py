"""Validation of a brand's AI settings, for the API and bots that edit them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.errors import InvalidInput

MAX_PROMPT_CHARS = 6000  # every character is sent (cached) with every request of the brand
MAX_HASHTAGS = 30
MAX_FORBIDDEN = 200


@dataclass(frozen=True)
class AISettings:
    """Clean values for Brand.ai_system_prompt, default_hashtags, forbidden_phrases."""

    ai_system_prompt: str
    default_hashtags: list[str]
    forbidden_phrases: list[str]


def clean_ai_settings(
    *, ai_system_prompt: str, default_hashtags: Iterable[str], forbidden_phrases: Iterable[str]
) -> AISettings:
    """Normalised settings (hashtags '#word', no duplicates); InvalidInput saying what is wrong."""
    prompt = ai_system_prompt.strip()
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidInput(
            f"The AI instructions are {len(prompt):,} characters; "
            f"the limit is {MAX_PROMPT_CHARS:,}."
        )
    tags: list[str] = []
    for raw in default_hashtags:
        word = re.sub(r"[^\w]", "", str(raw))
        if not word:
            raise InvalidInput(f"{raw!r} is not a usable hashtag (letters, digits, _ only).")
        if f"#{word}".casefold() not in {t.casefold() for t in tags}:
            tags.append(f"#{word}")
    if len(tags) > MAX_HASHTAGS:
        raise InvalidInput(f"At most {MAX_HASHTAGS} default hashtags.")
    phrases: list[str] = []
    for raw in forbidden_phrases:
        phrase = " ".join(str(raw).split())
        if phrase and phrase.casefold() not in {p.casefold() for p in phrases}:
            phrases.append(phrase)
    if len(phrases) > MAX_FORBIDDEN:
        raise InvalidInput(f"At most {MAX_FORBIDDEN} forbidden phrases.")
    return AISettings(prompt, tags, phrases)


def with_monthly_budget(settings: dict[str, Any], budget_usd: float | None) -> dict[str, Any]:
    """A copy of Brand.settings with `ai.monthly_budget_usd` set (None removes it)."""
    if budget_usd is not None and budget_usd < 0:
        raise InvalidInput("The monthly AI budget cannot be negative.")
    out = dict(settings or {})
    ai = dict(out.get("ai") or {})
    if budget_usd is None:
        ai.pop("monthly_budget_usd", None)
    else:
        ai["monthly_budget_usd"] = float(budget_usd)
    out["ai"] = ai
    return out
