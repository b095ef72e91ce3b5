"""Forged or stale requests are refused with 401; bad input gets a short ephemeral message."""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime

from core.models import AuditLog, MediaAsset, PublishJob
from tests.e2e.slack.conftest import CHANNEL, EDITOR, OWNER, SlackHarness
from tests.e2e.slack.test_approve_publish import texts
from tests.support.waiting import settled


async def test_forged_signature_and_stale_timestamp_do_nothing(slack: SlackHarness) -> None:
    h = slack
    owner, brand, code = await h.owner_brand()
    await h.link(code)
    asset = await h.inbox_item(brand, owner)
    card = await h.card_message(asset)
    calls = len(h.fake.calls_made)

    forged = await h.send.click(
        h.team, CHANNEL, OWNER, card, "✅ Approve", secret="not-the-signing-secret"
    )
    assert forged.status_code == 401
    stale = await h.send.click(
        h.team, CHANNEL, OWNER, card, "✅ Approve", ts=int(time.time()) - 6 * 60
    )
    assert stale.status_code == 401
    unsigned = await h.web.post(
        "/slack/events",
        content="payload={}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert unsigned.status_code == 401
    command = await h.send.post(
        "command=%2Foneclick&text=brands", "application/x-www-form-urlencoded", secret="wrong"
    )
    assert command.status_code == 401
    await settled()  # a wrongly accepted request would have acted by now
    assert not await PublishJob.exists(brand_id=brand.id)
    assert len(h.fake.calls_made) == calls  # not one Web API call was made


async def test_bad_input_gets_short_ephemeral_messages(slack: SlackHarness) -> None:
    h = slack
    owner, brand, code = await h.owner_brand()
    other_owner, other_brand, other_code = await h.owner_brand("b@example.com", "Bean Co")
    assert "not linked" in await h.command("brands")
    assert "unknown, used or expired" in await h.link("WRONGCODE1")
    await h.link(code)
    listing = await h.command("brands")
    assert "Acme Coffee" in listing and "owner" in listing
    assert "/oneclick link CODE" in await h.command("help")

    asset = await h.inbox_item(brand, owner)
    card = await h.card_message(asset)

    # the same card clicked from another workspace is not found there
    other_team = h.fake.add_team("T0OTHER01", "Other")
    h.fake.add_user(other_team, "U0STRANGE", "eve")
    h.fake.add_channel(other_team, "C0OTHER01", "random")
    await h.send.click(other_team, "C0OTHER01", "U0STRANGE", card, "✅ Approve")
    # ...and from an unlinked channel of the same workspace
    h.fake.add_channel(h.team, "C0UNLINKD", "random")
    await h.send.click(h.team, "C0UNLINKD", EDITOR, card, "✅ Approve")
    await h.until(
        lambda: any("no longer valid" in t for t in h.fake.ephemeral_texts(EDITOR)),
        "the unlinked-channel note",
    )

    # another brand's card posted into this channel (linked to Acme only) is refused
    other_asset = await h.inbox_item(other_brand, other_owner, name="bean.jpg")
    foreign = copy.deepcopy(card)
    for block in foreign["blocks"]:
        for el in block.get("elements", []):
            if el.get("type") == "button":
                el["value"] = "999999"
    await h.send.click(h.team, CHANNEL, OWNER, foreign, "✅ Approve")
    await h.until(
        lambda: sum("no longer valid" in t for t in h.fake.ephemeral_texts(OWNER)),
        "the unknown-card note",
    )

    # a deleted item
    asset.deleted_at = datetime.now(UTC)
    await asset.save()
    await h.send.click(h.team, CHANNEL, OWNER, card, "✏️ Edit")
    await h.until(
        lambda: any("was deleted" in t for t in h.fake.ephemeral_texts(OWNER)),
        "the deleted-item note",
    )
    assert not await PublishJob.exists()
    assert not h.fake.calls_of("views.open")
    assert await MediaAsset.filter(id=other_asset.id, deleted_at=None).exists()


async def test_edit_modal_checks_rules_and_saves_the_override(slack: SlackHarness) -> None:
    h = slack
    owner, brand, code = await h.owner_brand()
    brand.forbidden_phrases = ["cheap"]
    await brand.save()
    await h.link(code)
    asset = await h.inbox_item(brand, owner)
    card = await h.card_message(asset)
    h.fake.ratelimit("views.open", retry_after=1)  # Slack says slow down once: the SDK waits
    await h.send.click(h.team, CHANNEL, OWNER, card, "✏️ Edit")
    await h.until(lambda: h.fake.views, "the edit modal", limit=60)
    view = next(iter(h.fake.views.values()))
    assert [b["block_id"] for b in view["blocks"]] == ["cap:web"]
    bad = await h.send.submit(h.team, OWNER, view, {"cap:web": "So cheap!"})
    assert "forbids" in bad.json()["errors"]["cap:web"]
    good = await h.send.submit(h.team, OWNER, view, {"cap:web": "Handmade mugs, back now."})
    assert good.status_code == 200
    await h.until(
        lambda: "Handmade mugs, back now." in texts(h.message(CHANNEL, card["ts"])),
        "the card with the new caption",
    )
    assert await AuditLog.exists(action="caption.overridden", origin="slack", actor_id=owner.id)
    assert len(h.fake.calls_of("views.open")) == 2  # one 429, one success
