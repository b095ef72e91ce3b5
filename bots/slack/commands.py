"""`/oneclick link CODE`, `/oneclick brands`, `/oneclick sync`, `/oneclick help`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck

from bots.slack import identity
from bots.slack.blocks import esc
from bots.slack.errors import reply_text
from bots.slack.runtime import Runtime, runtime_of
from core.errors import OneClickError
from core.ingest_sync import handle
from core.models import BrandMember, SlackIdentity

HELP = (
    "*OneClick Social* posts new inbox items and approvals here.\n"
    "• `/oneclick link CODE`: link this channel to a brand (get the code on the brand's "
    "Connections page). Run it with a code of your own to act here as yourself.\n"
    "• `/oneclick brands`: the brands this channel is linked to, and your role.\n"
    "• `/oneclick sync`: bring new Instagram posts into the inbox now.\n"
    "• Share a photo or video here (or use the message shortcut *Repost with OneClick*) "
    "to add it to the brand's inbox.\n"
    "• On a card: tick the networks, then *Approve & publish*, *Edit* or *Reject*."
)


async def _link(code: str, team_id: str, channel_id: str, user_id: str) -> str:
    brand, user = await identity.link_channel(
        code, team_id=team_id, channel_id=channel_id, slack_user_id=user_id
    )
    who = esc(user.display_name or user.email)
    return (
        f"✅ This channel is linked to *{esc(brand.name)}*. New inbox items and approvals "
        f"will appear here. <@{user_id}> acts as {who}."
    )


async def _brands(team_id: str, channel_id: str, user_id: str) -> str:
    brands = await identity.linked_brands(team_id, channel_id)
    if not brands:
        return identity.UNLINKED
    lines = []
    for brand in brands:
        ident = await SlackIdentity.get_or_none(
            brand_id=brand.id, team_id=team_id, slack_user_id=user_id
        )
        member = (
            await BrandMember.get_or_none(brand_id=brand.id, user_id=ident.user_id)
            if ident
            else None
        )
        role = f"you act as {member.role}" if member else "you have not linked your account"
        lines.append(f"• *{esc(brand.name)}* ({role})")
    return "This channel is linked to:\n" + "\n".join(lines)


async def _sync(rt: Runtime, team_id: str, channel_id: str, user_id: str) -> str:
    brands = await identity.linked_brands(team_id, channel_id)
    if not brands:
        return identity.UNLINKED
    lines = []
    for brand in brands:
        try:
            actor = await identity.actor_for(
                brand, team_id=team_id, channel_id=channel_id, slack_user_id=user_id
            )
            accounts = await rt.services.accounts.sync_now(actor, brand_id=brand.id)
        except OneClickError as exc:  # one brand's refusal must not hide the others'
            lines.append(f"*{esc(brand.name)}*: {esc(exc.user_message)}")
            continue
        names = ", ".join(esc(handle(a)) for a in accounts)
        lines.append(f"🔄 *{esc(brand.name)}*: syncing {names}; new posts arrive here in a moment.")
    return "\n".join(lines)


def register(app: AsyncApp) -> None:
    """Add the slash command."""

    @app.command("/oneclick")
    async def oneclick(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
        """Parse the sub-command and answer in the ack (only the caller sees it)."""
        words = (command.get("text") or "").split()
        team_id = str(command.get("team_id") or context.team_id or "")
        channel_id, user_id = str(command.get("channel_id")), str(command.get("user_id"))
        sub = words[0].lower() if words else "help"
        if sub == "link" and len(words) == 2:
            text = await reply_text(_link(words[1], team_id, channel_id, user_id))
            await ack(
                text=text, response_type="in_channel" if text.startswith("✅") else "ephemeral"
            )
        elif sub == "link":
            await ack(
                text="Usage: `/oneclick link CODE` (the code is on the brand's Connections page)."
            )
        elif sub == "brands":
            await ack(text=await reply_text(_brands(team_id, channel_id, user_id)))
        elif sub == "sync":
            await ack(
                text=await reply_text(_sync(runtime_of(context), team_id, channel_id, user_id))
            )
        else:
            await ack(text=HELP)
