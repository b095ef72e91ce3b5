"""Sign up, sign in and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core.errors import Conflict, InvalidInput
from core.models import User
from core.security import hash_password, verify_password
from core.users import create_user, normalise_email
from webapp.pages.common import WebRoute, redirect, render
from webapp.session import (
    current_user,
    login_limiter,
    require_csrf,
    safe_next,
    sign_in,
    sign_out,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)
_DUMMY_HASH = hash_password("not a real password, used for equal timing")


def _client_key(request: Request) -> str:
    return "ip:" + (request.client.host if request.client else "?")


@router.get("/")
async def home(request: Request) -> Response:
    """Signed in → the brands; otherwise the sign-in page."""
    return redirect("/brands" if await current_user(request) else "/login")


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    if await current_user(request):
        return redirect(safe_next(next))
    return render(request, "pages/login.html", next=safe_next(next), email="", error=None)


@router.post("/login", dependencies=[Csrf])
async def login(request: Request, email: Annotated[str, Form()],
                password: Annotated[str, Form()], next: Annotated[str, Form()] = "") -> Response:
    """Check the password (rate limited per address and per email) and start a session."""
    try:
        address = normalise_email(email)
    except InvalidInput:
        address = email.strip().lower()[:320]
    keys = (_client_key(request), "email:" + address)
    limiter = login_limiter(request)
    limiter.check(*keys)
    user = await User.get_or_none(email=address, is_active=True)
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid:
        limiter.failed(*keys)
        return render(request, "pages/login.html", status_code=400, next=safe_next(next),
                      email=email, error="That email and password do not match an account.")
    limiter.succeeded("email:" + address)
    sign_in(request, user)
    return redirect(safe_next(next))


@router.get("/signup")
async def signup_page(request: Request) -> Response:
    """The sign-up form."""
    if await current_user(request):
        return redirect("/brands")
    return render(request, "pages/signup.html", email="", error=None)


@router.post("/signup", dependencies=[Csrf])
async def signup(request: Request, email: Annotated[str, Form()],
                 password: Annotated[str, Form()],
                 password_again: Annotated[str, Form()]) -> Response:
    """Create the account and sign in."""
    error = None
    if password != password_again:
        error = "The two passwords are different."
    else:
        try:
            user = await create_user(email, password, origin="web")
        except (InvalidInput, Conflict) as exc:
            error = exc.user_message
    if error is not None:
        return render(request, "pages/signup.html", status_code=400, email=email, error=error)
    sign_in(request, user)
    return redirect("/brands")


@router.post("/logout", dependencies=[Csrf])
async def logout(request: Request) -> Response:
    """End the session."""
    sign_out(request)
    return redirect("/login")
