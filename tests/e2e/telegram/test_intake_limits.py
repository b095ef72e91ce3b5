"""The chat gets the intake's refusals as replies: a PNG bomb, a ten-hour video, a full
brand; nothing is stored and the bot keeps answering."""

from __future__ import annotations

from pathlib import Path

from core.models import MediaAsset
from tests.e2e.telegram.conftest import Harness, link, owner_brand, person, private
from tests.support.hostile_media import declare_hours, png_bomb
from tests.support.media import make_jpeg, make_mp4


async def test_bombs_long_videos_and_a_full_brand_get_a_reply(tg: Harness, tmp_path: Path) -> None:
    h = tg
    _, _, code = await owner_brand(h, channel=False)
    chat, ann = private(7101), person(7101)
    await link(h, chat, ann, code)

    bomb = h.fake.add_file(png_bomb(16000, 16000), name="bomb.png")
    h.fake.user_message(
        chat,
        ann,
        document={
            "file_id": bomb.file_id,
            "file_unique_id": bomb.unique_id,
            "mime_type": "image/png",
            "file_name": "bomb.png",
            "file_size": bomb.size,
        },
    )
    await h.until(lambda: "16000×16000 pixels" in h.last_text(7101), "the bomb refused")

    short = make_mp4(tmp_path / "short.mp4", seconds=1, size="64x48", fps=60)
    long = declare_hours(short, tmp_path / "long.mp4", hours=10).read_bytes()
    h.fake.user_message(chat, ann, video=h.fake.video_file(long, name="long.mp4"))
    await h.until(lambda: "10 h 00 min long" in h.last_text(7101), "the long video refused")

    h.settings.brand_storage_bytes = 1
    photo = make_jpeg(tmp_path / "p.jpg").read_bytes()
    h.fake.user_message(chat, ann, photo=h.fake.photo_sizes(photo))
    await h.until(lambda: "storage is full" in h.last_text(7101), "the full brand refused")
    assert h.last_text(7101).startswith("❌")
    assert await MediaAsset.all().count() == 0
    assert [p for p in h.settings.media_dir.rglob("*") if p.is_file()] == []
