"""Brands: create one, change its settings."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from core import brands
from core.app.actor import Actor
from core.app.roles import Action
from core.models import Brand


async def create(
    actor: Actor, *, name: str, slug: str | None = None, reserved: Collection[str] = ()
) -> Brand:
    """A new brand owned by the person (reserved slugs refused)."""
    return await brands.create_brand(
        actor.user, name, slug=slug, origin=actor.origin, reserved=reserved
    )


async def update(actor: Actor, *, brand_id: int, changes: Mapping[str, Any]) -> Brand:
    """Change the brand's settings (name, AI voice, hashtags, approval…), audited."""
    brand = await actor.may(brand_id, Action.MANAGE_SETTINGS)
    return await brands.update_brand(brand, changes, actor=actor.user, origin=actor.origin)
