"""A channel post whose answer was lost: the status says "unknown: check the channel" with
Mark as posted / Publish again, and each button does what it says (real bot, fake API)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import AuditLog, PublishTarget, TargetStatus
from tests.e2e.telegram.conftest import CHANNEL, Harness, button, link, owner_brand, person, private
from tests.support.media import make_jpeg


async def _unknown_status(h: Harness, tmp_path: Path) -> tuple[dict, dict]:
    """Publish a photo whose send takes effect and then answers 500; (person, status)."""
    _, _, code = await owner_brand(h)
    chat, ann = private(6001), person(6001)
    await link(h, chat, ann, code)
    photo = make_jpeg(tmp_path / "p.jpg").read_bytes()
    h.fake.user_message(chat, ann, photo=h.fake.photo_sizes(photo), caption="Rye day")
    card = await h.until(
        lambda: next(
            (m for m in h.fake.chat_messages(6001) if "Publish" in str(m.get("reply_markup"))), None
        ),
        "the card",
    )
    h.fake.fail_after_effect("sendPhoto", "after_effect_500")
    h.fake.tap(ann, card, button(card, "🚀 Publish"))
    status = await h.until(
        lambda: next(
            (
                m
                for m in h.fake.chat_messages(6001)
                if "unknown: check the channel" in m.get("text", "")
                and "Mark as posted" in str(m.get("reply_markup"))
            ),
            None,
        ),
        "the unknown status with its buttons",
        limit=60,
    )
    assert len([u for u in h.fake.uploads if u.chat_id == CHANNEL]) == 1
    return ann, status


@pytest.mark.parametrize("choice", ["mark", "again"])
async def test_unknown_channel_post_buttons(tg: Harness, tmp_path: Path, choice: str) -> None:
    h = tg
    ann, status = await _unknown_status(h, tmp_path)
    target = await PublishTarget.get(platform="telegram")
    assert target.status == TargetStatus.UNKNOWN

    async def published() -> bool:
        return await PublishTarget.exists(id=target.id, status=TargetStatus.PUBLISHED)

    if choice == "mark":
        h.fake.tap(ann, status, button(status, "✅ Mark as posted"))
        await h.until(lambda: "Marked as posted." in h.answers(), "the answer")
        await h.until(published, "published")
        assert len([u for u in h.fake.uploads if u.chat_id == CHANNEL]) == 1
        assert await AuditLog.filter(action="target.marked_posted").exists()
    else:
        h.fake.tap(ann, status, button(status, "🔁 Publish again"))
        await h.until(lambda: "Publishing again…" in h.answers(), "the answer")
        await h.until(published, "published again", limit=60)
        assert len([u for u in h.fake.uploads if u.chat_id == CHANNEL]) == 2
        assert await AuditLog.filter(action="target.publish_again").exists()
    await h.until(
        lambda: (
            h.fake.message(6001, status["message_id"])
            .get("text", "")
            .startswith("✅ Published everywhere")
        ),
        "the status edited to ✅",
    )
