"""The pure rules of ingest: permalinks, the first-sync window, the summary, default ticks."""

from __future__ import annotations

import time

import pytest

from core.ingest import normalise_permalink, post_time
from core.ingest_sync import recent_window, summary_text
from core.models import AssetKind, AssetSource, MediaAsset, SocialAccount
from core.publishing import default_platforms

DAY = 86400.0


@pytest.mark.parametrize(
    "link",
    [
        "https://www.instagram.com/p/Cx1_aB-9/",
        "https://instagram.com/p/Cx1_aB-9",
        "https://www.instagram.com/reel/Cx1_aB-9/?igsh=MTc4MmM1YmI2Ng==",
        "http://m.instagram.com/tv/Cx1_aB-9#comments",
        "https://www.instagram.com/acme/p/Cx1_aB-9/",
        " https://WWW.Instagram.com/reels/Cx1_aB-9/ ",
    ],
)
def test_permalinks_of_one_post_normalise_alike(link: str) -> None:
    assert normalise_permalink(link) == "instagram.com/p/Cx1_aB-9"


def test_shortcodes_keep_their_case_and_other_links_stay_apart() -> None:
    assert normalise_permalink("https://instagram.com/p/abc/") != normalise_permalink(
        "https://instagram.com/p/ABC/"
    )
    assert normalise_permalink("https://instagram.com/acme/") == "instagram.com/acme"
    assert normalise_permalink("") == ""


def _post(age: float, now: float) -> dict[str, object]:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(now - age))
    return {"id": str(int(age)), "timestamp": stamp}


def test_first_sync_window_takes_the_newest_posts_within_the_days() -> None:
    now = time.time()
    items = [_post(age, now) for age in (60, 3600, 2 * DAY, 6 * DAY, 8 * DAY)]  # newest first
    assert [i["id"] for i in recent_window(items, posts=3, days=7, now=now)] == [
        "60",
        "3600",
        str(int(2 * DAY)),
    ]
    assert len(recent_window(items, posts=10, days=7, now=now)) == 4
    assert len(recent_window(items, posts=10, days=0, now=now)) == 5  # 0 days: any age
    assert recent_window(items, posts=0, days=7, now=now) == []
    assert post_time(items[0]) == pytest.approx(now - 60, abs=1)
    assert post_time({"timestamp": "yesterday"}) is None


def test_summary_words() -> None:
    account = SocialAccount(platform="instagram", external_id="1789", meta={"username": "acme"})
    assert summary_text(account, 3, 7) == "Imported 3 recent posts from @acme into the inbox"
    assert summary_text(account, 1, 7) == "Imported 1 recent post from @acme into the inbox"
    assert "no posts from the last 7 days to import" in summary_text(account, 0, 7)
    assert "no posts to import" in summary_text(account, 0, 0)


def test_cards_never_tick_the_network_an_item_came_from() -> None:
    offered = ["instagram", "facebook", "web"]
    repost = MediaAsset(source=AssetSource.INSTAGRAM, kind=AssetKind.IMAGE)
    upload = MediaAsset(source=AssetSource.UPLOAD, kind=AssetKind.IMAGE)
    from_bot = MediaAsset(source=AssetSource.TELEGRAM, kind=AssetKind.IMAGE)
    assert default_platforms(repost, offered) == ["facebook", "web"]
    assert default_platforms(upload, offered) == offered
    assert default_platforms(from_bot, ["telegram", "web"]) == ["telegram", "web"]
