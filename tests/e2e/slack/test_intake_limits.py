"""Slack uploads get the intake's refusals in the channel: a PNG bomb, a full brand."""

from __future__ import annotations

import asyncio

from core.models import MediaAsset
from tests.e2e.slack.conftest import EDITOR, SlackHarness
from tests.e2e.slack.test_uploads_install import file_message
from tests.support.hostile_media import png_bomb
from tests.support.media import make_jpeg


async def test_a_bomb_and_a_full_brand_are_refused_in_plain_words(slack: SlackHarness) -> None:
    h = slack
    _, _, code = await h.owner_brand()
    await h.link(code)
    bomb = h.fake.add_file(h.team, EDITOR, "bomb.png", png_bomb(16000, 16000), "image/png")
    await h.send.event(h.team, file_message(h, [bomb], EDITOR))
    await h.until(
        lambda: any("16000×16000 pixels" in t for t in h.fake.ephemeral_texts(EDITOR)),
        "the bomb refused",
    )

    h.settings.brand_storage_bytes = 1
    jpeg = (await asyncio.to_thread(make_jpeg, h.tmp / "shot.jpg")).read_bytes()
    photo = h.fake.add_file(h.team, EDITOR, "shot.jpg", jpeg, "image/jpeg")
    await h.send.event(h.team, file_message(h, [photo], EDITOR))
    await h.until(
        lambda: any("storage is full" in t for t in h.fake.ephemeral_texts(EDITOR)),
        "the full brand refused",
    )
    assert await MediaAsset.all().count() == 0
    assert [p for p in h.settings.media_dir.rglob("*") if p.is_file()] == []
