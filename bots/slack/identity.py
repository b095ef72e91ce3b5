"""Who acts in a linked Slack channel, and which brands the channel works for.

Identity rules (also in the README's Slack section):
- The Slack user who runs `/oneclick link CODE` acts as the code's creator (the brand owner
  when the code came from the CLI). Each person links their own account the same way: a
  code made on the web page while signed in, redeemed with `/oneclick link CODE` in any
  channel already linked to the brand (the link itself is idempotent). Stored per brand
  and workspace as a `SlackIdentity`.
- Anyone else in a linked channel acts as their own core user, made on first use and found
  through its `ChatIdentity` (never by email, so no web account can stand in for it), with the
  role in `brand.settings["slack_channel_role"]`: `editor` (the default: may upload and ask
  to publish, which needs approval where the brand requires it), `approver`, or `none` (only
  linked people may act). Every user and membership made this way is audited.
"""

from __future__ import annotations

import contextlib

from tortoise.exceptions import IntegrityError

from core import audit
from core.brands import redeem_link_code
from core.errors import Forbidden, NotFound
from core.identities import chat_user
from core.models import (
    Brand,
    BrandMember,
    ChatKind,
    ChatLink,
    ChatProvider,
    Role,
    SlackIdentity,
    User,
)
from core.tenancy import BrandScope

ROLE_SETTING = "slack_channel_role"
ALLOWED_ROLES = {Role.EDITOR.value, Role.APPROVER.value}
UNLINKED = ("This channel is not linked to a brand yet. Get a link code on the brand's "
            "Connections page and run `/oneclick link CODE` here.")


async def linked_brands(team_id: str, channel_id: str) -> list[Brand]:
    """The brands this channel is linked to, oldest link first."""
    links = await ChatLink.filter(kind=ChatKind.SLACK, workspace_id=team_id, chat_id=channel_id,
                                  is_active=True).order_by("id").prefetch_related("brand")
    return [link.brand for link in links]


async def is_linked(team_id: str, channel_id: str, brand_id: int) -> bool:
    """Whether the channel is (still) linked to this brand."""
    return await ChatLink.exists(kind=ChatKind.SLACK, workspace_id=team_id, chat_id=channel_id,
                                 brand_id=brand_id, is_active=True)


async def link_channel(code: str, *, team_id: str, channel_id: str, slack_user_id: str
                       ) -> tuple[Brand, User]:
    """Redeem a link code here; the redeemer acts as the code's creator from now on."""
    link = await redeem_link_code(code, kind=ChatKind.SLACK, chat_id=channel_id,
                                  external_user_id=slack_user_id, workspace_id=team_id)
    brand = await Brand.get(id=link.brand_id)
    user = await User.get(id=link.linked_by_id or brand.owner_id)
    identity, created = await SlackIdentity.get_or_create(
        brand_id=brand.id, team_id=team_id, slack_user_id=slack_user_id,
        defaults={"user_id": user.id})
    if not created and identity.user_id != user.id:
        identity.user_id = user.id
        await identity.save(update_fields=["user_id"])
    await audit.record("slack.identity.linked", actor=user, brand=brand, obj=identity,
                       origin="slack", details={"team_id": team_id,
                                                "slack_user_id": slack_user_id})
    return brand, user


async def actor_for(brand: Brand, *, team_id: str, channel_id: str, slack_user_id: str,
                    display_name: str = "") -> User:
    """The core user a Slack user acts as in this brand (see the module rules)."""
    identity = await SlackIdentity.get_or_none(brand_id=brand.id, team_id=team_id,
                                               slack_user_id=slack_user_id)
    if identity is not None:
        return await User.get(id=identity.user_id)
    if not await is_linked(team_id, channel_id, brand.id):
        raise NotFound(UNLINKED)
    user = await _channel_member(brand, team_id, slack_user_id, display_name)
    with contextlib.suppress(IntegrityError):  # made concurrently by a parallel request
        await SlackIdentity.create(brand=brand, team_id=team_id, slack_user_id=slack_user_id,
                                   user=user)
    return user


async def acting(brand: Brand, *, team_id: str, channel_id: str, slack_user_id: str,
                 display_name: str = "") -> tuple[User, BrandScope]:
    """The acting core user and their scope, for a brand linked to this channel."""
    if not await is_linked(team_id, channel_id, brand.id):
        raise NotFound(UNLINKED)
    user = await actor_for(brand, team_id=team_id, channel_id=channel_id,
                           slack_user_id=slack_user_id, display_name=display_name)
    return user, BrandScope(user)


async def _channel_member(brand: Brand, team_id: str, slack_user_id: str,
                          display_name: str) -> User:
    role_name = str((brand.settings or {}).get(ROLE_SETTING, Role.EDITOR.value))
    if role_name not in ALLOWED_ROLES:
        raise Forbidden("Only people who linked their OneClick account can act here. Get a "
                        "link code on the web page and run `/oneclick link CODE`.")
    user = await chat_user(ChatProvider.SLACK, slack_user_id, team_id=team_id,
                           display_name=display_name, brand=brand)
    member, added = await BrandMember.get_or_create(brand=brand, user=user,
                                                    defaults={"role": Role(role_name)})
    if added:
        await audit.record("member.added", actor=None, brand=brand, obj=member, origin="slack",
                           details={"role": role_name, "slack_user_id": slack_user_id})
    return user
