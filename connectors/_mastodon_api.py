"""Mastodon's text rules, server addresses and error answers (the connector is mastodon.py)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import regex

from connectors._http import json_body, retry_after_seconds
from core.errors import AuthExpired, ConnectorError, InvalidInput, OutboundRefused
from core.net_guard import OutboundPolicy, origin

log = logging.getLogger(__name__)
PLATFORM = "mastodon"
LABEL = "Mastodon"
SCOPES = ("read:accounts", "read:statuses", "write:media", "write:statuses")
_URL = regex.compile(r"https?://[^\s<>\"]+")
_MENTION = regex.compile(r"(?<=^|[^\w/])@(\w+)@[\w.-]+\w")
LIMITS_TTL_SECONDS = 600.0
UNREACHABLE = (
    "We could not connect to that Mastodon server. Check the address (like "
    "mastodon.social): only public https:// servers can be used."
)


def status_length(text: str, url_length: int = 23) -> int:
    """Length as Mastodon counts it: graphemes, each URL as `url_length`, remote mentions
    as their local part."""
    text = _MENTION.sub(lambda m: "@" + m.group(1), text)
    links = len(_URL.findall(text))
    rest = _URL.sub("", text)
    return len(regex.findall(r"\X", rest)) + links * url_length


def normalize_server(value: str, policy: OutboundPolicy | None = None) -> str:
    """ "mastodon.social", "@me@mastodon.social" or a URL → "https://mastodon.social" (the
    origin only: no path, query or fragment; a public https server unless the test-only
    outbound settings say otherwise)."""
    value = value.strip()
    if not value:
        raise InvalidInput("Give the address of your Mastodon server, like mastodon.social.")
    if "://" not in value:
        value = "https://" + value.rsplit("@", 1)[-1]
    try:
        return origin(value, policy or OutboundPolicy())
    except OutboundRefused as exc:
        log.info("mastodon server address refused: %s", exc.detail)
        raise InvalidInput(
            "The Mastodon server address must be a public https:// address "
            "like https://mastodon.social."
        ) from None


@contextlib.contextmanager
def server_answers(step: str) -> Iterator[None]:
    """While connecting: every failure to get a usable answer from the server is told in
    the same words (no oracle for addresses or ports); what happened goes to the log."""
    try:
        yield
    except InvalidInput:
        raise
    except (ConnectorError, KeyError, TypeError, ValueError) as exc:
        log.info(
            "mastodon %s failed: %s %s",
            step,
            type(exc).__name__,
            getattr(exc, "detail", None) or getattr(exc, "code", None) or "",
        )
        raise InvalidInput(UNREACHABLE) from None


def _reset_seconds(response: httpx.Response) -> float | None:
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    reset = response.headers.get("X-RateLimit-Reset")
    if wait is None and reset:
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
            wait = max((when - datetime.now(UTC)).total_seconds(), 1.0)
    return wait


def map_error(response: httpx.Response) -> ConnectorError | None:
    """Mastodon's `{"error": ...}` answers as typed errors."""
    status = response.status_code
    message = str(json_body(response).get("error") or "")
    if status == 401:
        return AuthExpired(
            "Mastodon no longer accepts this connection; reconnect the account "
            "on the brand's Connections page.",
            platform=PLATFORM,
            code="unauthorized",
        )
    if status == 403:
        return ConnectorError(
            "This Mastodon account may not post right now (suspended or "
            "missing permission). Reconnect it or check the account.",
            platform=PLATFORM,
            needs_reconnect=True,
            code="forbidden",
        )
    if status == 429:
        return ConnectorError(
            "The Mastodon server is limiting how fast we may post; it will be retried later.",
            platform=PLATFORM,
            retryable=True,
            retry_after=_reset_seconds(response) or 300.0,
            code="rate_limited",
        )
    if status >= 500:
        return ConnectorError(
            "The Mastodon server had a temporary problem; it will be retried.",
            platform=PLATFORM,
            retryable=True,
            retry_after=_reset_seconds(response),
            code="server_error",
        )
    if status == 422:
        log.info("mastodon refused the post: %.300r", message)
        words = (
            "The post is over this Mastodon server's character limit."
            if "character limit" in message.lower()
            else "Mastodon refused the post as invalid (its text or media)."
        )
        return ConnectorError(words, platform=PLATFORM, code="unprocessable")
    return None
