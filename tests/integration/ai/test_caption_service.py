"""CaptionService on a real SQLite database with a recording adapter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.anthropic_captions import ClaudeAdapter, build_caption_adapter
from core.ai.base import CaptionAdapter, CaptionResult
from core.ai.rules_adapter import RuleBasedAdapter
from core.ai.style_rules import DEFAULT_RULES
from core.ai.usage import CallUsage, record_usage, usage_report
from core.captions import CaptionService
from core.config import Settings
from core.errors import InvalidInput
from core.models import AdaptedCaption, AuditLog, Brand, User
from core.platform_rules import PlatformRules
from tests.conftest import make_settings
from tests.e2e.ai.conftest import make_asset, make_brand


class Recording(CaptionAdapter):
    """Answers '<platform>: <text> [hint]' and records each call."""

    name = "recording-model"

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str], str | None]] = []
        self.broken = False

    async def adapt(
        self,
        brand: Brand,
        text: str,
        platforms: Sequence[str],
        rules: Mapping[str, PlatformRules],
        *,
        hint: str | None = None,
    ) -> dict[str, CaptionResult]:
        if self.broken:
            raise RuntimeError("adapter bug")
        self.calls.append((brand.slug, list(platforms), hint))
        suffix = f" [{hint}]" if hint else ""
        return {p: CaptionResult(f"{p}: {text}{suffix}", False, self.name) for p in platforms}


@pytest.fixture
def adapter() -> Recording:
    return Recording()


@pytest.fixture
def service(adapter: Recording) -> CaptionService:
    return CaptionService(adapter, {"web": DEFAULT_RULES["web"]})


async def test_missing_captions_made_in_one_call_and_stored(
    db: Settings, service: CaptionService, adapter: Recording
) -> None:
    brand = await make_brand("linden")
    asset = await make_asset(brand, "Rye at seven.")
    first = await service.adapt(asset, ["instagram", "web"])
    assert adapter.calls == [("linden", ["instagram", "web"], None)]
    assert first["web"].text == "web: Rye at seven." and first["web"].adapter == "recording-model"
    again = await service.adapt(asset, ["web", "telegram", "instagram"])
    assert adapter.calls[1] == ("linden", ["telegram"], None)  # only the missing one
    assert list(again) == ["web", "telegram", "instagram"]
    assert await AdaptedCaption.filter(asset=asset).count() == 3
    assert await AuditLog.filter(action="caption.created", brand=brand).count() == 3


async def test_regenerate_with_hint_and_overrides_kept_unless_asked(
    db: Settings, service: CaptionService, adapter: Recording
) -> None:
    brand = await make_brand("linden")
    asset = await make_asset(brand, "Rye.")
    await service.adapt(asset, ["instagram", "telegram"])
    await service.set_override(asset, "telegram", "My own words.", actor=None, origin="bot")
    kept = await service.adapt(asset, ["instagram", "telegram"])
    assert kept["telegram"].text == "My own words." and kept["telegram"].is_override
    redo = await service.adapt(asset, ["instagram"], hint="shorter", regenerate=True)
    assert adapter.calls[-1] == ("linden", ["instagram"], "shorter")
    assert redo["instagram"].text == "instagram: Rye. [shorter]"
    assert (await AdaptedCaption.get(asset=asset, platform="telegram")).text == "My own words."
    redo = await service.adapt(asset, ["telegram"], hint="more playful", regenerate=True)
    assert redo["telegram"].text == "telegram: Rye. [more playful]"
    assert not redo["telegram"].is_override
    assert await AuditLog.filter(action="caption.regenerated").count() == 2


async def test_override_validated_and_audited(db: Settings, service: CaptionService) -> None:
    owner = await User.create(email="editor@example.com", password_hash="x")
    brand = await make_brand("linden")
    asset = await make_asset(brand, "Rye.")
    with pytest.raises(InvalidInput, match="500 characters; this caption has 501"):
        await service.set_override(asset, "pinterest", "a" * 501, actor=owner, origin="api")
    with pytest.raises(InvalidInput, match="forbids"):
        await service.set_override(asset, "web", "The Cheapest rye.", actor=owner, origin="api")
    with pytest.raises(InvalidInput, match="empty"):
        await service.set_override(asset, "web", "  ", actor=owner, origin="api")
    with pytest.raises(InvalidInput, match="1 hashtags"):
        await service.set_override(asset, "threads", "Rye #a #b", actor=owner, origin="api")
    with pytest.raises(InvalidInput, match="Unknown platform"):
        await service.set_override(asset, "myspace", "Rye", actor=owner, origin="api")
    caption = await service.set_override(
        asset, "pinterest", " Rye bread. ", actor=owner, origin="api"
    )
    assert caption.text == "Rye bread." and caption.is_override and caption.adapter == "user"
    row = await AuditLog.get(action="caption.overridden")
    assert row.actor_id == owner.id and row.brand_id == brand.id and row.origin == "api"


async def test_captions_for_publish_overrides_stored_then_adapted(
    db: Settings, service: CaptionService, adapter: Recording
) -> None:
    brand = await make_brand("linden")
    asset = await make_asset(brand, "Rye.")
    await service.adapt(asset, ["instagram"])
    out = await service.captions_for_publish(
        asset,
        ["instagram", "pinterest", "telegram"],
        {"pinterest": "x " * 400 + "the cheapest", "telegram": "  "},
    )
    assert out["instagram"] == "instagram: Rye."
    assert len(out["pinterest"]) <= 500 and "cheapest" not in out["pinterest"]
    assert out["telegram"] == "telegram: Rye."  # a blank override is no override
    assert adapter.calls[-1] == ("linden", ["telegram"], None)


async def test_publish_never_fails_because_the_adapter_does(
    db: Settings, service: CaptionService, adapter: Recording
) -> None:
    adapter.broken = True
    brand = await make_brand("linden")
    asset = await make_asset(brand, "Rye at seven. #rye")
    out = await service.captions_for_publish(asset, ["instagram", "web"], {})
    assert out["instagram"].startswith("Rye at seven.") and "#lindenbakery" in out["instagram"]
    stored = await AdaptedCaption.get(asset=asset, platform="instagram")
    assert stored.is_fallback and stored.adapter == "rules"


async def test_unknown_platform_rejected(db: Settings, service: CaptionService) -> None:
    asset = await make_asset(await make_brand("linden"), "Rye.")
    with pytest.raises(InvalidInput, match="myspace"):
        await service.adapt(asset, ["instagram", "myspace"])


async def test_rule_adapter_is_deterministic_and_within_limits(db: Settings) -> None:
    brand = await make_brand("linden")
    text = "Rye at seven! Visit https://linden.example now. " * 40 + "#rye #bread"
    adapter = RuleBasedAdapter()
    a = await adapter.adapt(brand, text, sorted(DEFAULT_RULES), DEFAULT_RULES)
    b = await adapter.adapt(brand, text, sorted(DEFAULT_RULES), DEFAULT_RULES)
    assert a == b
    for platform, result in a.items():
        assert len(result.text) <= DEFAULT_RULES[platform].caption_max
        assert result.adapter == "rules" and not result.is_fallback
    assert "https" not in a["instagram"].text and "#lindenbakery" in a["instagram"].text
    short = await adapter.adapt(brand, text, ["telegram"], DEFAULT_RULES, hint="shorter")
    assert len(short["telegram"].text) <= (DEFAULT_RULES["telegram"].ideal_length or 0)


async def test_factory_chooses_by_key(tmp_path: Path) -> None:
    assert isinstance(build_caption_adapter(make_settings(tmp_path)), RuleBasedAdapter)
    claude = build_caption_adapter(
        make_settings(
            tmp_path,
            anthropic_api_key="k",
            anthropic_model="claude-sonnet-4-6",
            anthropic_base_url="http://127.0.0.1:9",
        )
    )
    assert isinstance(claude, ClaudeAdapter) and claude.model == "claude-sonnet-4-6"
    assert str(claude.client.base_url).startswith("http://127.0.0.1:9")


async def test_usage_report(db: Settings) -> None:
    brand = await make_brand("linden", settings={"ai": {"monthly_budget_usd": 5}})
    other = await make_brand("bolt")
    await record_usage(
        brand,
        "claude-sonnet-5-5",
        CallUsage(input_tokens=100, output_tokens=200, cache_write_1h_tokens=1900),
    )
    await record_usage(
        brand,
        "claude-sonnet-5-5",
        CallUsage(input_tokens=100, output_tokens=200, cache_read_tokens=1900),
    )
    await record_usage(other, "claude-sonnet-5-5", CallUsage(input_tokens=9, output_tokens=9))
    report = await usage_report(
        brand, datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(minutes=1)
    )
    assert report.requests == 2
    assert (
        report.input_tokens,
        report.cache_write_tokens,
        report.cache_read_tokens,
        report.output_tokens,
    ) == (200, 1900, 1900, 400)
    assert report.cache_hit_rate == pytest.approx(1900 / 4000)
    expected = (200 * 2 + 1900 * 4 + 1900 * 0.2 + 400 * 10) / 1e6
    assert report.cost_usd == pytest.approx(expected)
    assert report.uncached_input_cost_usd == pytest.approx(4000 * 2 / 1e6)
    assert report.budget_usd == 5.0
    data = report.as_dict()
    assert data["brand_slug"] == "linden" and data["cache_hit_rate"] == pytest.approx(0.475)
    assert "cache hit rate" in report.render_text()
    empty = await usage_report(
        brand, datetime.now(UTC) + timedelta(days=1), datetime.now(UTC) + timedelta(days=2)
    )
    assert empty.requests == 0 and empty.cache_hit_rate == 0.0
