"""Sign up, sign in and sign out (limits per client address: webapp/throttle.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from core.errors import Conflict, InvalidInput
from core.models import User
from core.security import hash_password, verify_password_async
from core.users import UNUSABLE_PASSWORD, create_user, normalise_email
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, error_page, redirect, render
from webapp.session import current_user, require_csrf, safe_next, sign_in, sign_out
from webapp.throttle import client_address, sign_in_guard

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Csrf = Depends(require_csrf)
_DUMMY_HASH = hash_password("not a real password, used for equal timing")
MAX_PASSWORD = 1024
SIGNUP_CLOSED = (
    "New accounts cannot be created here: sign-up is turned off on this server. "
    "Ask its operator for an account."
)


@router.get("/")
async def home(request: Request) -> Response:
    """Signed in → the brands; otherwise the sign-in page."""
    return redirect("/brands" if await current_user(request) else "/login")


@router.get("/login")
async def login_page(request: Request, services: ServicesDep, next: str | None = None) -> Response:
    """The sign-in form."""
    if await current_user(request):
        return redirect(safe_next(next))
    return render(
        request,
        "pages/login.html",
        next=safe_next(next),
        email="",
        error=None,
        signup_open=services.settings.signup_open,
    )


@router.post("/login", dependencies=[Csrf])
async def login(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the password (limited per client and account) and start a session."""
    try:
        address = normalise_email(email)
    except InvalidInput:
        address = email.strip().lower()[:320]
    client = client_address(request)
    guard = sign_in_guard(request)
    guard.check_login(client, address)
    user = await User.get_or_none(email=address, is_active=True)
    usable = user is not None and user.password_hash != UNUSABLE_PASSWORD
    valid = await verify_password_async(
        user.password_hash if user and usable else _DUMMY_HASH, password
    )
    if user is None or not usable or not valid:
        guard.login_failed(client, address)
        return render(
            request,
            "pages/login.html",
            status_code=400,
            next=safe_next(next),
            email=email,
            error="That email and password do not match an account.",
            signup_open=services.settings.signup_open,
        )
    guard.login_succeeded(client, address)
    await sign_in(request, user)
    return redirect(safe_next(next))


@router.get("/signup")
async def signup_page(request: Request, services: ServicesDep) -> Response:
    """The sign-up form (when public sign-up is on)."""
    if await current_user(request):
        return redirect("/brands")
    if not services.settings.signup_open:
        return error_page(request, 403, SIGNUP_CLOSED)
    return render(request, "pages/signup.html", email="", error=None)


@router.post("/signup", dependencies=[Csrf])
async def signup(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=MAX_PASSWORD)],
    password_again: Annotated[str, Form(max_length=MAX_PASSWORD)],
) -> Response:
    """Create the account and sign in (limited per client address)."""
    settings = services.settings
    if not settings.signup_open:
        return error_page(request, 403, SIGNUP_CLOSED)
    sign_in_guard(request).count_signup(client_address(request))
    error = None
    if password != password_again:
        error = "The two passwords are different."
    else:
        try:
            user = await create_user(
                email, password, origin="web", reserved=(settings.promo_bot_email,)
            )
        except (InvalidInput, Conflict) as exc:
            error = exc.user_message
    if error is not None:
        return render(request, "pages/signup.html", status_code=400, email=email, error=error)
    await sign_in(request, user)
    return redirect("/brands")


@router.post("/logout", dependencies=[Csrf])
async def logout(request: Request) -> Response:
    """End the session on the server and clear the cookie."""
    await sign_out(request)
    return redirect("/login")
