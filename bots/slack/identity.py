"""Who acts in a linked Slack channel, and which brands the channel works for.

Identity rules (also in the README's Slack section; the use cases are
`core.app.chat_links.link_slack_channel` and `core.app.members.slack_member`):
- The Slack user who runs `/oneclick link CODE` acts as the code's creator (the brand owner
  when the code came from the CLI). Each person links their own account the same way: a
  code made on the web page while signed in, redeemed with `/oneclick link CODE` in any
  channel already linked to the brand (the link itself is idempotent). Stored per brand
  and workspace as a `SlackIdentity`.
- Anyone else in a linked channel acts as their own core user, made on first use and found
  through its `ChatIdentity` (never by email, so no web account can stand in for it), with the
  role in `brand.settings["slack_channel_role"]`: `editor` (the default: may upload and ask
  to publish, which needs approval where the brand requires it), `approver` (may approve or
  reject, not upload or publish: the role table), or `none` (only linked people may act).
  Every user and membership made this way is audited.
"""

from __future__ import annotations

from core.app import chat_links, members
from core.app.actor import Actor
from core.errors import NotFound
from core.models import Brand, ChatKind, ChatLink, User

ORIGIN = "slack"
UNLINKED = (
    "This channel is not linked to a brand yet. Get a link code on the brand's "
    "Connections page and run `/oneclick link CODE` here."
)


async def linked_brands(team_id: str, channel_id: str) -> list[Brand]:
    """The brands this channel is linked to, oldest link first."""
    links = (
        await ChatLink.filter(
            kind=ChatKind.SLACK, workspace_id=team_id, chat_id=channel_id, is_active=True
        )
        .order_by("id")
        .prefetch_related("brand")
    )
    return [link.brand for link in links]


async def is_linked(team_id: str, channel_id: str, brand_id: int) -> bool:
    """Whether the channel is (still) linked to this brand."""
    return await ChatLink.exists(
        kind=ChatKind.SLACK,
        workspace_id=team_id,
        chat_id=channel_id,
        brand_id=brand_id,
        is_active=True,
    )


async def link_channel(
    code: str, *, team_id: str, channel_id: str, slack_user_id: str
) -> tuple[Brand, User]:
    """Redeem a link code here; the redeemer acts as the code's creator from now on."""
    return await chat_links.link_slack_channel(
        code, team_id=team_id, channel_id=channel_id, slack_user_id=slack_user_id
    )


async def actor_for(
    brand: Brand, *, team_id: str, channel_id: str, slack_user_id: str, display_name: str = ""
) -> Actor:
    """The person a Slack user acts as in a brand linked to this channel (module rules)."""
    if not await is_linked(team_id, channel_id, brand.id):
        raise NotFound(UNLINKED)
    user = await members.slack_member(
        brand, team_id=team_id, slack_user_id=slack_user_id, display_name=display_name
    )
    return Actor(user, ORIGIN)
