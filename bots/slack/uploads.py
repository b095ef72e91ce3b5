"""Files shared in a linked channel, or picked with "Repost with OneClick", become assets.

The `message` event (subtype `file_share`) is the main path: it carries the text, which
becomes the original caption. `file_shared` alone (an app subscribed only to it) is taken
after a short grace period if the message event did not take the file already. Each file
is claimed once per workspace (`SlackFile`), so redelivered events make one asset. A
channel linked to several brands files uploads under its oldest link.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient
from tortoise.exceptions import IntegrityError

from bots.slack import blocks, identity
from bots.slack.errors import funnel, tell, user_text
from bots.slack.interaction import origin_of
from bots.slack.runtime import Runtime, runtime_of
from core.config import Settings
from core.errors import InvalidInput, MediaRejected, OneClickError, TooLarge
from core.models import AssetSource, SlackCard, SlackFile
from core.safe_links import host_of, web_link

log = logging.getLogger(__name__)
FILE_SHARED_GRACE = 1.5
CHUNK = 1024 * 1024
NO_ACCESS = (
    "Slack did not hand over the file. Reinstall the app so it has the files:read "
    "permission, then share it again."
)
EXTERNAL = (
    "{name} is a link to a file stored outside Slack, so it was not taken. Upload the "
    "photo or video itself to Slack and share it again."
)
SLACK_FILE_HOST = "files.slack.com"


def slack_file_url(url: str, settings: Settings) -> bool:
    """Whether a `url_private` is on Slack's own file host (files.slack.com, or the host of
    SLACK_API_BASE, where a test's fake serves files): only there goes the bot token."""
    hosts = {SLACK_FILE_HOST, host_of(settings.slack_api_base)}
    return bool(web_link(url, hosts=hosts, allow_http=settings.outbound_allow_http))


async def _chunks(rt: Runtime, url: str, token: str) -> AsyncIterator[bytes]:
    # the guarded client; httpx drops the token if Slack redirects to another host
    async with rt.services.outbound.stream(
        "GET", url, headers={"Authorization": f"Bearer {token}"}, follow_redirects=True
    ) as response:
        if response.status_code != 200 or "text/html" in response.headers.get("content-type", ""):
            raise InvalidInput(NO_ACCESS)
        async for chunk in response.aiter_bytes(CHUNK):
            yield chunk


async def take_file(
    rt: Runtime,
    client: AsyncWebClient,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    file_id: str,
    caption: str,
) -> bool:
    """Download one file into the channel's brand and post its card; False if taken already."""
    brands = await identity.linked_brands(team_id, channel_id)
    if not brands:
        raise InvalidInput(identity.UNLINKED)
    brand = brands[0]
    actor = await identity.actor_for(
        brand, team_id=team_id, channel_id=channel_id, slack_user_id=user_id
    )
    await rt.services.assets.check_room(actor, brand_id=brand.id)  # may add media, has room
    try:
        claim = await SlackFile.create(team_id=team_id, file_id=file_id)
    except IntegrityError:
        return False
    try:
        info = (await client.files_info(file=file_id))["file"]
        settings = rt.services.settings
        limit = max(settings.max_video_bytes, settings.max_image_bytes)
        if int(info.get("size") or 0) > limit:
            raise TooLarge(
                f"{info.get('name', 'This file')} is larger than the "
                f"{limit // (1024 * 1024)} MB upload limit."
            )
        url = str(info.get("url_private_download") or info.get("url_private") or "")
        if info.get("is_external") or (url and not slack_file_url(url, settings)):
            log.info(
                "slack file %s is external (%s): not downloaded",
                file_id,
                info.get("external_type") or host_of(url),
            )
            raise InvalidInput(EXTERNAL.format(name=str(info.get("name") or "This file")[:80]))
        if not url:
            raise InvalidInput(NO_ACCESS)
        # stored and announced: every linked channel gets its card (this one too)
        asset = await rt.services.assets.upload_shared(
            actor,
            brand_id=brand.id,
            chunks=_chunks(rt, url, str(client.token)),
            file_name=info.get("name"),
            caption=caption,
            source=AssetSource.SLACK,
            source_id=f"{team_id}:{file_id}",
            source_url=web_link(
                str(info.get("permalink") or ""), allow_http=settings.outbound_allow_http
            ),
        )
    except MediaRejected as exc:  # the claim stays: the same file is refused only once
        raise MediaRejected("Only photos and videos can be posted: " + exc.user_message) from exc
    except BaseException:
        await claim.delete()  # let a later delivery try again
        raise
    claim.asset_id = asset.id
    await claim.save(update_fields=["asset_id"])
    if not await SlackCard.exists(asset_id=asset.id, team_id=team_id, channel_id=channel_id):
        # the announcement could not post it here: say why to the person who shared it
        await rt.cards.create(
            brand=brand,
            asset=asset,
            team_id=team_id,
            channel_id=channel_id,
            kind="inbox",
            actor=actor.user,
        )
    return True


async def take_files(
    rt: Runtime,
    client: AsyncWebClient,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    file_ids: list[str],
    caption: str,
) -> None:
    """Each file separately: one bad file is reported and the others still go in."""
    for file_id in file_ids:
        try:
            await take_file(
                rt,
                client,
                team_id=team_id,
                channel_id=channel_id,
                user_id=user_id,
                file_id=file_id,
                caption=caption,
            )
        except OneClickError as exc:
            if not isinstance(exc, InvalidInput) or exc.user_message == identity.UNLINKED:
                raise
            await tell(client, channel_id, user_id, user_text(exc))


def register(app: AsyncApp) -> None:
    """Add the file listeners and the message shortcut."""

    @app.event("message")
    @funnel
    async def message(
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """A message with files in a linked channel (other messages are ignored)."""
        files = event.get("files") or []
        if not files or event.get("bot_id") or not event.get("user"):
            return
        team_id = str(event.get("team") or body.get("team_id") or "")
        await take_files(
            runtime_of(context),
            client,
            team_id=team_id,
            channel_id=str(event.get("channel")),
            user_id=str(event["user"]),
            caption=event.get("text") or "",
            file_ids=[str(f["id"]) for f in files if f.get("id")],
        )

    @app.event("file_shared")
    @funnel
    async def file_shared(
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """Only when the message event did not bring the file (see the module notes)."""
        await asyncio.sleep(FILE_SHARED_GRACE)
        team_id = str(body.get("team_id") or "")
        file_id = str(event.get("file_id") or (event.get("file") or {}).get("id") or "")
        channel_id = str(event.get("channel_id") or "")
        if (
            not file_id
            or await SlackFile.exists(team_id=team_id, file_id=file_id)
            or not await identity.linked_brands(team_id, channel_id)
        ):
            return  # taken already, or an unlinked channel (the message event said so)
        with contextlib.suppress(IntegrityError):
            await take_file(
                runtime_of(context),
                client,
                team_id=team_id,
                channel_id=channel_id,
                user_id=str(event.get("user_id")),
                file_id=file_id,
                caption="",
            )

    @app.shortcut(blocks.REPOST)
    @funnel
    async def repost(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Message shortcut "Repost with OneClick": the message's files become assets."""
        await ack()
        where = origin_of(body)
        message_ = body.get("message") or {}
        file_ids = [str(f["id"]) for f in message_.get("files") or [] if f.get("id")]
        if not file_ids:
            raise InvalidInput("This message has no photo or video to repost.")
        await take_files(
            runtime_of(context),
            client,
            team_id=where.team_id,
            channel_id=where.channel_id,
            user_id=where.user_id,
            file_ids=file_ids,
            caption=message_.get("text") or "",
        )
