"""Link a channel, get the inbox card, approve with a signed click, watch it publish."""

from __future__ import annotations

from core.models import AuditLog, JobStatus, PublishJob, SlackCard, WebPost
from tests.e2e.slack.conftest import CHANNEL, OWNER, SlackHarness


def texts(message: dict) -> str:
    return " ".join(str(b) for b in message.get("blocks", [])) + message.get("text", "")


async def test_link_inbox_card_approve_publishes_to_web(slack: SlackHarness) -> None:
    h = slack
    owner, brand, code = await h.owner_brand()
    reply = await h.link(code)
    assert "linked to *Acme Coffee*" in reply

    asset = await h.inbox_item(brand, owner)
    card = await h.card_message(asset)
    assert "New in Acme Coffee's inbox" in texts(card)
    image = [b for b in card["blocks"] if b["type"] == "image"]
    assert image and image[0]["image_url"].startswith(h.settings.public_base_url + "/m/")
    assert "Our new mugs" in texts(card)

    # the listener acknowledges before any work (`on_button`): Slack's 3 s are not at risk;
    # speed is measured in bench/, not asserted here
    response = await h.send.click(h.team, CHANNEL, OWNER, card, "✅ Approve")
    assert response.status_code == 200
    again = await h.send.click(h.team, CHANNEL, OWNER, card, "✅ Approve")  # double click
    assert again.status_code == 200

    status = await h.until(
        lambda: [
            m
            for m in h.fake.thread(CHANNEL, card["ts"])
            if m["text"].startswith("✅ Published everywhere")
        ],
        "the status reply to end in published",
    )
    # one status reply, edited in place as the job moves (on a busy machine the job may
    # have ended before the reply was first posted: then it is posted already final)
    assert len(h.fake.thread(CHANNEL, card["ts"])) == 1 and status
    assert await PublishJob.filter(brand_id=brand.id).count() == 1
    job = await PublishJob.get(brand_id=brand.id)
    assert job.status == JobStatus.PUBLISHED and job.origin == "slack"
    assert await WebPost.filter(brand_id=brand.id).count() == 1
    assert any("Already on its way" in t for t in h.fake.ephemeral_texts(OWNER))
    updated = h.message(CHANNEL, card["ts"])
    assert f"Sent by <@{OWNER}>" in texts(updated), updated["blocks"][-1]
    assert not [b for b in updated["blocks"] if b["type"] == "actions"]
    assert (await SlackCard.get(asset_id=asset.id)).status_done
    assert await AuditLog.exists(action="job.created", origin="slack", actor_id=owner.id)
