"""The Messages API request for one asset: a cached, stable prefix, then the variable part.

Layout (the order the API caches in: tools, system, messages):
  system[0]  instructions + the style guide of EVERY platform      breakpoint, ttl 1h
             (identical for all brands: written once an hour, read by every brand)
  system[1]  the brand's voice, hashtags and forbidden phrases     breakpoint, ttl 1h
             (identical for every asset of the brand)
  messages   the asset's caption, the selected platforms, the hint (never cached)
The output schema is fixed too (an enum of every platform, not the selection), because a
different schema would invalidate the cache.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.models import Brand
from core.platform_rules import PlatformRules

CACHE_1H: dict[str, str] = {"type": "ephemeral", "ttl": "1h"}

INSTRUCTIONS = """\
You are the caption writer of OneClick Social, a service that publishes one piece of \
content (a photo, a video or a carousel) to every social network a brand uses. For each \
post you receive the brand's original caption and the list of platforms it goes to. You \
rewrite that caption once per platform, in the brand's voice, following the platform's \
style guide below.

How to write:
- Keep the meaning, the facts, the names, the prices, the dates and the offers of the \
original caption exactly. Never invent facts, quotes, numbers, discounts, links, product \
names or promises that are not in the original caption or the brand's instructions.
- Write in the language of the original caption unless the brand's instructions say \
otherwise. Keep the brand's spelling of its own name and products.
- Adapt length, structure, tone, emoji and hashtags to each platform, as its guide says. \
Aim near the ideal length; never exceed the hard limit.
- Each platform's text must stand alone: do not refer to other platforms or to "the \
caption above", and do not explain what you changed.
- Put hashtags where the platform's guide says: at the end as one block, inline, or not \
at all. Use the brand's default hashtags where the platform uses hashtags; you may add a \
few specific ones that fit the content. Never split, misspell or space out a hashtag.
- Never use any of the brand's forbidden phrases, in any form, capitalisation or as a \
hashtag, even when the original caption contains them: rephrase around them.
- Links: keep a link from the original caption only where the platform allows links; \
elsewhere, refer to "the link in bio" or leave it out.
- No markdown (no asterisks, underscores, headings or bullet syntax): the networks show \
it literally. Plain text and line breaks only, where the platform allows line breaks.
- If a hint is given, apply it to every listed platform, within that platform's rules. \
If a platform lists phrases to avoid, rewrite that platform's text without them.
- Answer only with the JSON object the response format asks for: one entry per listed \
platform, in the order listed, with the platform's id and the finished text.

Platform style guide (id, name, hard limits, then tone and notes):
"""


def render_style_guide(rules: Mapping[str, PlatformRules]) -> str:
    """The guide of every platform in `rules`, sorted, identical for every caller."""
    parts = []
    for key in sorted(rules):
        r = rules[key]
        hashtags = (
            "no hashtags"
            if r.hashtag_placement == "none" or r.hashtags_max <= 0
            else f"up to {r.hashtags_max} hashtags, placed {_placement(r)}"
        )
        limits = [
            f"at most {r.caption_max:,} characters",
            hashtags,
            "links allowed" if r.links_allowed else "no links",
            "line breaks allowed" if r.line_breaks else "a single paragraph",
        ]
        if r.ideal_length:
            limits.append(f"ideal length about {r.ideal_length:,} characters")
        lines = [f"## {key} ({r.label})", "Limits: " + "; ".join(limits) + "."]
        if r.tone:
            lines.append(f"Tone: {r.tone}.")
        lines.extend(f"- {note}" for note in r.notes)
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _placement(r: PlatformRules) -> str:
    return {
        "end": "together at the end",
        "inline": "inside the sentences",
        "first_comment": "in the first comment (not in the caption)",
    }.get(r.hashtag_placement, r.hashtag_placement)


def render_brand_block(brand: Brand) -> str:
    """The brand part of the prefix: only stable brand settings, no ids or times."""
    prompt = (brand.ai_system_prompt or "").strip() or "No special instructions."
    tags = ", ".join(str(t) for t in brand.default_hashtags or []) or "none"
    forbidden = "; ".join(f'"{p}"' for p in brand.forbidden_phrases or [] if p.strip())
    return (
        f"Brand: {brand.name}\n\n"
        f"The brand's voice and instructions:\n{prompt}\n\n"
        f"Default hashtags: {tags}\n"
        f"Forbidden phrases (never write these): {forbidden or 'none'}\n"
    )


def output_schema(rules: Mapping[str, PlatformRules]) -> dict[str, Any]:
    """The JSON schema of the answer, the same for every request of the process."""
    return {
        "type": "object",
        "properties": {
            "captions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "platform": {"type": "string", "enum": sorted(rules)},
                        "text": {"type": "string"},
                    },
                    "required": ["platform", "text"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["captions"],
        "additionalProperties": False,
    }


SECTION_TAGS = ("original_caption", "platforms", "hint", "avoid")
_INV = "[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]*"  # invisible characters
_GAP = "[\\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]*"
_LT = "[<\uff1c\ufe64\u2039\u3008]"  # < and its look-alikes
_GT = "[>\uff1e\ufe65\u203a\u3009]"
_SLASH = "[/\uff0f\u2215\\\\]"
_NAMES = "|".join(_INV.join(re.escape(c) for c in tag) for tag in SECTION_TAGS)
_SECTION_TAG = re.compile(
    f"{_LT}{_GAP}(?:{_SLASH}{_GAP})?(?:{_NAMES})(?![A-Za-z0-9_])"
    f"(?:[^<>\\n\uff1c\uff1e]{{0,200}}?{_GT})?",
    re.IGNORECASE,
)


def neutralise(text: str) -> str:
    """`text` without anything that opens or closes one of our prompt sections.

    Removal repeats until nothing changes, so a tag split by another tag
    (`</original_cap</original_caption>tion>`) cannot reassemble; case, spaces,
    invisible characters and look-alike brackets are matched too.
    """
    while True:
        cleaned = _SECTION_TAG.sub("", text)
        if cleaned == text:
            return cleaned
        text = cleaned


def render_user_message(
    text: str,
    platforms: Sequence[str],
    *,
    hint: str | None = None,
    avoid: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The variable part: the asset's caption, the platforms, the hint, phrases to avoid."""
    original = (
        neutralise(text).strip()
        or "(no caption: write one from the brand's voice, short and neutral)"
    )
    lines = [
        f"<original_caption>\n{original}\n</original_caption>",
        f"<platforms>{', '.join(platforms)}</platforms>",
    ]
    hint = neutralise(hint or "").strip()
    if hint:
        lines.append(f"<hint>{hint}</hint>")
    for platform, phrases in (avoid or {}).items():
        quoted = "; ".join(f'"{neutralise(p)}"' for p in phrases)
        lines.append(
            f'<avoid platform="{platform}">Your previous text used {quoted}. '
            f"Rewrite it without them.</avoid>"
        )
    return "\n".join(lines)


def build_request(
    brand: Brand,
    text: str,
    platforms: Sequence[str],
    rules: Mapping[str, PlatformRules],
    *,
    model: str,
    max_tokens: int,
    hint: str | None = None,
    avoid: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for `client.messages.create` (no tool_choice, no sampling params)."""
    return {
        "model": model,
        "max_tokens": max_tokens,
        "system": [
            {
                "type": "text",
                "text": INSTRUCTIONS + "\n" + render_style_guide(rules),
                "cache_control": CACHE_1H,
            },
            {"type": "text", "text": render_brand_block(brand), "cache_control": CACHE_1H},
        ],
        "messages": [
            {
                "role": "user",
                "content": render_user_message(text, platforms, hint=hint, avoid=avoid),
            }
        ],
        "output_config": {"format": {"type": "json_schema", "schema": output_schema(rules)}},
    }
