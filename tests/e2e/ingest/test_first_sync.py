"""Connecting Instagram syncs at once, imports only recent posts, and says so once."""

from __future__ import annotations

from core.models import AssetSource, AuditLog, MediaAsset, SlackCard, TelegramCard
from tests.e2e.ingest.conftest import CHANNEL, DAY, HOUR, World


async def test_first_sync_imports_three_recent_posts_with_one_summary(world: World) -> None:
    w = world
    user, brand, browser = await w.owner()
    await w.link_slack(brand, user)
    ages = [k * HOUR for k in range(1, 8)] + [8 * DAY, 9 * DAY, 10 * DAY]
    for number, age in enumerate(ages, start=1):
        w.seed(f"Old post {number}", age)  # post 1 is the newest

    account = await w.connect_instagram(browser, brand)

    imported = await MediaAsset.filter(brand_id=brand.id, parent_id__isnull=True).order_by("id")
    assert [a.original_caption for a in imported] == ["Old post 3", "Old post 2", "Old post 1"]
    assert all(a.source == AssetSource.INSTAGRAM for a in imported)
    # one summary in each linked chat, no card per post, no AI call
    texts = w.chat_texts()
    assert len(texts) == 1, texts
    assert "Imported 3 recent posts from @acme.coffee into the inbox" in texts[0]
    assert f'/brands/{brand.id}/inbox">open the inbox</a>' in texts[0]
    slack_texts = [m["text"] for m in w.slack.in_channel(CHANNEL)]
    assert len(slack_texts) == 1, slack_texts
    assert "Imported 3 recent posts from @acme.coffee into the inbox" in slack_texts[0]
    assert f"/brands/{brand.id}/inbox|open the inbox>" in slack_texts[0]
    assert await TelegramCard.filter(brand_id=brand.id).count() == 0
    assert await SlackCard.filter(brand_id=brand.id).count() == 0
    assert w.ai.requests == []
    row = await AuditLog.get(action="ingest.first_sync", object_id=str(account.id))
    assert row.details["imported"] == 3

    # the scheduled run later: the seven older posts stay out, nothing more is said
    assert await w.scheduled_ingest() == 1
    assert await MediaAsset.filter(brand_id=brand.id).count() == 3
    assert len(w.chat_texts()) == 1
    assert w.ai.requests == []

    # a post published after connecting arrives as a card (captions made for it then)
    w.seed("Brand new latte", 5)
    await w.scheduled_ingest()
    fresh = await w.until(
        lambda: MediaAsset.get_or_none(original_caption="Brand new latte"), "the new post"
    )
    card = await w.until(
        lambda: TelegramCard.get_or_none(asset_id=fresh.id, message_id__isnull=False), "its card"
    )
    assert "instagram" in card.platforms and "instagram" not in card.selected
    assert w.ai.requests, "the card's captions are made when the card is shown"
    await browser.aclose()


async def test_first_sync_of_an_account_without_recent_posts_says_so(world: World) -> None:
    w = world
    _, brand, browser = await w.owner()
    w.seed("Last summer", 40 * DAY)

    await w.connect_instagram(browser, brand)

    assert await MediaAsset.filter(brand_id=brand.id).count() == 0
    texts = w.chat_texts()
    assert len(texts) == 1 and "no posts from the last 7 days to import" in texts[0], texts
    # the old post never comes in later either
    await w.scheduled_ingest()
    assert await MediaAsset.filter(brand_id=brand.id).count() == 0
    await browser.aclose()
