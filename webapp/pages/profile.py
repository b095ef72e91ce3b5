"""The signed-in user's profile: API keys created and revoked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core.models import ApiKey
from core.users import create_api_key, revoke_api_key
from webapp.pages.common import WebRoute, flash, redirect, render
from webapp.session import WebUser, require_csrf

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)


async def _page(request: Request, user: WebUser, new_key: str | None = None) -> Response:
    keys = await ApiKey.filter(user_id=user.id).order_by("-created_at", "-id")
    return render(request, "pages/profile.html", keys=keys, new_key=new_key)


@router.get("/profile")
async def profile_page(request: Request, user: WebUser) -> Response:
    """The user's API keys."""
    return await _page(request, user)


@router.post("/profile/api-keys", dependencies=[Csrf])
async def new_api_key(request: Request, user: WebUser,
                      name: Annotated[str, Form(max_length=120)] = "") -> Response:
    """A new API key, shown once on the answer page."""
    _, key = await create_api_key(user, name=name.strip(), origin="web")
    return await _page(request, user, new_key=key)


@router.post("/profile/api-keys/{key_id}/revoke", dependencies=[Csrf])
async def revoke(request: Request, key_id: int, user: WebUser) -> Response:
    """Revoke one of the user's keys."""
    await revoke_api_key(user, key_id, origin="web")
    flash(request, "API key revoked.")
    return redirect("/profile")
