"""Chat links: one-time codes that link a Telegram chat or Slack channel; unlinking."""

from __future__ import annotations

from core import audit
from core.app.actor import Actor
from core.app.roles import Action
from core.brands import issue_link_code
from core.errors import InvalidInput
from core.models import ChatLink


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
    await audit.record("chat.unlinked", actor=actor.user, brand=brand, origin=actor.origin,
                       details={"chat_link_id": link_id})
