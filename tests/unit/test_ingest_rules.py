"""The pure rules of ingest: permalinks, the first-sync window, the summary, default ticks."""

from __future__ import annotations

import time

import pytest

from connectors._instagram_posts import media_page, source_post
from core.ingest import normalise_permalink
from core.ingest_sync import recent_window, summary_text
from core.models import AssetKind, AssetSource, MediaAsset, SocialAccount
from core.ports.post_source import SourcePost
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


def _post(age: float, now: float) -> SourcePost:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(now - age))
    return source_post({"id": str(int(age)), "timestamp": stamp})


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
    assert items[0]["posted_at"] == pytest.approx(now - 60, abs=1)
    assert source_post({"id": "1", "timestamp": "yesterday"})["posted_at"] is None


def test_instagram_media_become_posts_with_every_file() -> None:
    page = media_page(
        {
            "data": [
                {
                    "id": "1",
                    "media_type": "CAROUSEL_ALBUM",
                    "caption": "two",
                    "permalink": "https://www.instagram.com/p/A1/",
                    "children": {
                        "data": [
                            {"media_type": "IMAGE", "media_url": "https://cdn/1.jpg"},
                            {
                                "media_type": "VIDEO",
                                "media_url": "https://cdn/2.mp4",
                                "thumbnail_url": "https://cdn/2.jpg",
                            },
                        ]
                    },
                },
                {"id": "2", "media_type": "VIDEO", "media_url": "https://cdn/3.mp4"},
                {"caption": "no id: not a post"},
            ],
            "paging": {"cursors": {"after": "QVF"}, "next": "https://graph/next"},
        }
    )
    album, video = page.posts
    assert album["carousel"] and [f["kind"] for f in album["files"]] == ["IMAGE", "VIDEO"]
    assert album["files"][1]["cover_url"] == "https://cdn/2.jpg"
    assert album["caption"] == "two" and album["permalink"].endswith("/p/A1/")
    assert not video["carousel"] and video["files"] == [
        {"kind": "VIDEO", "url": "https://cdn/3.mp4", "cover_url": None}
    ]
    assert page.after == "QVF"
    last = media_page({"data": [], "paging": {"cursors": {"after": "QVF"}}})  # no `next`
    assert last.after is None and last.posts == []


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
