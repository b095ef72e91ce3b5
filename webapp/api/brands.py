"""`/api/v1/brands`: brands, their settings and accounts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from core.ai.usage import usage_report
from core.app import brands
from core.brands import reserved_slugs
from core.models import Brand, SocialAccount
from webapp.actors import ApiActor
from webapp.api.schemas import AccountOut, BrandIn, BrandOut, BrandPatch, DayOrInstant
from webapp.deps import ScopeDep, ServicesDep
from webapp.openapi import refusals

router = APIRouter(prefix="/api/v1/brands", tags=["brands"])


def _out(brand: Brand, services: ServicesDep) -> BrandOut:
    return BrandOut.of(brand, services.settings.public_url(f"/b/{brand.slug}"))


@router.get("", response_model=list[BrandOut])
async def list_brands(scope: ScopeDep, services: ServicesDep) -> list[BrandOut]:
    """The user's brands."""
    return [_out(b, services) for b in await scope.brands().order_by("name")]


@router.post("", response_model=BrandOut, status_code=201, responses=refusals(409))
async def post_brand(body: BrandIn, actor: ApiActor, services: ServicesDep) -> BrandOut:
    """Create a brand owned by the user."""
    brand = await brands.create(
        actor, name=body.name, slug=body.slug, reserved=reserved_slugs(services.settings)
    )
    return _out(brand, services)


@router.get("/{brand_id}", response_model=BrandOut)
async def get_brand(brand_id: int, scope: ScopeDep, services: ServicesDep) -> BrandOut:
    """One brand and its settings."""
    return _out(await scope.brand(brand_id), services)


@router.patch("/{brand_id}", response_model=BrandOut, responses=refusals(403))
async def patch_brand(
    brand_id: int, body: BrandPatch, actor: ApiActor, services: ServicesDep
) -> BrandOut:
    """Change a brand's settings."""
    brand = await brands.update(
        actor, brand_id=brand_id, changes=body.model_dump(exclude_unset=True)
    )
    return _out(brand, services)


@router.get("/{brand_id}/usage")
async def brand_usage(
    brand_id: int,
    scope: ScopeDep,
    services: ServicesDep,
    since: DayOrInstant | None = None,
    until: DayOrInstant | None = None,
) -> dict[str, Any]:
    """AI tokens by kind, cache hit rate and dollars for a period (default: this month)."""
    brand = await scope.brand(brand_id)
    return (
        await usage_report(
            brand, since=since, until=until, cap=services.settings.ai_monthly_budget_usd
        )
    ).as_dict()


@router.get("/{brand_id}/accounts", response_model=list[AccountOut])
async def list_accounts(brand_id: int, scope: ScopeDep) -> list[AccountOut]:
    """Connected accounts of the brand with their health."""
    brand = await scope.brand(brand_id)
    accounts = await SocialAccount.filter(brand_id=brand.id).order_by("platform", "id")
    return [AccountOut.of(a) for a in accounts]
