"""Enforcement after any adapter: limits, boundaries, hashtags, forbidden phrases, empties."""

from __future__ import annotations

import dataclasses
import re

import pytest

from core.ai.enforce import (
    EmptyCaption,
    count_hashtags,
    enforce_caption,
    find_forbidden,
    measure,
    remove_forbidden,
    split_trailing_hashtags,
    truncate,
)
from core.ai.style_rules import DEFAULT_RULES

SENTENCE = "Our new linen shirts are here, cut for hot city days and cool evenings. "


@pytest.mark.parametrize("platform", sorted(DEFAULT_RULES))
def test_3000_characters_fit_every_platform_at_a_boundary(platform: str) -> None:
    rules = DEFAULT_RULES[platform]
    text = (SENTENCE * 60)[:3000] + "\n\n#linen #summer #citystyle"
    out = enforce_caption(text, rules, default_hashtags=["#acme"])
    assert measure(out, rules) <= rules.caption_max
    body, _ = split_trailing_hashtags(out)
    words = set(SENTENCE.replace(",", "").replace(".", "").split())
    last = body.rstrip("….").split()[-1].rstrip(",")
    assert last in words  # a whole word, never a fragment
    for tag in re.findall(r"#\w+", out):
        assert tag in {"#linen", "#summer", "#citystyle", "#acme"}


def test_cut_prefers_a_sentence_end() -> None:
    rules = dataclasses.replace(DEFAULT_RULES["bluesky"], caption_max=100)
    out = truncate(SENTENCE * 3, 100, rules)
    assert out.endswith("evenings.")
    assert len(out) <= 100


def test_cut_at_a_word_with_an_ellipsis_when_no_sentence_end() -> None:
    rules = dataclasses.replace(DEFAULT_RULES["bluesky"], caption_max=50)
    out = truncate("word " * 40, 50, rules)
    assert out.endswith("word…") and len(out) <= 50


def test_never_half_a_hashtag() -> None:
    rules = dataclasses.replace(DEFAULT_RULES["telegram"], caption_max=30)
    assert truncate("#" + "a" * 60, 30, rules) == ""
    out = enforce_caption("Fresh bread today " + "#sourdoughbakinglove " * 5, rules)
    assert all(tag == "#sourdoughbakinglove" for tag in re.findall(r"#\w+", out))


def test_hashtags_merged_without_duplicates_within_the_limit() -> None:
    rules = DEFAULT_RULES["telegram"]  # at most 5
    out = enforce_caption(
        "Hello #Summer, it is here.\n\n#linen #Summer",
        rules,
        default_hashtags=["linen", "#acme", "#one", "#two", "#three"],
    )
    tags = re.findall(r"#\w+", out)
    assert len(tags) == 5
    assert len({t.casefold() for t in tags}) == 5
    assert out.startswith("Hello #Summer, it is here.\n\n#linen #acme")


def test_instagram_keeps_30_hashtags_at_most() -> None:
    text = "Look at this. " + " ".join(f"#tag{i}" for i in range(40))
    out = enforce_caption(text, DEFAULT_RULES["instagram"])
    assert count_hashtags(out) == 30


def test_platform_without_hashtags_gets_none() -> None:
    out = enforce_caption(
        "A long story about #linen.\n\n#summer", DEFAULT_RULES["web"], default_hashtags=["#acme"]
    )
    assert "#" not in out and "linen" in out


def test_threads_allows_one_hashtag() -> None:
    out = enforce_caption(
        "Summer is #here and #now", DEFAULT_RULES["threads"], default_hashtags=["#acme"]
    )
    assert count_hashtags(out) == 1


def test_links_removed_where_not_allowed() -> None:
    out = enforce_caption("Shop now at https://acme.example/shop today!", DEFAULT_RULES["tiktok"])
    assert "http" not in out and out == "Shop now at today!"


def test_forbidden_phrases_removed_in_any_case_and_in_hashtags() -> None:
    text = "The CHEAPEST deal, best   price ever! #cheapest #linen"
    forbidden = ["cheapest", "best price"]
    assert find_forbidden(text, forbidden) == forbidden
    out = remove_forbidden(text, forbidden)
    assert find_forbidden(out, forbidden) == []
    assert out == "The deal, ever! #linen"


def test_forbidden_phrase_does_not_match_inside_other_words() -> None:
    assert find_forbidden("a scarf on sale", ["car"]) == []


@pytest.mark.parametrize("text", ["", "   \n\t ", "#onlytags #here", "cheap"])
def test_empty_output_rejected(text: str) -> None:
    with pytest.raises(EmptyCaption):
        enforce_caption(
            text, DEFAULT_RULES["instagram"], default_hashtags=["#acme"], forbidden=["cheap"]
        )


def test_units_utf16_emoji_and_links() -> None:
    assert measure("😀", DEFAULT_RULES["telegram"]) == 2
    assert measure("😀a", DEFAULT_RULES["threads"]) == 5
    assert (
        measure("see https://example.com/a/very/long/path/indeed", DEFAULT_RULES["mastodon"])
        == 4 + 23
    )
    out = enforce_caption("😀" * 600, DEFAULT_RULES["telegram"])
    assert measure(out, DEFAULT_RULES["telegram"]) <= 1024


def test_single_paragraph_platform_has_no_line_breaks() -> None:
    out = enforce_caption("One.\n\nTwo.\n#tag", DEFAULT_RULES["pinterest"])
    assert "\n" not in out
