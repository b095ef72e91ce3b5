"""Edit caption, albums, approval by an approver, 429 back-off, and the webhook route."""

from __future__ import annotations

from pathlib import Path

import httpx

from core.models import AssetKind, JobStatus, MediaAsset, PublishJob, PublishTarget
from tests.e2e.telegram.conftest import CHANNEL, Harness, button, link, owner_brand, person, private
from tests.support.media import make_jpeg


def card_in(h: Harness, chat_id: int, marker: str = "Publish") -> dict | None:
    return next(
        (m for m in h.fake.chat_messages(chat_id) if marker in str(m.get("reply_markup"))), None
    )


async def test_edit_caption_then_album_publish_with_429(tg: Harness, tmp_path: Path) -> None:
    h = tg
    _, brand, code = await owner_brand(h)
    chat, ann = private(8001), person(8001)
    await link(h, chat, ann, code)
    jpeg = make_jpeg(tmp_path / "a.jpg").read_bytes()
    group = {"media_group_id": "album-1"}
    h.fake.user_message(chat, ann, photo=h.fake.photo_sizes(jpeg), caption="Our new mugs", **group)
    h.fake.user_message(chat, ann, photo=h.fake.photo_sizes(jpeg + b"\0"), **group)
    card = await h.until(lambda: card_in(h, 8001), "the album card")
    assert "album of 2" in card["text"]
    parent = await MediaAsset.get(kind=AssetKind.CAROUSEL, brand_id=brand.id)
    assert await MediaAsset.filter(parent_id=parent.id).count() == 2

    h.fake.tap(ann, card, button(card, "✏️ Edit caption"))
    await h.until(
        lambda: (
            "✏️ Telegram channel"
            in str(h.fake.message(8001, card["message_id"]).get("reply_markup"))
        ),
        "the edit menu",
    )
    menu = h.fake.message(8001, card["message_id"])
    h.fake.tap(ann, menu, button(menu, "✏️ Telegram channel"))
    await h.until(lambda: "Send the new" in h.last_text(8001), "the prompt")
    h.fake.user_message(chat, ann, text="Mugs are back, two colours. #mugs")
    await h.until(lambda: "caption updated" in h.last_text(8001), "the override")
    assert "Mugs are back" in h.fake.message(8001, card["message_id"])["text"]

    card = h.fake.message(8001, card["message_id"])
    # the web feed shows one media item per post: publish the album to the channel only
    h.fake.tap(ann, card, button(card, "✅ Web feed"))
    await h.until(
        lambda: (
            "🚀 Publish (1)" in str(h.fake.message(8001, card["message_id"]).get("reply_markup"))
        ),
        "toggle off",
    )
    h.fake.fail_next("editMessageText", retry_after=1, times=1)
    card = h.fake.message(8001, card["message_id"])
    h.fake.tap(ann, card, button(card, "🚀 Publish"))
    await h.until(
        lambda: any(
            m.get("text", "").startswith("✅ Published everywhere")
            for m in h.fake.chat_messages(8001)
        ),
        "published",
        limit=60,
    )
    album = [u for u in h.fake.uploads if u.chat_id == CHANNEL]
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "Mugs are back, two colours. #mugs"


async def test_group_member_needs_approval_and_owner_approves(tg: Harness, tmp_path: Path) -> None:
    h = tg
    _, brand, code = await owner_brand(h, channel=False)
    brand.approval_required = True
    await brand.save()
    group = {"id": -4001, "type": "group", "title": "Acme team"}
    owner, editor = person(8101, "Olga"), person(8102, "Ed")
    await link(h, group, owner, code)
    h.fake.user_message(
        group, editor, photo=h.fake.photo_sizes(make_jpeg(tmp_path / "b.jpg").read_bytes())
    )
    card = await h.until(lambda: card_in(h, -4001), "the card")
    h.fake.tap(editor, card, button(card, "🚀 Publish"))
    approval = await h.until(lambda: card_in(h, -4001, "Approve"), "the approval card")
    await h.until(
        lambda: any(
            m.get("text", "").startswith("🕒 Sent for approval")
            for m in h.fake.chat_messages(-4001)
        ),
        "sent for approval",
    )
    job = await PublishJob.get(brand_id=brand.id)
    assert job.status == JobStatus.AWAITING_APPROVAL

    h.fake.tap(editor, approval, button(approval, "✅ Approve"))  # an editor cannot approve
    await h.until(lambda: any("approvers" in a for a in h.answers()), "refusal")
    h.fake.tap(owner, approval, button(approval, "✅ Approve"))
    await h.until(
        lambda: (
            len(
                [
                    m
                    for m in h.fake.chat_messages(-4001)
                    if m.get("text", "").startswith("✅ Published everywhere")
                ]
            )
            == 2
        ),
        "both statuses",
        limit=60,
    )
    target = await PublishTarget.get(job_id=job.id)
    assert target.status == "published"


async def test_webhook_checks_the_secret(tg: Harness) -> None:
    from pydantic import SecretStr

    from tests.support.server import live_app

    h = tg
    await h.bot.stop()  # the webhook bot of the web app takes over
    h.settings.telegram_webhook_secret = SecretStr("s3cret-token")
    _, _, code = await owner_brand(h, channel=False)
    async with live_app(h.settings) as base, httpx.AsyncClient(base_url=base) as web:
        assert h.fake.webhook["secret_token"] == "s3cret-token"
        update = {
            "update_id": 99,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": private(8201),
                "from": person(8201),
                "text": f"/start {code}",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        bad = await web.post(
            "/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        )
        assert bad.status_code == 403
        ok = await web.post(
            "/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"},
        )
        assert ok.status_code == 200
        await h.until(lambda: "linked to" in h.last_text(8201), "webhook update handled")
