"""Link, send a real video, toggle, publish: the channel gets H.264 with its caption."""

from __future__ import annotations

import io
from pathlib import Path

import av

from core.models import MediaAsset, PublishJob, PublishTarget
from tests.e2e.telegram.conftest import CHANNEL, Harness, button, link, owner_brand, person, private
from tests.support.media import make_mp4


async def test_video_to_web_and_channel(tg: Harness, tmp_path: Path) -> None:
    h = tg
    _, brand, code = await owner_brand(h)
    chat, ann = private(5001), person(5001)
    await link(h, chat, ann, code)

    video = make_mp4(tmp_path / "clip.mp4", seconds=2).read_bytes()
    h.fake.user_message(
        chat,
        ann,
        video=h.fake.video_file(video),
        caption="Fresh roast today! Come by the shop on Main Street.",
    )
    card = await h.until(
        lambda: next(
            (m for m in h.fake.chat_messages(5001) if "Publish" in str(m.get("reply_markup"))), None
        ),
        "the card",
    )
    assert "blockquote expandable" in card["text"]
    assert "Telegram channel" in card["text"] and "Web feed" in card["text"]
    assert card["text"].count("✅") == 2

    # toggle the web feed off and on again: the card follows
    h.fake.tap(ann, card, button(card, "✅ Web feed"))
    await h.until(
        lambda: "▫️ Web feed" in str(h.fake.message(5001, card["message_id"]).get("reply_markup")),
        "toggle off",
    )
    card = h.fake.message(5001, card["message_id"])
    assert "🚀 Publish (1)" in str(card["reply_markup"])
    h.fake.tap(ann, card, button(card, "▫️ Web feed"))
    await h.until(
        lambda: (
            "🚀 Publish (2)" in str(h.fake.message(5001, card["message_id"]).get("reply_markup"))
        ),
        "toggle on",
    )
    card = h.fake.message(5001, card["message_id"])

    # a double tap on Publish makes one job
    data = button(card, "🚀 Publish")
    h.fake.tap(ann, card, data)
    h.fake.tap(ann, card, data)
    status = await h.until(
        lambda: next(
            (
                m
                for m in h.fake.chat_messages(5001)
                if m.get("text", "").startswith("✅ Published everywhere")
            ),
            None,
        ),
        "the status message to end in ✅",
        limit=60,
    )
    assert await PublishJob.filter(brand_id=brand.id).count() == 1
    assert status["text"].count("✅") == 3  # header + web + telegram
    assert "t.me/acmenews/" in status["text"]
    statuses = [
        m for m in h.fake.chat_messages(5001) if "Publish" in m.get("text", "") and m is not card
    ]
    assert len([m for m in statuses if m.get("text", "").startswith(("✅ Pub", "🚀 Pub"))]) == 1

    uploads = [u for u in h.fake.uploads if u.chat_id == CHANNEL]
    assert len(uploads) == 1 and uploads[0].kind == "video"
    target = await PublishTarget.get(platform="telegram", brand_id=brand.id)
    assert uploads[0].caption == target.caption and target.caption
    with av.open(io.BytesIO(uploads[0].data)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    asset = await MediaAsset.get(brand_id=brand.id)
    assert asset.source == "telegram"
    # every status edit was spaced by the minimum interval
    edits = [
        c.at
        for c in h.fake.calls_of("editMessageText")
        if str(c.params.get("message_id")) == str(status["message_id"])
    ]
    assert all(b - a >= 0.29 for a, b in zip(edits, edits[1:], strict=False))
