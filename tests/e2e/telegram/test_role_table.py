"""The one role table holds in the bot: an approver in a linked group may not upload or
publish (the table's own words, nothing stored) but approves; a group role Slack refuses
(admin) is refused here too."""

from __future__ import annotations

from pathlib import Path

from core.app.members import ONLY_LINKER
from core.models import AuditLog, BrandMember, JobStatus, MediaAsset, PublishJob, Role
from tests.e2e.telegram.conftest import Harness, button, link, owner_brand, person
from tests.support.media import make_jpeg

GROUP = {"id": -4501, "type": "group", "title": "Acme team"}


def card_in(h: Harness, marker: str) -> dict | None:
    """The newest message in the group whose buttons mention `marker`."""
    return next(
        (
            m
            for m in reversed(h.fake.chat_messages(GROUP["id"]))
            if marker in str(m.get("reply_markup"))
        ),
        None,
    )


def said(h: Harness, text: str) -> bool:
    """Whether the bot wrote `text` in the group."""
    return any(text in m.get("text", "") for m in h.fake.chat_messages(GROUP["id"]))


async def test_an_approver_neither_uploads_nor_publishes_but_approves(
    tg: Harness, tmp_path: Path
) -> None:
    h = tg
    _, brand, code = await owner_brand(h, channel=False)
    brand.approval_required = True
    await brand.save()
    olga, ed, ann = person(8501, "Olga"), person(8502, "Ed"), person(8503, "Ann")
    await link(h, GROUP, olga, code)
    jpeg = make_jpeg(tmp_path / "a.jpg").read_bytes()

    h.fake.user_message(GROUP, ed, photo=h.fake.photo_sizes(jpeg))  # an editor by default
    card = await h.until(lambda: card_in(h, "Publish"), "Ed's card")

    brand.settings = {**(brand.settings or {}), "telegram_group_role": "approver"}
    await brand.save()
    h.fake.user_message(GROUP, ann, photo=h.fake.photo_sizes(jpeg + b"\0"))
    await h.until(
        lambda: said(h, "Only the brand's editors can add media."),
        "the role table's refusal of the upload",
    )
    assert await MediaAsset.filter(brand_id=brand.id).count() == 1  # Ed's only
    assert not said(h, "receiving the file")  # refused before anything was received
    member = await BrandMember.get(brand_id=brand.id, user__display_name="Ann")
    assert member.role == Role.APPROVER

    before = len(h.answers())
    h.fake.tap(ann, card, button(card, "✅ Web feed"))
    h.fake.tap(ann, card, button(card, "🚀 Publish"))
    await h.until(lambda: len(h.answers()) >= before + 2, "both taps answered")
    assert h.answers()[before:] == ["Only the brand's editors can publish."] * 2
    assert not await PublishJob.filter(brand_id=brand.id).exists()
    assert "🚀 Publish (1)" in str(
        h.fake.message(GROUP["id"], card["message_id"]).get("reply_markup")
    ), "the toggle did not change"

    h.fake.tap(ed, card, button(card, "🚀 Publish"))
    approval = await h.until(lambda: card_in(h, "Approve"), "the approval card")
    h.fake.tap(ann, approval, button(approval, "✅ Approve"))
    await h.until(lambda: said(h, "✅ Published everywhere"), "published after approval", limit=60)
    job = await PublishJob.get(brand_id=brand.id)
    assert job.status == JobStatus.PUBLISHED
    assert await AuditLog.exists(action="job.approved", origin="telegram")


async def test_a_group_role_slack_refuses_is_refused(tg: Harness, tmp_path: Path) -> None:
    h = tg
    _, brand, code = await owner_brand(h, channel=False)
    brand.settings = {**(brand.settings or {}), "telegram_group_role": "admin"}
    await brand.save()
    olga, zed = person(8511, "Olga"), person(8512, "Zed")
    await link(h, GROUP, olga, code)
    h.fake.user_message(
        GROUP, zed, photo=h.fake.photo_sizes(make_jpeg(tmp_path / "z.jpg").read_bytes())
    )
    await h.until(lambda: said(h, ONLY_LINKER), "the refusal")
    assert await BrandMember.filter(brand_id=brand.id).count() == 1  # the owner only
    assert not await MediaAsset.filter(brand_id=brand.id).exists()
