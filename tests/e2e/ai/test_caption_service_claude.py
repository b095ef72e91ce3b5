"""CaptionService wired with the real SDK against the fake: the paths front ends use."""

from __future__ import annotations

from adapters.anthropic_captions import ClaudeAdapter
from core.ai.style_rules import DEFAULT_RULES
from core.ai.usage import usage_report
from core.captions import CaptionService
from core.config import Settings
from core.models import AdaptedCaption, AuditLog
from tests.e2e.ai.conftest import make_asset, make_brand
from tests.fakes.anthropic_api import FakeMessagesAPI

SIX = ["instagram", "facebook", "tiktok", "telegram", "pinterest", "web"]


async def test_preview_then_publish_uses_stored_captions(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    service = CaptionService(claude, DEFAULT_RULES)
    brand = await make_brand("linden")
    for n in range(3):
        asset = await make_asset(brand, f"Batch {n}: rye and custard tarts.")
        preview = await service.adapt(asset, SIX)
        assert all(c.adapter == "claude-sonnet-5-5" and not c.is_fallback for c in preview.values())
        texts = await service.captions_for_publish(asset, SIX, {"web": "Our own words."})
        assert texts["web"] == "Our own words."
        assert texts["instagram"] == preview["instagram"].text
    assert len(fake_api.requests) == 3  # one per asset, none at publish time
    report = await usage_report(brand)
    assert report.requests == 3
    assert report.cache_hit_rate > 0.5
    assert report.cost_usd < report.uncached_input_cost_usd + 0.01


async def test_ai_down_at_publish_time_still_publishes(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    fake_api.fail(529, times=None, retry_after=0.01)
    service = CaptionService(claude, DEFAULT_RULES)
    asset = await make_asset(await make_brand("linden"), "Rye at seven, 3,50 €.")
    texts = await service.captions_for_publish(asset, ["telegram", "pinterest"], {})
    assert texts["telegram"].startswith("Rye at seven, 3,50 €.")
    stored = await AdaptedCaption.filter(asset=asset).order_by("platform")
    assert [c.is_fallback for c in stored] == [True, True]
    assert len(fake_api.requests) == 3  # one call (with the SDK's retries) for both platforms


async def test_budget_note_reaches_the_caller_and_the_audit_trail(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    brand = await make_brand("linden", settings={"ai": {"monthly_budget_usd": 0}})
    service = CaptionService(claude, DEFAULT_RULES)
    out = await service.adapt(await make_asset(brand, "Rye."), ["telegram"])
    assert fake_api.requests == []
    assert out["telegram"].is_fallback
    assert "budget" in out["telegram"].note  # type: ignore[attr-defined]
    row = await AuditLog.get(action="caption.created", brand=brand)
    assert "budget" in row.details["note"]
