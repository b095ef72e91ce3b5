"""TikTok's pure rules: chunk planning, privacy choice, title length, post links."""

from __future__ import annotations

import pytest

from connectors.tiktok import MB, choose_privacy, plan_chunks, post_url, utf16_len
from core.errors import ConnectorError


@pytest.mark.parametrize("size", [1, 4 * MB, 5 * MB - 1])
def test_under_five_mb_is_one_chunk(size: int) -> None:
    plan = plan_chunks(size)
    assert (plan.chunk_size, plan.total_chunk_count) == (size, 1)
    assert plan.ranges() == [(0, size - 1)]


def test_up_to_the_chunk_size_is_one_chunk() -> None:
    plan = plan_chunks(8 * MB, preferred=10 * MB)
    assert (plan.chunk_size, plan.total_chunk_count) == (8 * MB, 1)


def test_count_is_floor_and_the_last_chunk_takes_the_rest() -> None:
    size = 47 * MB + 123
    plan = plan_chunks(size, preferred=10 * MB)
    assert plan.chunk_size == 10 * MB and plan.total_chunk_count == 4
    ranges = plan.ranges()
    assert ranges[0] == (0, 10 * MB - 1)
    assert ranges[-1] == (30 * MB, size - 1)
    assert ranges[-1][1] - ranges[-1][0] + 1 == 17 * MB + 123
    assert sum(end - start + 1 for start, end in ranges) == size


@pytest.mark.parametrize("preferred,expected", [(1 * MB, 5 * MB), (500 * MB, 64 * MB)])
def test_preferred_size_is_clamped_to_5_64_mb(preferred: int, expected: int) -> None:
    plan = plan_chunks(300 * MB, preferred=preferred)
    assert plan.chunk_size == expected
    assert plan.total_chunk_count == 300 * MB // expected
    last = plan.ranges()[-1]
    assert last[1] - last[0] + 1 <= 128 * MB


def test_never_more_than_1000_chunks() -> None:
    size = 4 * 1024 * MB
    plan = plan_chunks(size, preferred=5 * MB)
    assert plan.total_chunk_count <= 1000
    assert 5 * MB <= plan.chunk_size <= 64 * MB


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValueError):
        plan_chunks(0)


def test_privacy_uses_the_brand_choice_when_offered() -> None:
    options = ["PUBLIC_TO_EVERYONE", "SELF_ONLY"]
    assert choose_privacy("PUBLIC_TO_EVERYONE", options) == "PUBLIC_TO_EVERYONE"


def test_privacy_falls_back_to_the_most_private_offered() -> None:
    assert choose_privacy("PUBLIC_TO_EVERYONE", ["FOLLOWER_OF_CREATOR", "SELF_ONLY"]) == "SELF_ONLY"
    assert (
        choose_privacy(None, ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS"])
        == "MUTUAL_FOLLOW_FRIENDS"
    )


def test_no_privacy_options_is_a_plain_error() -> None:
    with pytest.raises(ConnectorError) as raised:
        choose_privacy("SELF_ONLY", [])
    assert "privacy" in raised.value.user_message


def test_title_counts_utf16_units() -> None:
    assert utf16_len("café") == 4
    assert utf16_len("☕") == 1
    assert utf16_len("😀") == 2


def test_post_links() -> None:
    web = "https://www.tiktok.com"
    assert (
        post_url(web, "acme", "v_pub_file~v2-1.1", "73") == "https://www.tiktok.com/@acme/video/73"
    )
    assert post_url(web, "acme", "p_pub_url~v2.1", "74") == "https://www.tiktok.com/@acme/photo/74"
    assert post_url(web, "acme", "v_pub_file~v2-1.1", None) == "https://www.tiktok.com/@acme"
