"""The canonical text rules of every platform; each connector imports its entry from here.

Hard limits come from ../shared/platforms.md; tone and notes are the house style the
caption adapters follow. Changing any of this changes the cached prompt prefix of every
brand (one cache write each), so edit it deliberately, not per request.
"""

from __future__ import annotations

from core.platform_rules import PlatformRules

DEFAULT_RULES: dict[str, PlatformRules] = {
    "bluesky": PlatformRules(
        platform="bluesky",
        label="Bluesky",
        caption_max=300,
        hashtags_max=3,
        hashtag_placement="inline",
        ideal_length=220,
        tone="conversational and direct, like a smart friend posting in public",
        notes=(
            "The limit is 300 graphemes, so every word must earn its place.",
            "Open with the point, not with a greeting or the brand name.",
            "Links are fine and become rich cards; hashtags are optional, at most three.",
        ),
    ),
    "facebook": PlatformRules(
        platform="facebook",
        label="Facebook Page",
        caption_max=63206,
        hashtags_max=3,
        ideal_length=400,
        tone="friendly and community-minded, a little longer and warmer than elsewhere",
        notes=(
            "Readers see about three lines before 'See more': lead with the story.",
            "A question or a clear invitation at the end helps comments.",
            "Links are clickable; hashtags matter little here, keep two or three at most.",
        ),
    ),
    "instagram": PlatformRules(
        platform="instagram",
        label="Instagram",
        caption_max=2200,
        hashtags_max=30,
        links_allowed=False,
        ideal_length=600,
        tone="visual, warm and energetic, written for people scrolling a feed",
        notes=(
            "Only the first ~125 characters show before '... more': hook the reader there.",
            "Links in captions are not clickable: say 'link in bio' instead of a URL.",
            "Short paragraphs separated by line breaks; emoji are welcome in moderation.",
            "Hashtags go together at the very end; at most 30, a focused 5 to 15 reads better.",
        ),
    ),
    "mastodon": PlatformRules(
        platform="mastodon",
        label="Mastodon",
        caption_max=500,
        hashtags_max=5,
        hashtag_placement="end",
        ideal_length=350,
        link_length=23,
        tone="plain, sincere and informative; the audience dislikes marketing speak",
        notes=(
            "Every link counts as 23 characters whatever its real length.",
            "Hashtags are how posts are found (there is no algorithm): use a few precise ones "
            "in CamelCase for screen readers.",
        ),
    ),
    "pinterest": PlatformRules(
        platform="pinterest",
        label="Pinterest",
        caption_max=500,
        hashtags_max=5,
        title_max=100,
        links_allowed=False,
        line_breaks=False,
        ideal_length=300,
        tone="helpful and descriptive, like a search result that inspires",
        notes=(
            "The description is searched: use the concrete words people would search for.",
            "Describe what is in the picture and why it is useful or beautiful.",
            "One paragraph, no line breaks; the pin's link is set separately, not in the text.",
        ),
    ),
    "telegram": PlatformRules(
        platform="telegram",
        label="Telegram channel",
        caption_max=1024,
        hashtags_max=5,
        length_unit="utf16",
        ideal_length=500,
        tone="concise and newsy, like a message from a channel people chose to follow",
        notes=(
            "The caption limit is 1,024 characters: one short paragraph or two.",
            "Links are clickable. Hashtags work as in-channel search: a few at the end.",
        ),
    ),
    "threads": PlatformRules(
        platform="threads",
        label="Threads",
        caption_max=500,
        hashtags_max=1,
        hashtag_placement="inline",
        length_unit="emoji_bytes",
        ideal_length=280,
        tone="casual, opinionated and human; start a conversation",
        notes=(
            "Threads allows one topic tag per post: use at most one hashtag.",
            "Emoji count as several characters toward the 500 limit: use them sparingly.",
        ),
    ),
    "tiktok": PlatformRules(
        platform="tiktok",
        label="TikTok",
        caption_max=2200,
        hashtags_max=8,
        length_unit="utf16",
        links_allowed=False,
        ideal_length=150,
        tone="punchy, playful and trend-aware; speak like a creator, not an advertiser",
        notes=(
            "Short beats long: one or two lines, then hashtags.",
            "Links are not clickable in TikTok captions: never include a URL.",
            "Three to six relevant hashtags at the end, mixing broad and niche.",
        ),
    ),
    "web": PlatformRules(
        platform="web",
        label="Web page and feed",
        caption_max=5000,
        hashtags_max=0,
        hashtag_placement="none",
        ideal_length=900,
        tone="clear, complete and well-written, like the brand's own blog",
        notes=(
            "Long-form is welcome: full sentences and paragraphs, no hashtags at all.",
            "This text appears on the brand's public page and in its RSS and JSON feeds.",
        ),
    ),
}
