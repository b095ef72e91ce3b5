"""Members: who a person in a linked chat acts as, and the membership they get there."""

from __future__ import annotations

import contextlib

from tortoise.exceptions import IntegrityError

from core import audit
from core.errors import Forbidden
from core.identities import chat_user
from core.models import (
    Brand,
    BrandMember,
    ChatKind,
    ChatLink,
    ChatProvider,
    Role,
    SlackIdentity,
    TelegramIdentity,
    User,
)

#: the brand setting naming the role of Slack channel people who never linked an account
SLACK_CHANNEL_ROLE = "slack_channel_role"
#: the roles a chat's own people may get, in Slack and Telegram alike (anything else,
#: e.g. `none`: only linked people act)
CHAT_ROLES = frozenset({Role.EDITOR, Role.APPROVER})
ONLY_LINKED = (
    "Only people who linked their OneClick account can act here. Get a link code "
    "on the web page and run `/oneclick link CODE`."
)


async def _chat_member(
    brand: Brand,
    provider: ChatProvider,
    external_id: str,
    *,
    setting: str,
    refusal: str,
    team_id: str = "",
    display_name: str = "",
) -> User:
    """A chat person's own user, made a member with the role the brand's `setting` gives
    its chat people (editor by default, or approver; anything else refuses), audited."""
    role_name = str((brand.settings or {}).get(setting, Role.EDITOR.value))
    if role_name not in {r.value for r in CHAT_ROLES}:
        raise Forbidden(refusal)
    user = await chat_user(
        provider, external_id, team_id=team_id, display_name=display_name, brand=brand
    )
    member, added = await BrandMember.get_or_create(
        brand=brand, user=user, defaults={"role": Role(role_name)}
    )
    if added:
        await audit.record(
            "member.added",
            actor=None,
            brand=brand,
            obj=member,
            origin=provider.value,
            details={"role": role_name, f"{provider.value}_user_id": external_id},
        )
    return user


async def slack_member(
    brand: Brand, *, team_id: str, slack_user_id: str, display_name: str = ""
) -> User:
    """The core user a Slack user acts as in the brand (the caller checked the channel's link).

    Someone who linked (`/oneclick link CODE`) acts as that account. Anyone else acts as
    their own chat user, found by identity (never by email), made a member with the role
    the brand gives its channel (`slack_channel_role`: editor by default, or approver;
    `none` refuses them). Users and memberships made here are audited.
    """
    identity = await SlackIdentity.get_or_none(
        brand_id=brand.id, team_id=team_id, slack_user_id=slack_user_id
    )
    if identity is not None:
        return await User.get(id=identity.user_id)
    user = await _chat_member(
        brand,
        ChatProvider.SLACK,
        slack_user_id,
        setting=SLACK_CHANNEL_ROLE,
        refusal=ONLY_LINKED,
        team_id=team_id,
        display_name=display_name,
    )
    with contextlib.suppress(IntegrityError):  # made concurrently by a parallel request
        await SlackIdentity.create(
            brand=brand, team_id=team_id, slack_user_id=slack_user_id, user=user
        )
    return user


#: the brand setting naming the role of Telegram group people who did not link the chat
TELEGRAM_GROUP_ROLE = "telegram_group_role"
ONLY_LINKER = (
    "Only the person who linked this chat can use the bot here. Ask them for a "
    "link code of your own."
)


async def telegram_member(
    brand: Brand, *, chat_id: str, telegram_user_id: str, display_name: str = ""
) -> User:
    """The core user a Telegram user acts as in the brand (the caller checked the chat's link).

    Whoever redeemed a code (`/start CODE`) acts as that code's creator. Anyone else in the
    linked chat acts as their own chat user, found by identity (never by email), made a
    member with the role the brand gives its groups (`telegram_group_role`: editor by
    default, or approver; `none` refuses them). Users and memberships made here are audited.
    """
    identity = await TelegramIdentity.get_or_none(
        brand_id=brand.id, telegram_user_id=telegram_user_id
    )
    if identity is not None:
        return await User.get(id=identity.user_id)
    link = await ChatLink.get(kind=ChatKind.TELEGRAM, chat_id=chat_id, brand_id=brand.id)
    if link.external_user_id == telegram_user_id:
        user = await User.get(id=link.linked_by_id or brand.owner_id)
    else:
        user = await _chat_member(
            brand,
            ChatProvider.TELEGRAM,
            telegram_user_id,
            setting=TELEGRAM_GROUP_ROLE,
            refusal=ONLY_LINKER,
            display_name=display_name,
        )
    with contextlib.suppress(IntegrityError):  # made concurrently by a parallel update
        await TelegramIdentity.create(brand=brand, telegram_user_id=telegram_user_id, user=user)
    return user
