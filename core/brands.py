"""Brands (tenants): creation, settings, chat link codes."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.transactions import in_transaction

from core import audit
from core.ai.brand_settings import clean_ai_settings
from core.config import Settings
from core.errors import Conflict, InvalidInput, NotFound
from core.models import Brand, BrandMember, ChatKind, ChatLink, LinkCode, Role, SocialAccount, User
from core.security import hash_secret, new_link_code

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
LINK_CODE_TTL = timedelta(minutes=30)
EDITABLE = (
    "name",
    "ai_system_prompt",
    "default_hashtags",
    "forbidden_phrases",
    "timezone",
    "approval_required",
    "settings",
)


def slugify(name: str) -> str:
    """A URL slug from a brand name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")
    return slug or "brand"


def reserved_slugs(settings: Settings) -> frozenset[str]:
    """Slugs only the product itself may use (its own promo brand)."""
    return frozenset({settings.promo_brand_slug.strip().lower()})


async def create_brand(
    owner: User,
    name: str,
    *,
    slug: str | None = None,
    origin: str = "api",
    reserved: Collection[str] = (),
) -> Brand:
    """A new brand owned by `owner`, with its built-in web feed account.

    People's requests pass `reserved_slugs(settings)`: those slugs are refused.
    """
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("A brand needs a name of 1 to 200 characters.")
    slug = (slug or slugify(name)).lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput("A slug may hold lowercase letters, digits and dashes (max 64).")
    if slug in reserved:
        raise Conflict(f"The slug '{slug}' is reserved; choose another.")
    if await Brand.exists(slug=slug):
        raise Conflict(f"The slug '{slug}' is taken; choose another.")
    async with in_transaction():
        brand = await Brand.create(name=name, slug=slug, owner=owner)
        await BrandMember.create(brand=brand, user=owner, role=Role.OWNER)
        await SocialAccount.create(
            brand=brand, platform="web", external_id=slug, display_name=f"{name} web feed"
        )
        await audit.record(
            "brand.created",
            actor=owner,
            brand=brand,
            obj=brand,
            origin=origin,
            details={"slug": slug},
        )
    return brand


async def update_brand(
    brand: Brand, changes: Mapping[str, Any], *, actor: User, origin: str = "api"
) -> Brand:
    """Apply validated setting changes and audit them."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Unknown brand settings: {', '.join(sorted(unknown))}.")
    values = dict(changes)
    nulls = sorted(key for key, value in values.items() if value is None)
    if nulls:
        raise InvalidInput(f"{', '.join(nulls)} cannot be null; send a value or leave it out.")
    if "name" in values and not str(values["name"]).strip():
        raise InvalidInput("A brand needs a name.")
    ai_fields = {"ai_system_prompt", "default_hashtags", "forbidden_phrases"}
    if ai_fields & set(values):
        cleaned = clean_ai_settings(
            ai_system_prompt=str(values.get("ai_system_prompt", brand.ai_system_prompt)),
            default_hashtags=values.get("default_hashtags", brand.default_hashtags),
            forbidden_phrases=values.get("forbidden_phrases", brand.forbidden_phrases),
        )
        for name in ai_fields & set(values):
            values[name] = getattr(cleaned, name)
    if "timezone" in values:
        try:
            ZoneInfo(str(values["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"'{values['timezone']}' is not a known time zone.") from None
    if "settings" in values:
        if not isinstance(values["settings"], dict):
            raise InvalidInput("settings must be an object.")
        values["settings"] = {**brand.settings, **values["settings"]}
    for key, value in values.items():
        setattr(brand, key, value)
    await brand.save(update_fields=list(values))
    await audit.record(
        "brand.updated",
        actor=actor,
        brand=brand,
        obj=brand,
        origin=origin,
        details={"fields": sorted(values)},
    )
    return brand


async def issue_link_code(brand: Brand, *, actor: User | None, origin: str = "cli") -> str:
    """A one-time code (valid 30 minutes) that links a chat to the brand."""
    code = new_link_code()
    await LinkCode.create(
        brand=brand,
        code_hash=hash_secret(code),
        created_by=actor,
        expires_at=datetime.now(UTC) + LINK_CODE_TTL,
    )
    await audit.record("linkcode.issued", actor=actor, brand=brand, origin=origin)
    return code


async def redeem_link_code(
    code: str, *, kind: ChatKind, chat_id: str, external_user_id: str, workspace_id: str = ""
) -> ChatLink:
    """Use a link code once: link the chat to its brand; NotFound if unknown/used/expired."""
    now = datetime.now(UTC)
    link_code = await LinkCode.get_or_none(code_hash=hash_secret(code.strip().upper()))
    if link_code is None or link_code.used_at is not None or link_code.expires_at < now:
        raise NotFound("That link code is unknown, used or expired. Ask for a new one.")
    claimed = await LinkCode.filter(id=link_code.id, used_at__isnull=True).update(used_at=now)
    if not claimed:
        raise NotFound("That link code was just used. Ask for a new one.")
    link, _ = await ChatLink.update_or_create(
        brand_id=link_code.brand_id,
        kind=kind,
        workspace_id=workspace_id,
        chat_id=chat_id,
        defaults={
            "external_user_id": external_user_id,
            "linked_by_id": link_code.created_by_id,
            "is_active": True,
        },
    )
    await audit.record(
        "chat.linked",
        actor=None,
        brand=link_code.brand_id,
        obj=link,
        origin=kind.value,
        details={"chat_id": chat_id},
    )
    return link


async def brand_by_slug(slug: str) -> Brand:
    """A brand by slug, for operator commands and public pages."""
    brand = await Brand.get_or_none(slug=slug)
    if brand is None:
        raise NotFound(f"No brand with the slug '{slug}'.")
    return brand
