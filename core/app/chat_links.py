"""Chat links: one-time codes that link a Telegram chat or Slack channel; linking; unlinking."""

from __future__ import annotations

from core import audit
from core.app.actor import Actor
from core.app.roles import Action
from core.brands import issue_link_code, redeem_link_code
from core.errors import InvalidInput
from core.models import (
    Brand,
    ChatKind,
    ChatLink,
    SlackIdentity,
    SlackInstallation,
    TelegramIdentity,
    User,
)


async def issue_code(actor: Actor, *, brand_id: int) -> str:
    """A one-time code (30 minutes) for `/start CODE` or `/oneclick link CODE`."""
    brand = await actor.may(brand_id, Action.LINK_CHAT)
    return await issue_link_code(brand, actor=actor.user, origin=actor.origin)


async def unlink(actor: Actor, *, brand_id: int, link_id: int) -> None:
    """Stop a linked chat from acting for the brand."""
    brand = await actor.may(brand_id, Action.MANAGE_MEMBERS)
    updated = await ChatLink.filter(id=link_id, brand_id=brand.id).update(is_active=False)
    if not updated:
        raise InvalidInput("That chat is not linked to this brand.")
    await audit.record(
        "chat.unlinked",
        actor=actor.user,
        brand=brand,
        origin=actor.origin,
        details={"chat_link_id": link_id},
    )


async def link_slack_channel(
    code: str, *, team_id: str, channel_id: str, slack_user_id: str
) -> tuple[Brand, User]:
    """`/oneclick link CODE`: link the channel; the Slack user acts as the code's creator.

    The code's creator is the brand owner when the code came from the CLI. Redeeming a
    code of one's own in a channel already linked relinks nothing but the person.
    """
    link = await redeem_link_code(
        code,
        kind=ChatKind.SLACK,
        chat_id=channel_id,
        external_user_id=slack_user_id,
        workspace_id=team_id,
    )
    brand = await Brand.get(id=link.brand_id)
    user = await User.get(id=link.linked_by_id or brand.owner_id)
    identity, created = await SlackIdentity.get_or_create(
        brand_id=brand.id,
        team_id=team_id,
        slack_user_id=slack_user_id,
        defaults={"user_id": user.id},
    )
    if not created and identity.user_id != user.id:
        identity.user_id = user.id
        await identity.save(update_fields=["user_id"])
    await audit.record(
        "slack.identity.linked",
        actor=user,
        brand=brand,
        obj=identity,
        origin="slack",
        details={"team_id": team_id, "slack_user_id": slack_user_id},
    )
    return brand, user


async def slack_installed(installation: SlackInstallation, *, created: bool) -> None:
    """Audit a workspace's "Add to Slack" (the installation store saved its tokens)."""
    await audit.record(
        "slack.installed",
        actor=None,
        brand=None,
        obj=installation,
        origin="slack",
        details={
            "team_id": installation.team_id,
            "team_name": installation.team_name,
            "new": created,
        },
    )


async def link_telegram_chat(code: str, *, chat_id: str, telegram_user_id: str) -> Brand:
    """`/start CODE`: link the chat; the Telegram user acts as the code's creator (audited).

    The code's creator is the brand owner when the code came from the CLI; the choice is
    kept per brand, so a restart or a second brand changes nothing.
    """
    link = await redeem_link_code(
        code, kind=ChatKind.TELEGRAM, chat_id=chat_id, external_user_id=telegram_user_id
    )
    brand = await Brand.get(id=link.brand_id)
    user_id = link.linked_by_id or brand.owner_id
    identity, _ = await TelegramIdentity.update_or_create(
        brand_id=brand.id, telegram_user_id=telegram_user_id, defaults={"user_id": user_id}
    )
    await audit.record(
        "telegram.identity.linked",
        actor=await User.get(id=user_id),
        brand=brand,
        obj=identity,
        origin="telegram",
        details={"chat_id": chat_id, "telegram_user_id": telegram_user_id},
    )
    return brand
