"""The signed-in user's account: API keys, password change, signing out everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core.app import users
from core.errors import Forbidden, InvalidInput
from core.models import ApiKey, User
from webapp.actors import WebActor
from webapp.pages.auth import MAX_PASSWORD
from webapp.pages.common import WebRoute, flash, redirect, render
from webapp.session import require_csrf, sign_in, sign_out

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)


async def _page(request: Request, user: User, new_key: str | None = None) -> Response:
    keys = await ApiKey.filter(user_id=user.id).order_by("-created_at", "-id")
    return render(request, "pages/profile.html", keys=keys, new_key=new_key)


@router.get("/profile")
async def profile_page(request: Request, actor: WebActor) -> Response:
    """The user's API keys."""
    return await _page(request, actor.user)


@router.post("/profile/api-keys", dependencies=[Csrf])
async def new_api_key(
    request: Request, actor: WebActor, name: Annotated[str, Form(max_length=120)] = ""
) -> Response:
    """A new API key, shown once on the answer page."""
    _, key = await users.create_api_key(actor, name=name)
    return await _page(request, actor.user, new_key=key)


@router.post("/profile/api-keys/{key_id}/revoke", dependencies=[Csrf])
async def revoke(request: Request, key_id: int, actor: WebActor) -> Response:
    """Revoke one of the user's keys."""
    await users.revoke_api_key(actor, key_id=key_id)
    flash(request, "API key revoked.")
    return redirect("/profile")


@router.get("/profile/password")
async def password_page(request: Request, actor: WebActor) -> Response:
    """The password change form."""
    return render(request, "pages/password.html", error=None)


@router.post("/profile/password", dependencies=[Csrf])
async def password_change(
    request: Request,
    actor: WebActor,
    current_password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    new_password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    new_password_again: Annotated[str, Form(max_length=MAX_PASSWORD)],
) -> Response:
    """Change the password: every other session ends, this browser gets a fresh one."""
    if new_password != new_password_again:
        return render(
            request,
            "pages/password.html",
            status_code=400,
            error="The two new passwords are different.",
        )
    try:
        await users.change_password(actor, current=current_password, new=new_password)
    except (Forbidden, InvalidInput) as exc:
        return render(request, "pages/password.html", status_code=400, error=exc.user_message)
    await sign_in(request, actor.user)
    flash(request, "Password changed. Every other browser signed in to your account is signed out.")
    return redirect("/profile")


@router.post("/profile/sign-out-everywhere", dependencies=[Csrf])
async def sign_out_everywhere(request: Request, actor: WebActor) -> Response:
    """End every session of the user, this one included."""
    await users.end_all_sessions(actor)
    await sign_out(request)
    return redirect("/login")
