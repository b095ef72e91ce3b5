"""An upload through the REST API reaches the brand's Slack channel as an inbox card."""

from __future__ import annotations

import asyncio

from core.models import MediaAsset
from core.users import create_api_key
from tests.e2e.slack.conftest import CHANNEL, SlackHarness
from tests.support.media import make_jpeg


async def test_api_upload_arrives_as_a_slack_card(slack: SlackHarness) -> None:
    h = slack
    owner, brand, code = await h.owner_brand()
    await h.link(code)
    _, key = await create_api_key(owner, name="test", origin="test")
    photo = await asyncio.to_thread(make_jpeg, h.tmp / "latte.jpg")
    answer = await h.web.post(
        f"/api/v1/brands/{brand.id}/assets",
        headers={"Authorization": f"Bearer {key}"},
        files={"file": ("latte.jpg", photo.read_bytes(), "image/jpeg")},
        data={"caption": "Latte art Friday"},
    )
    assert answer.status_code == 201, answer.text

    asset = await MediaAsset.get(id=answer.json()["id"])
    card = await h.card_message(asset, CHANNEL)
    assert "Latte art Friday" in " ".join(str(b) for b in card["blocks"])
