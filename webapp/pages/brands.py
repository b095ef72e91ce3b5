"""Brands: the list and creating one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core.brands import create_brand, reserved_slugs
from core.errors import Conflict, InvalidInput
from core.tenancy import BrandScope
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, flash, redirect, render
from webapp.session import WebUser, require_csrf

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)


@router.get("/brands")
async def brands_page(request: Request, user: WebUser) -> Response:
    """The user's brands and a form to create one."""
    brands = await BrandScope(user).brands().order_by("name")
    return render(request, "pages/brands.html", brands=brands, error=None, name="", slug="")


@router.post("/brands", dependencies=[Csrf])
async def brand_create(request: Request, user: WebUser, services: ServicesDep,
                       name: Annotated[str, Form()], slug: Annotated[str, Form()] = ""
                       ) -> Response:
    """Create a brand owned by the user, then open its inbox."""
    try:
        brand = await create_brand(user, name, slug=slug.strip() or None, origin="web",
                                   reserved=reserved_slugs(services.settings))
    except (InvalidInput, Conflict) as exc:
        brands = await BrandScope(user).brands().order_by("name")
        return render(request, "pages/brands.html", status_code=400, brands=brands,
                      error=exc.user_message, name=name, slug=slug)
    flash(request, f"Brand “{brand.name}” created. Upload something to publish.")
    return redirect(f"/brands/{brand.id}/inbox")
