"""The AI usage ledger: record each call, report per brand and period, enforce budgets."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.ai.pricing import cost_usd, price_for
from core.columns import column
from core.models import AIUsage, Brand


@dataclass(frozen=True)
class CallUsage:
    """The token counts of one Messages API call, as the API reported them."""

    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_1h_tokens: int = 0
    cache_write_5m_tokens: int = 0

    @property
    def cache_write_tokens(self) -> int:
        """Tokens written to the cache, both TTLs."""
        return self.cache_write_1h_tokens + self.cache_write_5m_tokens

    @property
    def total_input_tokens(self) -> int:
        """Every input token of the call, cached or not."""
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens


async def record_usage(
    brand: Brand, model: str, usage: CallUsage, *, purpose: str = "captions"
) -> AIUsage:
    """Store one call's usage with its price."""
    return await AIUsage.create(
        brand=brand,
        model=model,
        purpose=purpose,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        cost_usd=cost_usd(
            model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_1h_tokens=usage.cache_write_1h_tokens,
            cache_write_5m_tokens=usage.cache_write_5m_tokens,
        ),
    )


def month_start(now: datetime | None = None) -> datetime:
    """Midnight UTC on the first day of the current month."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def monthly_budget_usd(brand: Brand, cap: float | None = None) -> float | None:
    """The brand's monthly AI budget: its own (`settings.ai.monthly_budget_usd`), at most `cap`.

    `cap` is the operator's AI_MONTHLY_BUDGET_USD: a brand's owner may lower the budget of
    the brand, never raise it above the cap (their settings are theirs to edit).
    """
    ai = (brand.settings or {}).get("ai") or {}
    value = ai.get("monthly_budget_usd") if isinstance(ai, dict) else None
    try:
        own = float(value) if value is not None else None
    except (TypeError, ValueError):
        own = None
    if own is not None and not math.isfinite(own):
        own = None
    if cap is None:
        return own
    return cap if own is None else max(0.0, min(own, cap))


async def spent_usd(brand: Brand, since: datetime, until: datetime | None = None) -> float:
    """Dollars spent by the brand in [since, until)."""
    query = AIUsage.filter(brand_id=brand.id, created_at__gte=since)
    if until is not None:
        query = query.filter(created_at__lt=until)
    return float(sum(await column(query.values_list("cost_usd", flat=True), float)))


async def budget_exhausted(
    brand: Brand, now: datetime | None = None, *, cap: float | None = None
) -> str | None:
    """A user-facing note when this month's budget (at most `cap`) is used up, else None."""
    budget = monthly_budget_usd(brand, cap)
    if budget is None:
        return None
    spent = await spent_usd(brand, month_start(now))
    if spent < budget:
        return None
    return (
        f"The AI budget of ${budget:,.2f} for this month is used up (${spent:,.2f} spent): "
        "captions are made by the built-in rules until the budget is raised or the "
        "month ends."
    )


@dataclass
class ModelUsage:
    """Usage of one model within a report."""

    model: str
    requests: int = 0
    input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


@dataclass
class UsageReport:
    """A brand's AI tokens, cache hit rate and dollars over a period."""

    brand_id: int
    brand_slug: str
    since: datetime
    until: datetime
    requests: int = 0
    input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    uncached_input_cost_usd: float = 0.0
    budget_usd: float | None = None
    by_model: list[ModelUsage] = field(default_factory=list)

    @property
    def total_input_tokens(self) -> int:
        """All input tokens, cached or not."""
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens

    @property
    def cache_hit_rate(self) -> float:
        """The share of input tokens served from the cache (0..1)."""
        total = self.total_input_tokens
        return self.cache_read_tokens / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the REST API."""
        data = asdict(self)
        data.update(
            since=self.since.isoformat(),
            until=self.until.isoformat(),
            total_input_tokens=self.total_input_tokens,
            cache_hit_rate=round(self.cache_hit_rate, 4),
            cost_usd=round(self.cost_usd, 6),
        )
        return data

    def render_text(self) -> str:
        """Plain-text form for the CLI."""
        lines = [
            f"AI usage of brand {self.brand_slug}: {self.since:%Y-%m-%d %H:%M} to "
            f"{self.until:%Y-%m-%d %H:%M} UTC",
            f"  requests            {self.requests:>12,}",
            f"  input (uncached)    {self.input_tokens:>12,} tokens",
            f"  cache writes        {self.cache_write_tokens:>12,} tokens",
            f"  cache reads         {self.cache_read_tokens:>12,} tokens",
            f"  output              {self.output_tokens:>12,} tokens",
            f"  cache hit rate      {self.cache_hit_rate:>12.1%}",
            f"  cost                ${self.cost_usd:>11,.4f}",
        ]
        if self.budget_usd is not None:
            lines.append(f"  monthly budget      ${self.budget_usd:>11,.2f}")
        lines.extend(
            f"  - {m.model}: {m.requests} requests, ${m.cost_usd:,.4f}" for m in self.by_model
        )
        return "\n".join(lines)


async def usage_report(
    brand: Brand,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    cap: float | None = None,
) -> UsageReport:
    """Tokens by kind, cache hit rate and dollars of one brand in [since, until).

    Defaults: from the start of the current month (UTC) until now.
    """
    since = since or month_start()
    until = until or datetime.now(UTC)
    report = UsageReport(
        brand_id=brand.id,
        brand_slug=brand.slug,
        since=since,
        until=until,
        budget_usd=monthly_budget_usd(brand, cap),
    )
    rows = await AIUsage.filter(
        brand_id=brand.id, created_at__gte=since, created_at__lt=until
    ).order_by("id")
    models: dict[str, ModelUsage] = {}
    for row in rows:
        m = models.setdefault(row.model, ModelUsage(model=row.model))
        for target in (report, m):
            target.requests += 1
            target.input_tokens += row.input_tokens
            target.cache_write_tokens += row.cache_write_tokens
            target.cache_read_tokens += row.cache_read_tokens
            target.output_tokens += row.output_tokens
            target.cost_usd += row.cost_usd
        report.uncached_input_cost_usd += (
            price_for(row.model).input
            * (row.input_tokens + row.cache_write_tokens + row.cache_read_tokens)
            / 1_000_000
        )
    report.by_model = sorted(models.values(), key=lambda m: m.model)
    return report
