"""AI spend: a person looping rewrites hits the per-minute limit, a brand the monthly cap.

The real SDK talks to the loopback fake: once a limit is reached, no request reaches it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.anthropic_captions import ClaudeAdapter, build_caption_adapter
from core.ai.limits import AICallLimiter
from core.ai.style_rules import DEFAULT_RULES
from core.captions import CaptionService
from core.config import Settings
from core.errors import RateLimited
from core.models import AdaptedCaption, User
from tests.conftest import make_settings
from tests.e2e.ai.conftest import make_asset, make_brand
from tests.fakes.anthropic_api import FakeMessagesAPI


def capped_claude(tmp_path: Path, api: FakeMessagesAPI, budget: float) -> ClaudeAdapter:
    """The factory's adapter with AI_MONTHLY_BUDGET_USD set to `budget`."""
    settings = make_settings(
        tmp_path / "capped",
        anthropic_api_key="test-key",
        anthropic_base_url=api.base_url,
        ai_monthly_budget_usd=budget,
    )
    adapter = build_caption_adapter(settings, max_retries=0, timeout=2.0)
    assert isinstance(adapter, ClaudeAdapter)
    return adapter


def test_defaults_cap_every_brand() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.ai_monthly_budget_usd == 20.0 and settings.ai_user_calls_per_minute == 10


async def test_regenerate_loop_stops_at_the_per_person_limit(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    service = CaptionService(claude, DEFAULT_RULES, limiter=AICallLimiter(3))
    brand = await make_brand("linden")
    ann = await User.get(id=brand.owner_id)
    asset = await make_asset(brand, "Rye at seven, 3,50 €.")
    refused = []
    for n in range(8):
        try:
            await service.adapt(
                asset,
                ["telegram", "web"],
                regenerate=True,
                hint=f"take {n}",
                actor=ann,
                origin="telegram",
            )
        except RateLimited as exc:
            refused.append(exc)
    assert len(fake_api.requests) == 3  # the fourth ask and later never left the process
    assert len(refused) == 5
    assert "3 rewrites in the last minute" in refused[0].user_message
    assert refused[0].retry_after and 0 < refused[0].retry_after <= 60
    kept = await AdaptedCaption.filter(asset=asset).order_by("platform")
    assert [c.adapter for c in kept] == ["claude-sonnet-5-5"] * 2  # nothing overwritten
    with pytest.raises(RateLimited):  # a settings preview counts too
        await service.preview(brand, "Sample text", ["web"], actor=ann)
    other = await make_asset(brand, "Custard tarts until Sunday.")
    made = await service.adapt(other, ["web"], origin="telegram")  # automatic: not limited
    assert not made["web"].is_fallback and len(fake_api.requests) == 4


async def test_monthly_cap_applies_even_when_a_brand_sets_more(
    db: Settings, tmp_path: Path, fake_api: FakeMessagesAPI
) -> None:
    service = CaptionService(
        capped_claude(tmp_path, fake_api, budget=0.001), DEFAULT_RULES, limiter=AICallLimiter(0)
    )
    brand = await make_brand("linden", settings={"ai": {"monthly_budget_usd": 1000}})
    ann = await User.get(id=brand.owner_id)
    asset = await make_asset(brand, "Rye at seven.")
    notes = []
    for _ in range(6):
        made = await service.adapt(asset, ["telegram"], regenerate=True, actor=ann)
        notes.append(getattr(made["telegram"], "note", None))
    assert len(fake_api.requests) == 1  # the first call spent more than the cap
    assert notes[0] is None
    assert all(n and "AI budget of $0.00 for this month is used up" in n for n in notes[1:])
    preview = await service.preview(brand, "Sample", ["web"], actor=ann)
    assert preview["web"].is_fallback and len(fake_api.requests) == 1
    lower = await make_brand("lower", settings={"ai": {"monthly_budget_usd": 0}})
    out = await service.adapt(await make_asset(lower, "Rye."), ["web"])
    assert out["web"].is_fallback and len(fake_api.requests) == 1  # a lower own budget holds
