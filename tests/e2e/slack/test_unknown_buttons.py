"""The status reply of a job with a target whose outcome is unknown: "unknown: check the
account" with Mark as posted / Publish again buttons, clicked through signed requests."""

from __future__ import annotations

from bots.slack import blocks
from core.models import (
    AccountStatus,
    AuditLog,
    PublishJob,
    PublishTarget,
    SlackCard,
    SocialAccount,
    TargetStatus,
)
from core.target_states import refresh_job
from tests.e2e.slack.conftest import CHANNEL, OWNER, SlackHarness


async def test_unknown_targets_buttons_in_the_thread(slack: SlackHarness) -> None:
    h = slack
    owner, brand, code = await h.owner_brand()
    await h.link(code)
    # a second network: the bot is not configured, so it fails; both are then "unknown"
    await SocialAccount.create(
        brand=brand,
        platform="telegram",
        external_id="-100123",
        display_name="News",
        status=AccountStatus.OK,
    )
    asset = await h.inbox_item(brand, owner)
    card = await h.card_message(asset)
    await h.send.click(h.team, CHANNEL, OWNER, card, "✅ Approve")
    job = await h.until(
        lambda: PublishJob.get_or_none(brand_id=brand.id, status__in=["partial", "failed"]),
        "the job to end",
    )
    await h.until(
        lambda: SlackCard.exists(asset_id=asset.id, status_done=True), "the status reply to rest"
    )
    telegram, web = await PublishTarget.filter(job_id=job.id).order_by("platform")
    for target in (telegram, web):
        await PublishTarget.filter(id=target.id).update(
            status=TargetStatus.UNKNOWN, error="Unknown: check the account."
        )
    await refresh_job(job.id)
    (reply,) = h.fake.thread(CHANNEL, card["ts"])

    # Mark the web post as posted (the button as the reply shows it for this target)
    shown = blocks.status_blocks(
        "status", [await PublishTarget.get(id=web.id)], {"web": "Web feed"}
    )
    answer = await h.send.click(
        h.team, CHANNEL, OWNER, {**reply, "blocks": shown}, "Mark as posted: Web feed"
    )
    assert answer.status_code == 200
    await h.until(
        lambda: PublishTarget.exists(id=web.id, status=TargetStatus.PUBLISHED),
        "the web target marked as posted",
    )
    # the audit row is written just after the target moves: wait for it, do not race it
    await h.until(
        lambda: AuditLog.exists(action="target.marked_posted", actor_id=owner.id, origin="slack"),
        "the audit row of Mark as posted",
    )

    # the reply now says the channel post is unknown, with its two buttons
    def telegram_buttons() -> dict | None:
        message = h.message(CHANNEL, reply["ts"])
        text = " ".join(str(b) for b in message.get("blocks") or [])
        return message if "Publish again: Telegram channel" in text else None

    message = await h.until(telegram_buttons, "the reply with the unknown target's buttons")
    assert "unknown: check the channel" in message["text"]
    assert "Mark as posted: Telegram channel" in str(message["blocks"])
    await h.send.click(h.team, CHANNEL, OWNER, message, "Mark as posted: Telegram channel")
    await h.until(
        lambda: PublishTarget.exists(id=telegram.id, status=TargetStatus.PUBLISHED), "marked"
    )
    await h.until(
        lambda: any("Marked as posted" in t for t in h.fake.ephemeral_texts(OWNER)),
        "the note to the person who clicked",
    )  # sent after the target moved
    await h.until(
        lambda: h.message(CHANNEL, reply["ts"])["text"].startswith("✅ Published everywhere"),
        "the reply edited to published",
    )
