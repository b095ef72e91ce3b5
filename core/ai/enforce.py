"""Hard rules applied to every caption after any adapter, whatever the model returned.

Order: normalise, drop links where they are not allowed, remove forbidden phrases,
separate the trailing hashtag block, merge the brand's default hashtags within the
platform's count, then fit the length at a sentence or word boundary (never inside a
word, a link or a hashtag), dropping hashtags before cutting deep into the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from core.errors import InvalidInput
from core.platform_rules import PlatformRules

_HASHTAG = re.compile(r"#\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…](?=[\s\"')\]]|$)")
_ELLIPSIS = "…"


class EmptyCaption(InvalidInput):
    """A caption has no text left (the model answered nothing usable)."""

    user_message = "The caption is empty."


def measure(text: str, rules: PlatformRules) -> int:
    """The length of `text` as the platform counts it."""
    if rules.link_length is not None:
        text = _URL.sub("x" * rules.link_length, text)
    if rules.length_unit == "utf16":
        return len(text.encode("utf-16-le")) // 2
    if rules.length_unit == "emoji_bytes":
        return sum(len(ch.encode()) if _is_emoji(ch) else 1 for ch in text)
    return len(text)


def _is_emoji(ch: str) -> bool:
    return ord(ch) > 0xFFFF or unicodedata.category(ch) == "So"


def count_hashtags(text: str) -> int:
    """How many hashtags `text` holds."""
    return len(_HASHTAG.findall(text))


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    start = r"(?<!\w)" if phrase[:1].isalnum() or phrase[:1] == "_" else ""
    end = r"(?!\w)" if phrase[-1:].isalnum() or phrase[-1:] == "_" else ""
    return re.compile(start + body + end, re.IGNORECASE)


def _squash(phrase: str) -> str:
    return re.sub(r"\W+", "", phrase).casefold()


def find_forbidden(text: str, phrases: Iterable[str]) -> list[str]:
    """The forbidden phrases present in `text` (case-insensitive, also inside hashtags)."""
    found = []
    tags = [_squash(tag) for tag in _HASHTAG.findall(text)]
    for phrase in phrases:
        if not phrase.strip():
            continue
        squashed = _squash(phrase)
        if _phrase_pattern(phrase.strip()).search(text) or (
            squashed and any(squashed in tag for tag in tags)
        ):
            found.append(phrase)
    return found


def remove_forbidden(text: str, phrases: Iterable[str]) -> str:
    """`text` without any forbidden phrase, and without hashtags that contain one."""
    phrases = [p.strip() for p in phrases if p.strip()]
    for phrase in phrases:
        squashed = _squash(phrase)
        if squashed:

            def drop_tag(m: re.Match[str], s: str = squashed) -> str:
                return "" if s in _squash(m.group()) else m.group()

            text = _HASHTAG.sub(drop_tag, text)
        text = _phrase_pattern(phrase).sub("", text)
    return _tidy(text)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"(?<!\S)#(?!\w)", "", text)  # a lone '#' left behind
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def split_trailing_hashtags(text: str) -> tuple[str, list[str]]:
    """The text without its closing block of hashtags, and that block's tags."""
    tokens = text.rstrip().split()
    tags: list[str] = []
    while tokens and _HASHTAG.fullmatch(tokens[-1]):
        tags.insert(0, tokens.pop())
    if not tags:
        return text.strip(), []
    cut = text.rstrip()
    for tag in reversed(tags):
        cut = cut[: cut.rfind(tag)].rstrip()
    return cut, tags


def normalise_tag(tag: str) -> str:
    """'summer sale' or '#SummerSale' -> '#summersale'-comparable form with a '#'."""
    word = re.sub(r"[^\w]", "", tag)
    return f"#{word}" if word else ""


def truncate(text: str, limit: int, rules: PlatformRules) -> str:
    """`text` cut to `limit` at a sentence end, else a word boundary with an ellipsis."""
    if measure(text, rules) <= limit:
        return text
    if limit <= 0:
        return ""
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits with room for an ellipsis
        mid = (lo + hi + 1) // 2
        if measure(text[:mid], rules) + 1 <= limit:
            lo = mid
        else:
            hi = mid - 1
    window = text[:lo]
    ends = [m.end() for m in _SENTENCE_END.finditer(text[: lo + 1]) if m.end() <= lo]
    if ends and ends[-1] >= lo * 0.5:
        return window[: ends[-1]].rstrip()
    if lo < len(text) and text[lo].isspace():
        cut = window
    else:
        space = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
        if space <= 0:
            token = window.strip()
            return "" if token.startswith("#") else token  # never half a hashtag
        cut = window[:space]
    cut = cut.rstrip(" \t\n,;:-–—")
    return cut + _ELLIPSIS if cut else ""


def enforce_caption(
    text: str,
    rules: PlatformRules,
    *,
    default_hashtags: Sequence[str] = (),
    forbidden: Sequence[str] = (),
    require_text: bool = True,
) -> str:
    """Apply every hard rule of `rules`; EmptyCaption when no text is left."""
    text = _tidy(text)
    if not rules.links_allowed:
        text = _tidy(_URL.sub("", text))
    text = remove_forbidden(text, forbidden)
    body, tags = split_trailing_hashtags(text)
    if require_text and not _has_text(_HASHTAG.sub("", body)):
        raise EmptyCaption(f"The {rules.label} caption came back empty.")
    tags = _merge_tags(body, tags, rules, default_hashtags, forbidden)
    body = _cap_inline_tags(body, rules, len(tags))
    if not rules.line_breaks:
        body = re.sub(r"\s*\n\s*", " ", body)
    return _fit(body, tags, rules)


def _has_text(text: str) -> bool:
    return any(ch.isalnum() or unicodedata.category(ch).startswith("S") for ch in text)


def _merge_tags(
    body: str,
    tags: list[str],
    rules: PlatformRules,
    defaults: Sequence[str],
    forbidden: Sequence[str],
) -> list[str]:
    if rules.hashtag_placement == "none" or rules.hashtags_max <= 0:
        return []
    seen = {t.casefold() for t in _HASHTAG.findall(body)}
    merged: list[str] = []
    for tag in [*tags, *(normalise_tag(d) for d in defaults)]:
        if tag and tag.casefold() not in seen and not find_forbidden(tag, forbidden):
            seen.add(tag.casefold())
            merged.append(tag)
    room = max(rules.hashtags_max - len(_HASHTAG.findall(body)), 0)
    return merged[:room]


def _cap_inline_tags(body: str, rules: PlatformRules, trailing: int) -> str:
    allowed = 0 if rules.hashtag_placement == "none" else max(rules.hashtags_max, 0)
    inline = list(_HASHTAG.finditer(body))
    excess = len(inline) + trailing - allowed
    for match in reversed(inline):
        if excess <= 0:
            break
        body = body[: match.start()] + match.group()[1:] + body[match.end() :]
        excess -= 1
    return body


def _fit(body: str, tags: list[str], rules: PlatformRules) -> str:
    sep = "\n\n" if rules.line_breaks else " "

    def compose(b: str, t: list[str]) -> str:
        return (b + sep + " ".join(t)).strip() if t else b.strip()

    limit = rules.caption_max
    if measure(compose(body, tags), rules) <= limit:
        return compose(body, tags)
    keep_body = min(measure(body, rules), int(limit * 0.6))
    while tags and limit - measure(sep + " ".join(tags), rules) < keep_body:
        tags = tags[:-1]
    budget = limit - (measure(sep + " ".join(tags), rules) if tags else 0)
    return compose(truncate(body, budget, rules), tags)
