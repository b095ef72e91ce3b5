""" "Sync now" from the connections page, the Telegram bot (/sync) and Slack (/oneclick sync)."""

from __future__ import annotations

from typing import Any

from bots.telegram.app import TelegramBot
from core.brands import issue_link_code
from core.models import AuditLog, MediaAsset, SocialAccount
from tests.e2e.connectors.oauth_dance import csrf_of
from tests.e2e.ingest.conftest import CHANNEL, OWNER, World

PRIVATE = 777002  # a private chat with the bot, linked with /start CODE


def _command(text: str) -> dict[str, Any]:
    return {
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
    }


async def _arrived(w: World, caption: str) -> MediaAsset:
    return await w.until(lambda: MediaAsset.get_or_none(original_caption=caption), caption)


async def test_sync_now_from_web_bot_and_slack(world: World) -> None:
    w = world
    user, brand, browser = await w.owner()
    await w.link_slack(brand, user)
    account = await w.connect_instagram(browser, brand)

    # the web: refused without the form's CSRF token; with it the new post comes in at once
    refused = await browser.post(f"/brands/{brand.id}/accounts/{account.id}/sync")
    assert refused.status_code == 403
    w.seed("From the web", 30)
    done = await w.sync_from_web(browser, brand, account)
    assert done.status_code == 303, done.text
    page = await browser.get(done.headers["location"])
    assert "Syncing @acme.coffee" in page.text
    await _arrived(w, "From the web")
    assert await AuditLog.exists(
        action="ingest.sync_requested", origin="web", object_id=str(account.id), actor_id=user.id
    )

    # Telegram: /sync in a chat linked with /start CODE, through the real bot
    bot = TelegramBot(w.services)
    await bot.start_polling(polling_timeout=1)
    try:
        chat = {"id": PRIVATE, "type": "private", "first_name": "Ann"}
        person = {"id": 4242, "is_bot": False, "first_name": "Ann"}
        code = await issue_link_code(brand, actor=user, origin="test")
        w.telegram.user_message(chat, person, **_command(f"/start {code}"))
        await w.until(lambda: any("linked to" in t for t in w.chat_texts(PRIVATE)), "linking")
        w.seed("From Telegram", 20)
        w.telegram.user_message(chat, person, **_command("/sync"))
        await w.until(
            lambda: any("Syncing @acme.coffee" in t for t in w.chat_texts(PRIVATE)),
            "the /sync reply",
        )
        await _arrived(w, "From Telegram")
        assert await AuditLog.exists(
            action="ingest.sync_requested", origin="telegram", object_id=str(account.id)
        )
    finally:
        await bot.stop()

    # Slack: /oneclick sync in the linked channel
    w.seed("From Slack", 10)
    answer = await w.send.command(w.team, CHANNEL, OWNER, "sync")
    assert answer.status_code == 200 and "syncing @acme.coffee" in answer.text, answer.text
    await _arrived(w, "From Slack")
    assert await AuditLog.exists(action="ingest.sync_requested", origin="slack")
    await browser.aclose()


async def test_sync_now_refusals_are_plain(world: World) -> None:
    w = world
    user, brand, browser = await w.owner()
    await w.link_slack(brand, user)
    web_feed = await SocialAccount.get(brand_id=brand.id, platform="web")

    page = await browser.get(f"/brands/{brand.id}/connections")
    assert "Sync now" not in page.text  # nothing to sync: no button
    answer = await w.send.command(w.team, CHANNEL, OWNER, "sync")
    assert "No Instagram account is connected to this brand" in answer.text, answer.text

    account = await w.connect_instagram(browser, brand)
    await SocialAccount.filter(id=account.id).update(status="needs_reconnect")
    answer = await w.send.command(w.team, CHANNEL, OWNER, "sync")
    assert "must be renewed before it can sync" in answer.text, answer.text
    # a wrong or foreign account id is refused like one that does not exist
    page = await browser.get(f"/brands/{brand.id}/connections")
    wrong = await browser.post(
        f"/brands/{brand.id}/accounts/{web_feed.id}/sync", data={"csrf_token": csrf_of(page.text)}
    )
    assert wrong.status_code == 404 and "cannot sync" in wrong.text
    assert not await AuditLog.exists(action="ingest.sync_requested")
    await browser.aclose()
