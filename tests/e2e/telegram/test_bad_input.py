"""Each bad input gets a short answer and leaves nothing behind; nothing breaks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.models import MediaAsset, PublishJob
from tests.e2e.telegram.conftest import Harness, button, link, owner_brand, person, private
from tests.support.media import make_fake_mp4, make_jpeg


async def test_unlinked_chat_gets_an_explanation_and_nothing_is_created(tg: Harness) -> None:
    h = tg
    h.fake.user_message(private(7001), person(7001), photo=h.fake.photo_sizes(b"x" * 100))
    await h.until(lambda: "not linked" in h.last_text(7001), "the explanation")
    assert await MediaAsset.all().count() == 0
    assert not h.fake.calls_of("getFile")
    h.fake.user_message(private(7001), person(7001), text="/start WRONGCODE")
    await h.until(lambda: "unknown, used or expired" in h.last_text(7001), "a refused code")


async def test_too_large_unsupported_and_fake_media(tg: Harness, tmp_path: Path) -> None:
    h = tg
    _, _, code = await owner_brand(h, channel=False)
    chat, ann = private(7002), person(7002)
    await link(h, chat, ann, code)

    big = h.fake.add_file(None, name="long.mp4", size=25 * 1024 * 1024)
    h.fake.user_message(
        chat,
        ann,
        video={
            "file_id": big.file_id,
            "file_unique_id": "b",
            "width": 1,
            "height": 1,
            "duration": 60,
            "file_size": big.size,
        },
    )
    await h.until(lambda: "20 MB" in h.last_text(7002), "the size limit message")
    text = h.last_text(7002)
    assert "web page" in text and "local Bot API server" in text

    # the size unknown in the message: the real getFile refuses, same answer
    hidden = h.fake.add_file(None, name="long2.mp4", size=21 * 1024 * 1024)
    h.fake.user_message(
        chat,
        ann,
        document={
            "file_id": hidden.file_id,
            "file_unique_id": "c",
            "mime_type": "video/mp4",
            "file_name": "x.mp4",
        },
    )
    await h.until(
        lambda: len([m for m in h.fake.chat_messages(7002) if "20 MB" in m.get("text", "")]) == 2,
        "getFile refusal",
    )

    pdf = h.fake.add_file(b"%PDF-1.4", name="menu.pdf")
    h.fake.user_message(
        chat,
        ann,
        document={
            "file_id": pdf.file_id,
            "file_unique_id": "d",
            "mime_type": "application/pdf",
            "file_name": "menu.pdf",
        },
    )
    await h.until(lambda: "menu.pdf" in h.last_text(7002), "unsupported file")

    fake = make_fake_mp4(tmp_path / "fake.mp4").read_bytes()
    h.fake.user_message(chat, ann, video=h.fake.video_file(fake, name="fake.mp4"))
    await h.until(lambda: h.last_text(7002).startswith("❌"), "a rejected fake video")
    assert await MediaAsset.all().count() == 0


async def test_forged_stale_foreign_and_deleted(tg: Harness, tmp_path: Path) -> None:
    h = tg
    _, _, code = await owner_brand(h, channel=False)
    _, _, other_code = await owner_brand(
        h, email="other@example.com", name="Other Co", channel=False
    )
    ann, bob = person(7003), person(7004, "Bob")
    await link(h, private(7003), ann, code)
    await link(h, private(7004), bob, other_code)
    jpeg = make_jpeg(tmp_path / "p.jpg").read_bytes()
    h.fake.user_message(private(7003), ann, photo=h.fake.photo_sizes(jpeg))
    card = await h.until(
        lambda: next(
            (m for m in h.fake.chat_messages(7003) if "Publish" in str(m.get("reply_markup"))), None
        ),
        "the card",
    )
    publish = button(card, "🚀 Publish")

    h.fake.tap(ann, card, "complete-garbage")
    h.fake.tap(ann, card, "k:p:999999:")
    h.fake.tap(ann, card, "k:zz:1:" + "x" * 40)
    # Bob replays Ann's button from his own chat (another brand)
    h.fake.tap(bob, {**card, "chat": private(7004)}, publish)
    await h.until(lambda: len(h.answers()) >= 4, "four answers")
    answers = h.answers()
    assert sum("no longer" in a for a in answers) == 4, answers

    asset = await MediaAsset.get(kind="image")
    asset.deleted_at = datetime.now(UTC)
    await asset.save()
    h.fake.tap(ann, card, publish)
    await h.until(lambda: any("deleted" in a for a in h.answers()), "deleted answer")
    assert await PublishJob.all().count() == 0

    # the bot still works afterwards
    h.fake.user_message(private(7003), ann, text="/help")
    await h.until(lambda: "Send me a photo" in h.last_text(7003), "help after the mess")
