"""Publish → ingest → card: a post we published never comes back, and no card offers an item
back to the network it came from (Telegram card, Slack card, the web asset page)."""

from __future__ import annotations

import re

from core.intake import file_chunks, ingest_media
from core.models import AssetSource, MediaAsset, PublishJob, PublishTarget, SlackCard, TelegramCard
from core.publishing import create_job
from core.tenancy import BrandScope
from tests.e2e.ingest.conftest import CHANNEL, CHAT, World

ENDED = ("published", "partial", "failed", "cancelled")


async def test_published_post_is_not_ingested_and_cards_skip_the_source(world: World) -> None:
    w = world
    user, brand, browser = await w.owner()
    await w.link_slack(brand, user)
    await w.connect_instagram(browser, brand)
    services = w.services

    # publish a photo to Instagram through the real runner
    asset = await ingest_media(
        services.settings,
        brand=brand,
        chunks=file_chunks(w.tmp / "post.jpg"),
        file_name="latte.jpg",
        caption="Latte art Friday",
        actor=user,
        origin="test",
    )
    job, _ = await create_job(
        BrandScope(user),
        asset=asset,
        platforms=["instagram"],
        known_platforms=services.connectors.platforms(),
        captions={},
        origin="test",
    )
    await services.queue.start_job(job.id)
    job = await w.until(
        lambda: PublishJob.get_or_none(id=job.id, status__in=ENDED), "the publish job", limit=90
    )
    assert job.status == "published"
    target = await PublishTarget.get(job_id=job.id)
    [post] = w.meta.posts("instagram")
    assert post["id"] == target.external_id
    mine = await MediaAsset.all().count()

    # ingest from the same account: our own post is not taken back
    await w.scheduled_ingest()
    assert await MediaAsset.all().count() == mine
    assert not await MediaAsset.exists(source=AssetSource.INSTAGRAM, source_id=post["id"])

    # known only by a link written differently (a reel path, no www, a share query)
    code = post["permalink"].rstrip("/").rsplit("/", 1)[-1]
    await PublishTarget.filter(id=target.id).update(
        external_id="container-17", external_url=f"https://instagram.com/reel/{code}/?igsh=x1"
    )
    await w.scheduled_ingest()
    assert await MediaAsset.all().count() == mine

    # a genuinely new post arrives as cards that leave Instagram unticked
    new_id = w.seed("Cold brew season", 30)
    await w.scheduled_ingest()
    fresh = await w.until(lambda: MediaAsset.get_or_none(source_id=new_id), "the new post")
    tg = await w.until(
        lambda: TelegramCard.get_or_none(
            asset_id=fresh.id, chat_id=str(CHAT), message_id__isnull=False
        ),
        "its card",
    )
    assert "instagram" in tg.platforms and "web" in tg.platforms
    assert "instagram" not in tg.selected and "web" in tg.selected
    buttons = [
        b["text"]
        for row in w.telegram.message(CHAT, tg.message_id)["reply_markup"]["inline_keyboard"]
        for b in row
    ]
    assert "▫️ Instagram" in buttons and any(b.startswith("✅ ") for b in buttons), buttons

    sc = await w.until(
        lambda: SlackCard.get_or_none(asset_id=fresh.id, message_ts__isnull=False), "slack card"
    )
    assert "instagram" not in sc.selected and "web" in sc.selected
    boxes = [
        e
        for b in w.slack.messages[(CHANNEL, sc.message_ts)]["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["type"] == "checkboxes"
    ]
    ticked = {o["value"] for o in boxes[0].get("initial_options", [])}
    assert "instagram" not in ticked and "web" in ticked

    page = await browser.get(f"/brands/{brand.id}/assets/{fresh.id}")
    assert re.search(r'value="instagram" data-platform', page.text), "instagram is ticked"
    assert re.search(r'value="web" checked data-platform', page.text)
    assert 'data-source-note="instagram"' in page.text
    await browser.aclose()
