"""A brand's audit log, filterable by action and date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Request, Response

from core.app.roles import Action
from core.errors import InvalidInput
from core.models import AuditLog
from webapp.actors import WebActor
from webapp.pages.common import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE = 100


def parse_day(value: str | None, name: str) -> date | None:
    """A yyyy-mm-dd form value, or None when empty."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{value}' is not a date ({name}); use the date picker.") from None


def summarise(details: dict[str, object]) -> str:
    """The details of an entry as short text."""
    if not details:
        return ""
    text = ", ".join(
        f"{k}: {v if isinstance(v, str) else json.dumps(v)}" for k, v in details.items()
    )
    return text if len(text) <= 240 else text[:239] + "…"


@router.get("/brands/{brand_id}/audit")
async def audit_page(
    request: Request,
    brand_id: int,
    actor: WebActor,
    action: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
) -> Response:
    """Who did what in the brand, newest first."""
    brand = await actor.may(brand_id, Action.VIEW)
    start, end = parse_day(since, "from"), parse_day(until, "to")
    query = AuditLog.filter(brand_id=brand.id)
    if action:
        query = query.filter(action=action)
    if start:
        query = query.filter(created_at__gte=datetime.combine(start, time(), tzinfo=UTC))
    if end:
        query = query.filter(
            created_at__lt=datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
        )
    page = max(page, 1)
    rows = (
        await query.order_by("-created_at", "-id")
        .offset((page - 1) * PAGE)
        .limit(PAGE + 1)
        .prefetch_related("actor")
    )
    actions = sorted(
        set(await AuditLog.filter(brand_id=brand.id).distinct().values_list("action", flat=True))
    )
    entries = [
        {
            "at": r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "action": r.action,
            "actor": r.actor.email if r.actor else "system",
            "origin": r.origin,
            "object": f"{r.object_type} {r.object_id}".strip(),
            "details": summarise(r.details or {}),
        }
        for r in rows[:PAGE]
    ]
    return render(
        request,
        "pages/audit.html",
        brand=brand,
        entries=entries,
        actions=actions,
        action=action,
        since=since,
        until=until,
        page=page,
        has_more=len(rows) > PAGE,
    )
