"""What each platform accepts in text: hard limits and style rules, as data.

Each connector declares one `PlatformRules`; the caption adapters and the
enforcement step read them from the connector registry, so a new network
brings its own rules in its own file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

HashtagPlacement = Literal["end", "inline", "none", "first_comment"]
# How a platform counts caption length: code points, UTF-16 units (Telegram, TikTok),
# or code points with emoji counted as their UTF-8 bytes (Threads).
LengthUnit = Literal["chars", "utf16", "emoji_bytes"]


@dataclass(frozen=True)
class PlatformRules:
    """Text limits and the house style of one platform."""

    platform: str
    label: str
    caption_max: int
    hashtags_max: int = 30
    hashtag_placement: HashtagPlacement = "end"
    links_allowed: bool = True
    line_breaks: bool = True
    title_max: int | None = None
    ideal_length: int | None = None
    tone: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    length_unit: LengthUnit = "chars"
    link_length: int | None = None  # a URL counts as this many characters (Mastodon: 23)
