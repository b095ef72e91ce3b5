"""The role table holds in Slack: an approver approves or rejects, never adds media or publishes."""

from __future__ import annotations

import asyncio
import copy

from core.brands import issue_link_code
from core.models import (
    BrandMember,
    JobStatus,
    MediaAsset,
    PublishJob,
    Role,
    SlackCard,
    SlackFile,
    WebPost,
)
from core.users import create_user
from tests.e2e.slack.conftest import CHANNEL, EDITOR, SlackHarness
from tests.e2e.slack.test_approve_publish import texts
from tests.e2e.slack.test_uploads_install import file_message
from tests.support.media import make_jpeg

APPROVER = EDITOR  # a channel person who never linked: the brand gives its channel `approver`
WRITER = "U0WRITER1"  # links a code an editor of the brand made: acts as that editor


async def test_an_approver_approves_but_adds_no_media_and_publishes_nothing(
    slack: SlackHarness,
) -> None:
    h = slack
    owner, brand, code = await h.owner_brand(approval=True)
    brand.settings = {**(brand.settings or {}), "slack_channel_role": "approver"}
    await brand.save()
    await h.link(code)

    # a photo the approver shares is refused in the role table's words; nothing is stored
    jpeg = (await asyncio.to_thread(make_jpeg, h.tmp / "shot.jpg")).read_bytes()
    photo = h.fake.add_file(h.team, APPROVER, "shot.jpg", jpeg, "image/jpeg")
    await h.send.event(h.team, file_message(h, [photo], APPROVER, text="From the approver"))
    await h.until(
        lambda: any(
            "Only the brand's editors can add media." in t for t in h.fake.ephemeral_texts(APPROVER)
        ),
        "the refusal",
    )
    assert not await MediaAsset.exists(brand_id=brand.id)
    assert not await SlackFile.exists(file_id=photo["id"])
    assert h.fake.counts["download"] == 0 and not h.fake.calls_of("files.info")
    member = await BrandMember.get(brand_id=brand.id, user__email__contains=APPROVER.lower())
    assert member.role == Role.APPROVER

    # on an inbox card, Approve & publish and Edit are refused in plain words
    asset = await h.inbox_item(brand, owner)
    card = await h.card_message(asset)
    await h.send.click(h.team, CHANNEL, APPROVER, card, "✅ Approve")
    await h.until(
        lambda: any(
            "Only the brand's editors can publish." in t for t in h.fake.ephemeral_texts(APPROVER)
        ),
        "publish refused",
    )
    await h.send.click(h.team, CHANNEL, APPROVER, card, "✏️ Edit")
    await h.until(
        lambda: any(
            "Only the brand's editors can change captions." in t
            for t in h.fake.ephemeral_texts(APPROVER)
        ),
        "edit refused",
    )
    assert not await PublishJob.exists(brand_id=brand.id)
    assert not h.fake.calls_of("views.open")
    stored = await SlackCard.get(asset_id=asset.id)
    assert stored.kind == "inbox" and stored.decision == "" and not stored.job_key

    # an editor's request turns the card into an approval card: there the approver approves
    writer = await create_user("writer@example.com", "long enough password", origin="test")
    await BrandMember.create(brand=brand, user=writer, role=Role.EDITOR)
    h.fake.add_user(h.team, WRITER, "wren")
    await h.link(await issue_link_code(brand, actor=writer, origin="test"), user=WRITER)
    await h.send.click(h.team, CHANNEL, WRITER, card, "✅ Approve")
    await h.until(
        lambda: any("Sent for approval" in t for t in h.fake.ephemeral_texts(WRITER)),
        "the editor's request",
    )
    job = await PublishJob.get(brand_id=brand.id)
    assert job.status == JobStatus.AWAITING_APPROVAL and job.created_by_id == writer.id
    card = copy.deepcopy(h.message(CHANNEL, card["ts"]))
    assert "Approval needed" in texts(card)
    await h.send.click(h.team, CHANNEL, APPROVER, card, "✅ Approve")
    await h.until(
        lambda: any(
            m["text"].startswith("✅ Published everywhere")
            for m in h.fake.thread(CHANNEL, card["ts"])
        ),
        "published",
    )
    job = await PublishJob.get(id=job.id)
    assert job.status == JobStatus.PUBLISHED and job.approved_by_id == member.user_id
    assert await WebPost.filter(brand_id=brand.id).count() == 1
    assert f"Approved by <@{APPROVER}>" in texts(h.message(CHANNEL, card["ts"]))
