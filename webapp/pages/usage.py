"""A brand's AI usage: tokens by kind, cache hit rate and cost."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import APIRouter, Request, Response

from core.ai.usage import usage_report
from core.app.roles import Action
from webapp.actors import WebActor
from webapp.deps import ServicesDep
from webapp.pages.audit import parse_day
from webapp.pages.common import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/brands/{brand_id}/usage")
async def usage_page(
    request: Request,
    brand_id: int,
    actor: WebActor,
    services: ServicesDep,
    since: str = "",
    until: str = "",
) -> Response:
    """AI tokens and dollars for a period (default: this month so far)."""
    brand = await actor.may(brand_id, Action.VIEW)
    start, end = parse_day(since, "from"), parse_day(until, "to")
    report = await usage_report(
        brand,
        since=datetime.combine(start, time(), tzinfo=UTC) if start else None,
        until=datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC) if end else None,
        cap=services.settings.ai_monthly_budget_usd,
    )
    return render(
        request,
        "pages/usage.html",
        brand=brand,
        report=report,
        data=report.as_dict(),
        since=since or report.since.date().isoformat(),
        until=until,
    )
