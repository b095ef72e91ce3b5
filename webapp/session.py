"""Browser sessions: signed cookies, the signed-in user, CSRF tokens and the login rate limit.

The session is a small JSON dict signed with `settings.secret_key` (Starlette's
SessionMiddleware): HttpOnly, SameSite=Lax, Secure when PUBLIC_BASE_URL is https.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.sessions import SessionMiddleware

from core.config import Settings
from core.errors import Forbidden, OneClickError
from core.models import User

SESSION_COOKIE = "oneclick_session"
SESSION_MAX_AGE = 14 * 24 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_USER_KEY = "uid"
_FINGERPRINT_KEY = "pwf"
_CSRF_KEY = "csrf"
_DATA_KEY = "data"


class LoginRequired(Exception):  # noqa: N818 - a control-flow signal, handled by the app
    """Raised by `web_user` when nobody is signed in: the app redirects to /login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class TooManyAttempts(OneClickError):
    """Too many failed sign-ins from one place or for one email."""


def install_sessions(app: FastAPI, settings: Settings) -> None:
    """Add the signed-cookie session middleware and the login redirect to the app."""
    app.state.login_limiter = LoginLimiter()
    if settings.secret_key is None:
        settings.ensure_secrets()
    assert settings.secret_key is not None
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE, same_site="lax",
        https_only=settings.public_base_url.lower().startswith("https://"))

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if "application/json" in request.headers.get("accept", ""):  # fetch() calls
            return JSONResponse({"detail": "Your session has ended. Sign in again."},
                                status_code=401)
        return RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)


def safe_next(url: str | None, default: str = "/brands") -> str:
    """A local path to go to after sign-in; anything else (other hosts, //x) → default."""
    if not url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") \
            or "\\" in url:
        return default
    return url


def _fingerprint(user: User) -> str:
    """Changes when the password changes, so old cookies stop working."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def sign_in(request: Request, user: User) -> None:
    """Start a fresh session for the user (a new CSRF token, old session data dropped)."""
    request.session.clear()
    request.session[_USER_KEY] = user.id
    request.session[_FINGERPRINT_KEY] = _fingerprint(user)
    request.session[_CSRF_KEY] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    """End the session: the cookie is cleared."""
    request.session.clear()


async def current_user(request: Request) -> User | None:
    """The signed-in user, or None."""
    cached = getattr(request.state, "web_user", None)
    if cached is not None:
        return cached
    user_id = request.session.get(_USER_KEY)
    if not isinstance(user_id, int):
        return None
    user = await User.get_or_none(id=user_id, is_active=True)
    if user is None or not hmac.compare_digest(
            str(request.session.get(_FINGERPRINT_KEY, "")), _fingerprint(user)):
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
        raise Forbidden("This form has expired or did not come from this site. "
                        "Reload the page and try again.")


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
    request.session.mark_modified()  # nested changes are saved with the response
    return data


class LoginLimiter:
    """Failed sign-ins per client address and per email in a sliding window (one process)."""

    def __init__(self, max_failures: int = 5, window_seconds: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.setdefault(key, deque())
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        return stamps

    def check(self, *keys: str) -> None:
        """TooManyAttempts when any key has too many recent failures."""
        now = time.monotonic()
        for key in keys:
            stamps = self._recent(key, now)
            if len(stamps) >= self.max_failures:
                wait = int(self.window - (now - stamps[0])) + 1
                raise TooManyAttempts(
                    f"Too many failed sign-ins. Wait {max(wait // 60, 1)} minute(s) and try again.")

    def failed(self, *keys: str) -> None:
        """Count one failed attempt for each key."""
        now = time.monotonic()
        for key in keys:
            self._recent(key, now).append(now)
        if len(self._failures) > 10_000:
            self._failures = {k: v for k, v in self._failures.items()
                              if v and now - v[-1] <= self.window}

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys."""
        for key in keys:
            self._failures.pop(key, None)


def login_limiter(request: Request) -> LoginLimiter:
    """The sign-in limiter of this app (one per app, so tests and apps never share counts)."""
    return request.app.state.login_limiter  # type: ignore[no-any-return]
