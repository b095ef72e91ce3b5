"""Shared helpers for connectors: one HTTP call wrapper, token storage and status polling.

`call` turns every transport failure, timeout, 5xx and 429 into a `ConnectorError` with
`retryable`/`retry_after` set, and hands other non-2xx answers to the connector's own error
mapper first. Nothing here logs a token: only the method and the URL without its query.

Calls that create a post say so (`creates=True`) and get the one nothing-twice rule:
refused before acting (never connected, 4xx, 429) is a plain error; a 5xx, a timeout or a
connection cut after the request left is `MaybeApplied` (the runner looks for the post
before any retry); a 2xx is applied. Either of the last two is noted in `core.effects`,
so a failure later in the same attempt (a malformed answer, a permalink read) is never
taken for "nothing went live".
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from core.effects import note_create_sent
from core.errors import AuthExpired, ConnectorError, MaybeApplied
from core.models import AccountStatus, SocialAccount
from core.security import TokenCipher

log = logging.getLogger(__name__)
T = TypeVar("T")
ErrorMapper = Callable[[httpx.Response], ConnectorError | None]
#: failures that happen before a request leaves this machine: nothing can have acted
NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
    httpx.LocalProtocolError,
)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def safe_url(url: httpx.URL | str) -> str:
    """The URL without its query string (where Meta puts access tokens)."""
    return str(httpx.URL(str(url)).copy_with(query=None))


async def call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    platform: str,
    label: str,
    errors: ErrorMapper | None = None,
    creates: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """One HTTP call to a network; a 2xx response, or a typed `ConnectorError`.

    `errors(response)` maps the platform's own error bodies; it may return None to fall
    back to the generic mapping (401 → AuthExpired, 429/5xx → retryable, other → final).
    `creates`: this call makes a post; see the module's docstring for what changes.
    """
    try:
        response = await http.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        log.warning("%s %s %s timed out", platform, method, safe_url(url))
        if creates and not isinstance(exc, NEVER_SENT):
            raise maybe_applied(platform, label, "did not answer in time", "timeout") from None
        raise ConnectorError(
            f"{label} did not answer in time; it will be retried.",
            platform=platform,
            retryable=True,
            code="timeout",
        ) from None
    except httpx.TransportError as exc:
        log.warning("%s %s %s failed: %s", platform, method, safe_url(url), type(exc).__name__)
        if creates and not isinstance(exc, NEVER_SENT):
            raise maybe_applied(
                platform, label, "closed the connection before answering", "connection_lost"
            ) from None
        raise ConnectorError(
            f"{label} could not be reached; it will be retried.",
            platform=platform,
            retryable=True,
            code="unreachable",
        ) from None
    if creates and (response.is_success or response.status_code >= 500):
        note_create_sent()
    if response.is_success:
        return response
    log.info("%s %s %s answered %s", platform, method, safe_url(url), response.status_code)
    mapped = errors(response) if errors is not None else None
    error = (
        mapped if mapped is not None else generic_error(response, platform=platform, label=label)
    )
    if creates and response.status_code >= 500 and not error.needs_reconnect:
        raise maybe_applied(
            platform,
            label,
            f"answered with an error ({response.status_code})",
            error.code or f"http_{response.status_code}",
            retry_after=error.retry_after,
        )
    raise error


def maybe_applied(
    platform: str, label: str, what: str, code: str, *, retry_after: float | None = None
) -> MaybeApplied:
    """The error of a create call that may have acted; noted for the running attempt."""
    note_create_sent()
    return MaybeApplied(
        f"{label} {what} after the post was sent, so it may already be "
        "there; it is looked up before anything is sent again.",
        platform=platform,
        retry_after=retry_after,
        code=code,
    )


def generic_error(response: httpx.Response, *, platform: str, label: str) -> ConnectorError:
    """The error for a non-2xx answer the platform mapper did not recognise."""
    status = response.status_code
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 429:
        return ConnectorError(
            f"{label} is limiting how fast we may post; it will be retried"
            + (f" in {human_delay(wait)}." if wait else " shortly."),
            platform=platform,
            retryable=True,
            retry_after=wait,
            code="rate_limited",
        )
    if status >= 500:
        return ConnectorError(
            f"{label} had a temporary problem ({status}); it will be retried.",
            platform=platform,
            retryable=True,
            retry_after=wait,
            code=f"http_{status}",
        )
    if status == 401:
        return AuthExpired(
            f"The {label} connection is no longer accepted; reconnect it on the "
            "brand's Connections page.",
            platform=platform,
            code="http_401",
        )
    return ConnectorError(
        f"{label} refused the request ({status}).", platform=platform, code=f"http_{status}"
    )


def human_delay(seconds: float | None) -> str:
    """A delay in plain words ("40 seconds", "3 minutes", "2.5 hours")."""
    if seconds is None:
        return "a moment"
    if seconds < 90:
        return f"{max(int(seconds), 1)} seconds"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600, 1):g} hours"


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} if the body is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --- tokens -------------------------------------------------------------------------------


def access_token(cipher: TokenCipher, account: SocialAccount, *, platform: str) -> str:
    """The account's access token in clear (only in memory, never logged)."""
    try:
        token = cipher.decrypt(account.access_token_enc)
    except ValueError:
        token = None
    if not token:
        raise AuthExpired(
            "This account has no usable token; reconnect it on the brand's Connections page.",
            platform=platform,
            code="no_token",
        )
    return token


def refresh_token_of(cipher: TokenCipher, account: SocialAccount) -> str | None:
    """The account's refresh token in clear, or None."""
    try:
        return cipher.decrypt(account.refresh_token_enc)
    except ValueError:
        return None


def expiry(seconds: float | int | str | None) -> datetime | None:
    """An absolute expiry time from an `expires_in`-style value."""
    if seconds in (None, "", 0, "0"):
        return None
    try:
        return datetime.now(UTC) + timedelta(seconds=float(seconds))
    except (TypeError, ValueError):
        return None


async def store_tokens(
    cipher: TokenCipher,
    account: SocialAccount,
    *,
    access: str,
    refresh: str | None = None,
    expires_in: float | int | str | None = None,
    refresh_expires_in: float | int | str | None = None,
    save: bool = True,
) -> SocialAccount:
    """Encrypt and keep new tokens; a missing new refresh token never erases the stored one."""
    account.access_token_enc = cipher.encrypt(access)
    account.token_expires_at = expiry(expires_in)
    if refresh:
        account.refresh_token_enc = cipher.encrypt(refresh)
    if refresh_expires_in is not None:
        account.refresh_expires_at = expiry(refresh_expires_in)
    if save and account.pk is not None:
        await account.save(
            update_fields=[
                "access_token_enc",
                "refresh_token_enc",
                "token_expires_at",
                "refresh_expires_at",
            ]
        )
    return account


# --- polling ------------------------------------------------------------------------------


async def poll_until(
    check: Callable[[], Awaitable[T | None]],
    *,
    deadline: float,
    interval: float,
    platform: str,
    what: str,
    max_interval: float | None = None,
    backoff: float = 1.5,
) -> T:
    """Call `check` until it returns a value (None: "not yet") or `deadline` seconds pass.

    `check` raises to stop early (a failed container). Past the deadline: a retryable
    `ConnectorError` saying what was still processing.
    """
    ends = time.monotonic() + deadline
    delay = interval
    cap = max_interval if max_interval is not None else max(interval * 10, interval)
    while True:
        result = await check()
        if result is not None:
            return result
        if time.monotonic() + delay > ends:
            raise ConnectorError(
                f"{what} was still processing after {human_delay(deadline)}; "
                "it will be checked again.",
                platform=platform,
                retryable=True,
                code="processing_timeout",
            )
        await asyncio.sleep(delay)
        delay = min(delay * backoff, cap)


def form(values: Mapping[str, Any]) -> dict[str, str]:
    """Form fields without None values, everything as strings (bools lower-case)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


async def forget_tokens(account: SocialAccount, *, keep_refresh: bool = False) -> None:
    """Mark the account disconnected and drop its tokens (the caller audits who did it)."""
    account.status = AccountStatus.DISCONNECTED
    account.access_token_enc = None
    fields = ["status", "access_token_enc"]
    if not keep_refresh:
        account.refresh_token_enc = None
        fields.append("refresh_token_enc")
    await account.save(update_fields=fields)


INLINE_READ_MAX_BYTES = 512 * 1024


async def media_bytes(path: Path, size: int | None) -> bytes:
    """The bytes of a prepared media file: a photo (under 512 KiB) is read inline from
    the local media store; anything larger, or of unknown size, in a thread."""
    if size is not None and 0 < size <= INLINE_READ_MAX_BYTES:
        return _read(path)
    return await asyncio.to_thread(_read, path)


def _read(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()
