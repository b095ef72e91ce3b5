"""Brands: the list and creating one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core.app import brands
from core.brands import reserved_slugs
from core.errors import Conflict, InvalidInput
from webapp.actors import WebActor
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, flash, redirect, render
from webapp.session import require_csrf

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)


@router.get("/brands")
async def brands_page(request: Request, actor: WebActor) -> Response:
    """The user's brands and a form to create one."""
    mine = await actor.scope.brands().order_by("name")
    return render(request, "pages/brands.html", brands=mine, error=None, name="", slug="")


@router.post("/brands", dependencies=[Csrf])
async def brand_create(
    request: Request,
    actor: WebActor,
    services: ServicesDep,
    name: Annotated[str, Form()],
    slug: Annotated[str, Form()] = "",
) -> Response:
    """Create a brand owned by the user, then open its inbox."""
    try:
        brand = await brands.create(
            actor, name=name, slug=slug.strip() or None, reserved=reserved_slugs(services.settings)
        )
    except (InvalidInput, Conflict) as exc:
        mine = await actor.scope.brands().order_by("name")
        return render(
            request,
            "pages/brands.html",
            status_code=400,
            brands=mine,
            error=exc.user_message,
            name=name,
            slug=slug,
        )
    flash(request, f"Brand “{brand.name}” created. Upload something to publish.")
    return redirect(f"/brands/{brand.id}/inbox")
