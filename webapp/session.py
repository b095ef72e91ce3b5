"""Browser sessions: signed cookies, the signed-in user and CSRF tokens.

The session is a small JSON dict signed with `settings.secret_key` (Starlette's
SessionMiddleware): HttpOnly, SameSite=Lax, Secure when PUBLIC_BASE_URL is https. Who is
signed in is decided on the server: the cookie holds the key of a `WebSession` row
(core/sessions.py), so sign-out, a password change or "sign out everywhere" ends it.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.sessions import Session, SessionMiddleware

from core.client_address import parse_proxies
from core.config import Settings
from core.errors import Forbidden
from core.models import User
from core.sessions import end_session, open_session, session_user
from webapp.throttle import SignInGuard, client_address

SESSION_COOKIE = "oneclick_session"
SESSION_MAX_AGE = 14 * 24 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SESSION_KEY = "sid"
_CSRF_KEY = "csrf"
_DATA_KEY = "data"


class LoginRequired(Exception):  # a control-flow signal, handled by the app
    """Raised by `web_user` when nobody is signed in: the app redirects to /login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def install_sessions(app: FastAPI, settings: Settings) -> None:
    """Add the signed-cookie session middleware and the login redirect to the app."""
    app.state.trusted_proxies = parse_proxies(settings.trusted_proxies)
    app.state.sign_in_guard = SignInGuard(settings)
    if settings.secret_key is None:
        settings.ensure_secrets()
    assert settings.secret_key is not None
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.public_base_url.lower().startswith("https://"),
    )

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if "application/json" in request.headers.get("accept", ""):  # fetch() calls
            return JSONResponse(
                {"detail": "Your session has ended. Sign in again."}, status_code=401
            )
        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)


def safe_next(url: str | None, default: str = "/brands") -> str:
    """A local path to go to after sign-in; anything else (other hosts, //x) → default."""
    if not url:
        return default
    parts = urlsplit(url)
    if (
        parts.scheme
        or parts.netloc
        or not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
    ):
        return default
    return url


async def sign_in(request: Request, user: User) -> None:
    """Start a fresh server-side session (a new key and CSRF token, old data dropped)."""
    request.session.clear()
    request.session[_SESSION_KEY] = await open_session(
        user, address=client_address(request), user_agent=request.headers.get("user-agent", "")
    )
    request.session[_CSRF_KEY] = secrets.token_urlsafe(32)
    request.state.web_user = user
    request.state.user = user


async def sign_out(request: Request) -> None:
    """End the session on the server (its cookie no longer works) and clear the cookie."""
    key = request.session.get(_SESSION_KEY)
    if isinstance(key, str):
        await end_session(key)
    request.session.clear()
    request.state.web_user = None


async def current_user(request: Request) -> User | None:
    """The signed-in user, or None."""
    cached = getattr(request.state, "web_user", None)
    if cached is not None:
        return cached
    key = request.session.get(_SESSION_KEY)
    if not isinstance(key, str):
        return None
    user = await session_user(key)
    if user is None:
        request.session.clear()
        return None
    request.state.web_user = user
    request.state.user = user
    return user


async def web_user(request: Request) -> User:
    """FastAPI dependency: the signed-in user; otherwise a redirect to /login?next=..."""
    user = await current_user(request)
    if user is None:
        if request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        else:
            target = urlsplit(request.headers.get("referer", "")).path
        raise LoginRequired(safe_next(target))
    return user


WebUser = Annotated[User, Depends(web_user)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use); put it in every POST form."""
    token = request.session.get(_CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[_CSRF_KEY] = token
    return str(token)


def _csrf_matches(request: Request, sent: str | None) -> bool:
    expected = request.session.get(_CSRF_KEY)
    return bool(expected and sent) and hmac.compare_digest(str(expected), str(sent))


async def require_csrf(request: Request) -> None:
    """FastAPI dependency for POST forms: the X-CSRF-Token header or the form field must match."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not _csrf_matches(request, sent):
        raise Forbidden(
            "This form has expired or did not come from this site. Reload the page and try again."
        )


async def require_csrf_header(request: Request) -> None:
    """For streamed uploads and fetch() calls: only the X-CSRF-Token header is read."""
    if not _csrf_matches(request, request.headers.get(CSRF_HEADER)):
        raise Forbidden("This request did not come from this site. Reload the page and try again.")


def session_data(request: Request) -> dict[str, Any]:
    """A small dict kept in the signed session cookie (e.g. an OAuth nonce); keep it tiny."""
    data = request.session.get(_DATA_KEY)
    if not isinstance(data, dict):
        data = {}
        request.session[_DATA_KEY] = data
    if isinstance(request.session, Session):  # starlette's own: it tracks top-level changes only
        request.session.mark_modified()  # nested changes are saved with the response
    return data
