"""A channel member's request waits for approval; only an approver decides; reject with reason."""

from __future__ import annotations

import copy

from core.models import AuditLog, BrandMember, JobStatus, PublishJob, Role, SlackCard, WebPost
from tests.e2e.slack.conftest import CHANNEL, EDITOR, OWNER, SlackHarness
from tests.e2e.slack.test_approve_publish import texts


async def test_member_request_approved_by_approver_then_reject_recorded(
    slack: SlackHarness,
) -> None:
    h = slack
    owner, brand, code = await h.owner_brand(approval=True)
    await h.link(code)
    asset = await h.inbox_item(brand, owner)
    card = await h.card_message(asset)

    # Ed never linked an account: he acts as a channel member (editor) and needs approval
    await h.send.click(h.team, CHANNEL, EDITOR, card, "✅ Approve", ticked=["web"])
    await h.until(
        lambda: any("Sent for approval" in t for t in h.fake.ephemeral_texts(EDITOR)),
        "the requester's note",
    )
    job = await PublishJob.get(brand_id=brand.id)
    assert job.status == JobStatus.AWAITING_APPROVAL and job.origin == "slack"
    member = await BrandMember.get(brand_id=brand.id, user_id=job.created_by_id)
    assert member.role == Role.EDITOR
    card = copy.deepcopy(h.message(CHANNEL, card["ts"]))  # as the approver's screen shows it
    assert "Approval needed" in texts(card) and len(h.fake.in_channel(CHANNEL)) == 1

    await h.send.click(h.team, CHANNEL, EDITOR, card, "✅ Approve")  # not an approver
    await h.until(
        lambda: any("approvers" in t for t in h.fake.ephemeral_texts(EDITOR)), "the refusal"
    )
    assert (await PublishJob.get(id=job.id)).status == JobStatus.AWAITING_APPROVAL

    await h.send.click(h.team, CHANNEL, OWNER, card, "✅ Approve")
    await h.until(
        lambda: any(
            m["text"].startswith("✅ Published everywhere")
            for m in h.fake.thread(CHANNEL, card["ts"])
        ),
        "published",
    )
    job = await PublishJob.get(id=job.id)
    assert job.status == JobStatus.PUBLISHED and job.approved_by_id == owner.id
    assert await WebPost.filter(brand_id=brand.id).count() == 1
    assert f"Approved by <@{OWNER}>" in texts(h.message(CHANNEL, card["ts"]))
    assert await AuditLog.exists(action="job.approved", origin="slack", actor_id=owner.id)
    await h.send.click(h.team, CHANNEL, OWNER, card, "✅ Approve")  # a late double click
    await h.until(
        lambda: any("already decided" in t for t in h.fake.ephemeral_texts(OWNER)),
        "the double-click note",
    )

    # the next request is rejected with a reason, typed into the modal
    second = await h.inbox_item(brand, owner, name="cup.jpg", caption="Cups")
    card2 = await h.card_message(second)
    await h.send.click(h.team, CHANNEL, EDITOR, card2, "✅ Approve")
    await h.until(lambda: PublishJob.exists(asset_id=second.id), "the second request")
    job2 = await PublishJob.get(asset_id=second.id)
    card2 = copy.deepcopy(h.message(CHANNEL, card2["ts"]))
    await h.send.click(h.team, CHANNEL, OWNER, card2, "🚫 Reject")
    await h.until(lambda: h.fake.calls_of("views.open"), "the reject modal")
    view = h.fake.calls_of("views.open")[-1].params["view"]
    opened = next(v for v in h.fake.views.values() if v["callback_id"] == view["callback_id"])
    empty = await h.send.submit(h.team, OWNER, opened, {"reason": "  "})
    assert empty.json()["response_action"] == "errors"
    done = await h.send.submit(h.team, OWNER, opened, {"reason": "Wrong colour on the cup"})
    assert done.status_code == 200 and not done.content
    await h.until(
        lambda: "Rejected by" in texts(h.message(CHANNEL, card2["ts"])), "the rejected card"
    )
    job2 = await PublishJob.get(id=job2.id)
    assert job2.status == JobStatus.REJECTED and job2.decision_note == "Wrong colour on the cup"
    assert await AuditLog.exists(action="job.rejected", origin="slack", actor_id=owner.id)
    assert "Wrong colour on the cup" in texts(h.message(CHANNEL, card2["ts"]))
    assert (await SlackCard.get(asset_id=second.id)).decision == "rejected"
