"""A web account at a Slack user's bot address never receives the roles granted in Slack."""

from __future__ import annotations

from core.models import BrandMember, ChatIdentity, ChatProvider, PublishJob, Role, User
from core.security import hash_password
from tests.e2e.slack.conftest import CHANNEL, EDITOR, SlackHarness
from tests.integration.web.helpers import csrf_from, signup

PASSWORD = "correct horse 42"


async def test_pre_registered_slack_address_gets_nothing(slack: SlackHarness) -> None:
    h = slack
    owner, brand, code = await h.owner_brand(approval=True)
    await h.link(code)
    address = f"slack-{h.team.id}-{EDITOR}@users.slack.invalid".lower()
    refused = await signup(h.web, address, PASSWORD)
    assert refused.status_code == 400 and "reserved" in refused.text
    h.web.cookies.clear()
    # an account someone registered at that address before sign-up refused it
    squatter = await User.create(email=address, password_hash=hash_password(PASSWORD))

    asset = await h.inbox_item(brand, owner)
    card = await h.card_message(asset)
    await h.send.click(h.team, CHANNEL, EDITOR, card, "✅ Approve", ticked=["web"])
    await h.until(
        lambda: any("Sent for approval" in t for t in h.fake.ephemeral_texts(EDITOR)),
        "Ed's request",
    )
    identity = await ChatIdentity.get(
        provider=ChatProvider.SLACK, team_id=h.team.id, external_id=EDITOR
    )
    job = await PublishJob.get(brand_id=brand.id)
    assert job.created_by_id == identity.user_id != squatter.id
    member = await BrandMember.get(brand_id=brand.id, user_id=identity.user_id)
    assert member.role == Role.EDITOR
    assert not await BrandMember.exists(user_id=squatter.id)

    page = await h.web.get("/login")
    signed_in = await h.web.post(
        "/login", data={"csrf_token": csrf_from(page.text), "email": address, "password": PASSWORD}
    )
    assert signed_in.status_code == 303
    assert (await h.web.get(f"/brands/{brand.id}/inbox")).status_code == 404
