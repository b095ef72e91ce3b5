"""What Meta's three APIs share: error bodies, rate-limit headers, calls, container polling."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx

from connectors._http import call, human_delay, json_body, poll_until
from connectors.base import ConnectorContext
from core import audit
from core.errors import AuthExpired, ConnectorError
from core.models import AuditLog, PublishTarget

_VERSION = re.compile(r"/v\d+(\.\d+)?/?$")
RATE_CODES = {4, 17, 32, 613, 80001, 80002}
SERVER_SUBCODES = {2207001, 2207032, 2207053}
FETCH_SUBCODES = {2207003, 2207052}
DEFAULT_RATE_WAIT = 600.0
CONTAINER_ACTION = "target.container_created"


def possessive(label: str) -> str:
    """ "Instagram's", "Threads'"."""
    return label + ("'" if label.endswith("s") else "'s")


def api_root(base: str) -> str:
    """A versioned Graph base without its version (`…/v24.0` → `…`)."""
    return _VERSION.sub("", base.rstrip("/"))


def regain_seconds(response: httpx.Response) -> float | None:
    """Seconds until access returns, from Meta's usage headers (or Retry-After)."""
    waits: list[float] = []
    for header in ("x-business-use-case-usage", "x-app-usage", "x-ad-account-usage"):
        raw = response.headers.get(header)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        entries = (
            [e for v in data.values() for e in (v if isinstance(v, list) else [v])]
            if isinstance(data, dict)
            else []
        )
        for entry in entries:
            minutes = (
                entry.get("estimated_time_to_regain_access") if isinstance(entry, dict) else None
            )
            if isinstance(minutes, int | float) and minutes > 0:
                waits.append(minutes * 60.0)
    retry = response.headers.get("retry-after")
    if retry and retry.strip().isdigit():
        waits.append(float(retry))
    return max(waits) if waits else None


def graph_error(
    ctx: ConnectorContext,
    platform: str,
    label: str,
    *,
    code: int | None,
    subcode: int | None,
    message: str = "",
    status: int = 400,
    transient: bool = False,
    wait: float | None = None,
) -> ConnectorError:
    """The typed error for one of Meta's error codes, with a message in plain words."""
    tag = str(subcode or code or status)
    if code == 190 or code == 102:
        return AuthExpired(
            f"{label} no longer accepts this account's sign-in; it needs to be "
            "renewed or reconnected on the brand's Connections page.",
            platform=platform,
            code="190",
        )
    if subcode == 2207042 or code == 9:
        wait = wait or 3600.0
        return ConnectorError(
            f"{possessive(label)} daily publishing limit for this account is reached; it will "
            f"be retried in {human_delay(wait)}.",
            platform=platform,
            retryable=True,
            retry_after=wait,
            code="2207042",
        )
    if subcode == 2207051:
        return ConnectorError(
            f"{label} blocked this post as possible spam or a breach of its "
            "rules. Change the post before trying again.",
            platform=platform,
            code="2207051",
        )
    if code in RATE_CODES:
        wait = wait or DEFAULT_RATE_WAIT
        return ConnectorError(
            f"{label} is limiting how many requests this app may make; it "
            f"will be retried in {human_delay(wait)}.",
            platform=platform,
            retryable=True,
            retry_after=wait,
            code=str(code),
        )
    if subcode == 2207020:
        return ConnectorError(
            f"{label} let the prepared upload expire before it was "
            "published; it will be prepared again.",
            platform=platform,
            retryable=True,
            code="2207020",
        )
    if subcode in FETCH_SUBCODES:
        base = ctx.settings.public_base_url
        return ConnectorError(
            f"{label} could not download the media from this server ({base}). {label} fetches "
            "files from PUBLIC_BASE_URL, so that address must be reachable from the internet: "
            "set a public PUBLIC_BASE_URL or run a tunnel (see the README). It will be "
            "retried.",
            platform=platform,
            retryable=True,
            code=str(subcode),
        )
    if code == 36000 or subcode == 2207004:
        return ConnectorError(
            f"The image is larger than {label} accepts (8 MB). Send a smaller photo.",
            platform=platform,
            code="2207004",
        )
    if subcode in SERVER_SUBCODES or status >= 500 or transient or code in (1, 2):
        return ConnectorError(
            f"{label} had a temporary problem; it will be retried.",
            platform=platform,
            retryable=True,
            code=tag,
        )
    if code in (10, 200, 3) or (code is not None and 200 <= code < 300):
        return ConnectorError(
            f"{label} says this app lacks the permission to post here; "
            "reconnect the account and approve every permission.",
            platform=platform,
            needs_reconnect=True,
            code=tag,
        )
    reason = re.sub(r"[{}]", "", message)[:160] or "no reason given"
    return ConnectorError(f"{label} refused the post: {reason}", platform=platform, code=tag)


def error_mapper(
    ctx: ConnectorContext, platform: str, label: str
) -> Callable[[httpx.Response], ConnectorError | None]:
    """A `_http.call` error mapper for Meta's `{"error": {...}}` bodies."""

    def mapper(response: httpx.Response) -> ConnectorError | None:
        error = json_body(response).get("error")
        if not isinstance(error, dict):
            return None
        return graph_error(
            ctx,
            platform,
            label,
            code=_int(error.get("code")),
            subcode=_int(error.get("error_subcode")),
            message=str(error.get("error_user_msg") or error.get("message") or ""),
            status=response.status_code,
            transient=bool(error.get("is_transient")),
            wait=regain_seconds(response),
        )

    return mapper


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def subcode_in(text: str) -> int | None:
    """The 7-digit Meta subcode mentioned in a status string, if any."""
    match = re.search(r"\b(22\d{5}|1363\d{3})\b", text or "")
    return int(match.group(1)) if match else None


class GraphClient:
    """Calls one Meta API with a token; every answer is a JSON object or a typed error."""

    def __init__(self, ctx: ConnectorContext, platform: str, label: str, base: str) -> None:
        self.ctx, self.platform, self.label, self.base = ctx, platform, label, base.rstrip("/")
        self.errors = error_mapper(ctx, platform, label)

    async def get(self, path: str, token: str, **params: Any) -> dict[str, Any]:
        """GET `base/path` with the token in the query."""
        return await self.request("GET", path, token, params=params)

    async def post(
        self, path: str, token: str, *, creates: bool = False, **data: Any
    ) -> dict[str, Any]:
        """POST a form to `base/path` with the token in the form (`creates`: makes a post)."""
        return await self.request("POST", path, token, data=data, creates=creates)

    async def request(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        url: str | None = None,
        creates: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """One call; `url` overrides `base/path` (token endpoints outside the version)."""
        clean = {
            k: str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in (params or {}).items()
            if v is not None
        }
        form = (
            {
                k: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in (data or {}).items()
                if v is not None
            }
            if data is not None
            else None
        )
        if token is not None:
            (form if form is not None else clean)["access_token"] = token
        response = await call(
            self.ctx.http,
            method,
            url or f"{self.base}/{path.lstrip('/')}",
            platform=self.platform,
            label=self.label,
            errors=self.errors,
            params=clean or None,
            data=form,
            creates=creates,
            **kwargs,
        )
        return json_body(response)

    async def wait_for(self, what: str, check: Callable[[], Awaitable[Any | None]]) -> Any:
        """Poll with the configured interval and deadline."""
        settings = self.ctx.settings
        return await poll_until(
            check,
            deadline=settings.connector_poll_timeout_seconds,
            interval=settings.connector_poll_interval_seconds,
            platform=self.platform,
            what=what,
        )

    async def wait_container(
        self, container: str, token: str, *, state_field: str, detail_field: str
    ) -> None:
        """Poll a media container until FINISHED; ERROR/EXPIRED become typed errors.

        Instagram names the fields `status_code`/`status`, Threads `status`/`error_message`.
        """

        async def check() -> bool | None:
            data = await self.get(container, token, fields=f"{state_field},{detail_field}")
            state = data.get(state_field)
            if state in ("FINISHED", "PUBLISHED"):
                return True
            if state == "EXPIRED":
                raise graph_error(self.ctx, self.platform, self.label, code=None, subcode=2207020)
            if state == "ERROR":
                detail = str(data.get(detail_field) or "")
                sub = subcode_in(detail)
                if sub is not None and sub != 2207026:
                    raise graph_error(
                        self.ctx, self.platform, self.label, code=None, subcode=sub, message=detail
                    )
                raise ConnectorError(
                    f"{self.label} could not process this media (format or "
                    "length not accepted). Try another file.",
                    platform=self.platform,
                    code=str(sub or "container_error"),
                )
            return None

        await self.wait_for(f"{possessive(self.label)} processing of the media", check)


async def remember_container(target: PublishTarget, container_id: str, platform: str) -> None:
    """Record the finished container before publishing it: the crash-reconciliation marker."""
    await audit.record(
        CONTAINER_ACTION,
        actor=None,
        brand=target.brand_id,
        obj=target,
        origin="connector",
        details={"container_id": container_id, "platform": platform},
    )


async def remembered_container(target: PublishTarget) -> str | None:
    """The last container recorded for this target, if any."""
    row = (
        await AuditLog.filter(
            action=CONTAINER_ACTION, object_type="publish_targets", object_id=str(target.id)
        )
        .order_by("-id")
        .first()
    )
    return str(row.details.get("container_id")) if row and row.details else None


def graph_time(value: Any) -> float | None:
    """Epoch seconds of a Graph timestamp (`2026-01-01T12:00:00+0000`); None if unreadable."""
    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        return None
