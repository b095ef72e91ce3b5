"""Files shared in Slack become assets; "Add to Slack" stores an encrypted installation."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlparse

from core.models import AssetSource, AuditLog, MediaAsset, SlackCard, SlackInstallation
from tests.conftest import make_settings
from tests.e2e.slack.conftest import CHANNEL, EDITOR, OWNER, SECRET, SlackHarness
from tests.e2e.slack.sender import Sender
from tests.fakes.slack_api import running_fake
from tests.support.media import make_jpeg
from tests.support.server import live_app
from tests.support.waiting import settled


def file_message(
    h: SlackHarness, files: list[dict], user: str, channel: str = CHANNEL, text: str = ""
) -> dict:
    return {
        "type": "message",
        "subtype": "file_share",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": "1700000000.000100",
        "team": h.team.id,
        "files": files,
        "channel_type": "channel",
    }


async def test_shared_file_and_shortcut_become_assets(slack: SlackHarness) -> None:
    h = slack
    owner, brand, code = await h.owner_brand()
    await h.link(code)
    jpeg = (await asyncio.to_thread(make_jpeg, h.tmp / "shot.jpg")).read_bytes()
    photo = h.fake.add_file(h.team, EDITOR, "shot.jpg", jpeg, "image/jpeg")
    event = file_message(h, [photo], EDITOR, text="Fresh from the roastery")
    assert (await h.send.event(h.team, event)).status_code == 200
    await h.send.event(h.team, event)  # Slack redelivers: still one asset
    asset = await h.until(lambda: MediaAsset.get_or_none(source=AssetSource.SLACK), "the asset")
    card = await h.card_message(asset)
    assert "Fresh from the roastery" in str(card["blocks"])
    assert asset.source_id == f"{h.team.id}:{photo['id']}"
    assert asset.original_caption == "Fresh from the roastery"
    await settled()  # both deliveries handled
    assert await MediaAsset.filter(brand_id=brand.id).count() == 1
    assert h.fake.counts["download"] == 1

    # the message shortcut on a message with a text file: refused in plain words
    text_file = h.fake.add_file(h.team, OWNER, "notes.txt", b"just words\n" * 50, "text/plain")
    await h.send.shortcut(h.team, CHANNEL, OWNER, file_message(h, [text_file], OWNER))
    await h.until(
        lambda: any("Only photos and videos" in t for t in h.fake.ephemeral_texts(OWNER)),
        "the refusal",
    )
    await h.send.shortcut(
        h.team, CHANNEL, OWNER, {"type": "message", "text": "hi", "ts": "1700000000.000200"}
    )
    await h.until(
        lambda: any("no photo or video" in t for t in h.fake.ephemeral_texts(OWNER)),
        "the empty-message note",
    )
    photo2 = h.fake.add_file(h.team, OWNER, "shot2.jpg", jpeg + b"\0", "image/jpeg")
    await h.send.shortcut(h.team, CHANNEL, OWNER, file_message(h, [photo2], OWNER))

    async def two() -> bool:
        return await MediaAsset.filter(source=AssetSource.SLACK).count() == 2

    await h.until(two, "the shortcut's asset")

    async def two_cards() -> bool:  # the card is posted after the asset is stored
        return await SlackCard.filter(brand_id=brand.id).count() == 2

    await h.until(two_cards, "the shortcut's card")
    await settled()
    assert await SlackCard.filter(brand_id=brand.id).count() == 2

    # a file in an unlinked channel
    h.fake.add_channel(h.team, "C0UNLINKD", "random")
    photo3 = h.fake.add_file(h.team, EDITOR, "x.jpg", jpeg, "image/jpeg")
    await h.send.event(h.team, file_message(h, [photo3], EDITOR, channel="C0UNLINKD"))
    await h.until(
        lambda: any("not linked" in t for t in h.fake.ephemeral_texts(EDITOR)), "the unlinked note"
    )


async def test_add_to_slack_stores_an_encrypted_installation(tmp_path) -> None:
    async with running_fake() as fake:
        team = fake.add_team("T0NEWTEAM", "Newco")
        fake.add_user(team, "U0ADMIN01", "ada")
        fake.add_channel(team, "C0NEW0001", "general")
        settings = make_settings(
            tmp_path,
            slack_client_id=fake.client_id,
            slack_client_secret=fake.client_secret,
            slack_signing_secret=SECRET,
            slack_api_base=fake.api_base,
            slack_authorize_url=fake.base_url + "/oauth/v2/authorize",
        )
        async with live_app(settings) as base:
            import httpx

            async with httpx.AsyncClient(base_url=base, timeout=30) as web:
                page = await web.get("/slack/install")
                assert page.status_code == 200
                link = next(
                    part.split('"')[0]
                    for part in page.text.split('href="')[1:]
                    if "authorize" in part
                )
                query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
                assert query["client_id"] == [fake.client_id]
                state = query["state"][0]
                bad = await web.get(
                    "/slack/oauth_redirect",
                    params={"code": fake.oauth_code(team, "U0ADMIN01"), "state": "forged-state"},
                )
                assert bad.status_code == 400
                assert not await SlackInstallation.exists()
                # the state cookie is `Secure` (https in production): send it by hand here
                cookie = page.headers["set-cookie"].split(";")[0]
                assert cookie.endswith(state)
                done = await web.get(
                    "/slack/oauth_redirect",
                    params={"code": fake.oauth_code(team, "U0ADMIN01"), "state": state},
                    headers={"Cookie": cookie},
                )
                assert done.status_code == 200, done.text
                row = await SlackInstallation.get(team_id=team.id)
                assert row.bot_token_enc and team.bot_token not in row.bot_token_enc
                assert await AuditLog.exists(action="slack.installed")
                # the new workspace is served with its stored token
                send = Sender(web, SECRET, fake)
                reply = await send.command(team, "C0NEW0001", "U0ADMIN01", "help")
                assert reply.status_code == 200 and "/oneclick link" in reply.text
