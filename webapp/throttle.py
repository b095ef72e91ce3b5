"""Who is asking, and how often they may try: the client address and sign-in/sign-up limits.

The client address is the connecting peer, or behind TRUSTED_PROXIES the address they
forwarded (core/client_address.py).

Failed sign-ins are counted per (client, account) and per client, never per account alone:
a stranger's wrong passwords block only the stranger, and the owner still signs in from
their own address. IPv6 clients count by their /64 network. Counts live in this process.
"""

from __future__ import annotations

import time
from collections import deque

from fastapi import Request

from core.client_address import Network, client_bucket, resolve_client
from core.config import Settings
from core.errors import OneClickError

PAIR_FAILURES = 5  # wrong passwords one client may try for one account per window
CLIENT_FAILURES = 30  # wrong passwords one client may try across accounts per window
FAILURE_WINDOW = 15 * 60.0
SIGNUP_WINDOW = 3600.0


class TooManyAttempts(OneClickError):
    """Too many sign-in or sign-up attempts from one client."""


def client_address(request: Request) -> str:
    """The address of the client that sent this request (see the module rules)."""
    trusted: tuple[Network, ...] = getattr(request.app.state, "trusted_proxies", ())
    peer = request.client.host if request.client else ""
    return resolve_client(peer, request.headers.getlist("x-forwarded-for"), trusted)


class SlidingWindow:
    """At most `limit` events per key within `window` seconds (one process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._events.setdefault(key, deque())
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        return stamps

    def wait_seconds(self, key: str) -> float:
        """0 when the key may act now, else how long until it may."""
        now = time.monotonic()
        stamps = self._recent(key, now)
        if len(stamps) < self.limit:
            return 0.0
        return self.window - (now - stamps[0])

    def hit(self, key: str) -> None:
        """Count one event."""
        now = time.monotonic()
        self._recent(key, now).append(now)
        if len(self._events) > 10_000:
            self._events = {
                k: v for k, v in self._events.items() if v and now - v[-1] <= self.window
            }

    def clear(self, key: str) -> None:
        """Forget the key's events."""
        self._events.pop(key, None)


def _refuse(what: str, wait: float) -> TooManyAttempts:
    return TooManyAttempts(f"{what} Wait {max(int(wait // 60) + 1, 1)} minute(s) and try again.")


class SignInGuard:
    """The limits of one app: failed sign-ins per (client, account) and client, sign-ups."""

    def __init__(self, settings: Settings) -> None:
        self.pairs = SlidingWindow(PAIR_FAILURES, FAILURE_WINDOW)
        self.clients = SlidingWindow(CLIENT_FAILURES, FAILURE_WINDOW)
        self.signups = SlidingWindow(settings.signup_per_address_per_hour, SIGNUP_WINDOW)

    def check_login(self, client: str, email: str) -> None:
        """TooManyAttempts when this client failed too often (for this account or overall)."""
        bucket = client_bucket(client)
        wait = max(self.pairs.wait_seconds(f"{bucket}|{email}"), self.clients.wait_seconds(bucket))
        if wait > 0:
            raise _refuse("Too many failed sign-ins from your address.", wait)

    def login_failed(self, client: str, email: str) -> None:
        """Count one wrong password."""
        bucket = client_bucket(client)
        self.pairs.hit(f"{bucket}|{email}")
        self.clients.hit(bucket)

    def login_succeeded(self, client: str, email: str) -> None:
        """The right password: this client's count for the account starts again."""
        self.pairs.clear(f"{client_bucket(client)}|{email}")

    def count_signup(self, client: str) -> None:
        """Count one sign-up attempt; TooManyAttempts past the hourly limit per client."""
        bucket = client_bucket(client)
        wait = self.signups.wait_seconds(bucket)
        if wait > 0:
            raise _refuse("Too many new accounts from your address.", wait)
        self.signups.hit(bucket)


def sign_in_guard(request: Request) -> SignInGuard:
    """The sign-in limits of this app (one per app, so tests and apps never share counts)."""
    return request.app.state.sign_in_guard
