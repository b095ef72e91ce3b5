"""The signed-in user's account: API keys, password change, signing out everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core.errors import Forbidden, InvalidInput
from core.models import ApiKey
from core.sessions import end_all_sessions
from core.users import change_password, create_api_key, revoke_api_key
from webapp.pages.auth import MAX_PASSWORD
from webapp.pages.common import WebRoute, flash, redirect, render
from webapp.session import WebUser, require_csrf, sign_in, sign_out

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


@router.get("/profile/password")
async def password_page(request: Request, user: WebUser) -> Response:
    """The password change form."""
    return render(request, "pages/password.html", error=None)


@router.post("/profile/password", dependencies=[Csrf])
async def password_change(
        request: Request, user: WebUser,
        current_password: Annotated[str, Form(max_length=MAX_PASSWORD)],
        new_password: Annotated[str, Form(max_length=MAX_PASSWORD)],
        new_password_again: Annotated[str, Form(max_length=MAX_PASSWORD)]) -> Response:
    """Change the password: every other session ends, this browser gets a fresh one."""
    if new_password != new_password_again:
        return render(request, "pages/password.html", status_code=400,
                      error="The two new passwords are different.")
    try:
        await change_password(user, current_password, new_password, origin="web")
    except (Forbidden, InvalidInput) as exc:
        return render(request, "pages/password.html", status_code=400, error=exc.user_message)
    await sign_in(request, user)
    flash(request, "Password changed. Every other browser signed in to your account is "
                   "signed out.")
    return redirect("/profile")


@router.post("/profile/sign-out-everywhere", dependencies=[Csrf])
async def sign_out_everywhere(request: Request, user: WebUser) -> Response:
    """End every session of the user, this one included."""
    await end_all_sessions(user, origin="web", reason="sign_out_everywhere")
    await sign_out(request)
    return redirect("/login")
