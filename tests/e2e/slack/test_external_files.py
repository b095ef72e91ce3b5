"""The bot token goes only to Slack's own file host: a file whose `url_private` points
anywhere else (an external file, a forged event) is skipped with a clear message."""

from __future__ import annotations

import asyncio

from core.models import MediaAsset, SlackFile
from tests.e2e.slack.conftest import EDITOR, SlackHarness
from tests.e2e.slack.test_uploads_install import file_message
from tests.support.listener import counting_listener
from tests.support.media import make_jpeg


async def test_files_outside_slack_are_not_downloaded(slack: SlackHarness) -> None:
    h = slack
    _, brand, code = await h.owner_brand()
    await h.link(code)
    jpeg = (await asyncio.to_thread(make_jpeg, h.tmp / "shot.jpg")).read_bytes()
    async with counting_listener() as listener:
        elsewhere = [
            f"{listener.url}/steal.jpg",
            f"http://localhost:{listener.port}/x.jpg",
            "https://files.slack.com.evil.example/x.jpg",
            "javascript:alert(1)",
        ]
        files = []
        for n, url in enumerate(elsewhere):
            info = h.fake.add_file(h.team, EDITOR, f"photo{n}.jpg", jpeg, "image/jpeg")
            info["url_private"] = info["url_private_download"] = url
            files.append(info)
        external = h.fake.add_file(h.team, EDITOR, "drive.jpg", jpeg, "image/jpeg")
        external.update(is_external=True, external_type="gdrive")
        files.append(external)
        await h.send.event(h.team, file_message(h, files, EDITOR))
        await h.until(
            lambda: (
                sum("stored outside Slack" in t for t in h.fake.ephemeral_texts(EDITOR))
                == len(files)
            ),
            "one note per file",
        )
    assert listener.connections == 0
    assert h.fake.counts["download"] == 0
    assert await MediaAsset.filter(brand_id=brand.id).count() == 0
    assert await SlackFile.filter(team_id=h.team.id).count() == 0  # a later share may retry
