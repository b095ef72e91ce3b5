"""The Claude adapter with the real anthropic SDK against the loopback fake Messages API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.anthropic_captions import ClaudeAdapter, build_caption_adapter
from core.ai.enforce import find_forbidden, measure
from core.ai.pricing import cost_usd
from core.ai.prompt import CACHE_1H
from core.ai.style_rules import DEFAULT_RULES
from core.config import Settings
from core.models import AIUsage
from tests.e2e.ai.conftest import claude_settings, make_brand
from tests.fakes.anthropic_api import (
    FakeMessagesAPI,
    captions_json,
    requested_platforms,
    user_text,
)

SIX = ["instagram", "facebook", "tiktok", "telegram", "pinterest", "web"]
RULES = DEFAULT_RULES


def system_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body["system"], ensure_ascii=False, sort_keys=True).encode()


async def test_one_structured_request_for_all_platforms(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    brand = await make_brand("linden")
    out = await claude.adapt(brand, "Fresh rye loaves out of the oven at 7.", SIX, RULES)
    assert len(fake_api.requests) == 1
    body = fake_api.requests[0].body
    assert body["model"] == "claude-sonnet-5-5"
    assert body["output_config"]["format"]["type"] == "json_schema"
    for key in ("temperature", "top_p", "top_k", "tool_choice", "tools"):
        assert key not in body
    assert requested_platforms(body) == SIX
    headers = fake_api.requests[0].headers
    assert "test-key" in (headers.get("x-api-key") or headers.get("authorization") or "")
    assert set(out) == set(SIX)
    assert all(not r.is_fallback and r.adapter == "claude-sonnet-5-5" for r in out.values())
    assert "#lindenbakery" in out["instagram"].text and "#" not in out["web"].text


async def test_prefix_byte_identical_per_brand_and_different_across_brands(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    linden = await make_brand("linden")
    other = await make_brand(
        "bolt",
        prompt="Loud, bold gym brand. Short shouty lines.",
        hashtags=["#boltgym"],
        forbidden=["easy"],
    )
    await claude.adapt(linden, "Rye at 7.", ["instagram"], RULES)
    await claude.adapt(
        linden, "Custard tarts until Sunday, 1,20 €.", ["tiktok", "web"], RULES, hint="more playful"
    )
    await claude.adapt(linden, "Closed on Monday.", SIX, RULES)
    await claude.adapt(other, "New squat racks.", ["instagram"], RULES)
    bodies = [r.body for r in fake_api.requests]
    assert system_bytes(bodies[0]) == system_bytes(bodies[1]) == system_bytes(bodies[2])
    assert bodies[0]["output_config"] == bodies[2]["output_config"] == bodies[3]["output_config"]
    assert system_bytes(bodies[0]) != system_bytes(bodies[3])
    # the shared platform guide is the same for every brand; only the brand block differs
    assert bodies[0]["system"][0] == bodies[3]["system"][0]
    assert bodies[0]["system"][1] != bodies[3]["system"][1]
    for body, caption in zip(bodies, ["Rye at 7.", "Custard", "Closed", "squat"], strict=True):
        assert caption not in system_bytes(body).decode()
        assert caption in user_text(body)
    assert "more playful" in user_text(bodies[1])
    # breakpoints and TTL exactly where intended: end of the guide, end of the brand block
    for body in bodies:
        assert [b.get("cache_control") for b in body["system"]] == [CACHE_1H, CACHE_1H]
        assert isinstance(body["messages"][0]["content"], str)  # no breakpoint in messages


@pytest.mark.parametrize("model", ["claude-sonnet-5-5", "claude-sonnet-4-6"])
async def test_cache_engages_for_a_150_word_brand_prompt(
    db: Settings, tmp_path: Path, fake_api: FakeMessagesAPI, model: str
) -> None:
    adapter = build_caption_adapter(claude_settings(tmp_path, fake_api, model), max_retries=0)
    brand = await make_brand("linden")
    for caption in ("Rye at 7.", "Custard tarts.", "Closed Monday."):
        await adapter.adapt(brand, caption, ["instagram", "telegram"], RULES)
    first, second, third = (r.usage for r in fake_api.requests)
    assert first and second and third
    assert first["cache_read_input_tokens"] == 0
    assert first["cache_creation"]["ephemeral_1h_input_tokens"] > 1024
    prefix = first["cache_creation_input_tokens"]
    for later in (second, third):
        assert later["cache_read_input_tokens"] == prefix
        assert later["cache_creation_input_tokens"] == 0
        assert later["input_tokens"] < prefix / 5


async def test_second_brand_reads_the_shared_guide_and_writes_only_its_block(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    await claude.adapt(await make_brand("linden"), "Rye.", ["instagram"], RULES)
    await claude.adapt(await make_brand("bolt"), "Racks.", ["instagram"], RULES)
    first, second = (r.usage for r in fake_api.requests)
    assert first and second
    assert 0 < second["cache_read_input_tokens"] < first["cache_creation_input_tokens"]
    assert 0 < second["cache_creation_input_tokens"] < second["cache_read_input_tokens"]


async def test_cache_ttl_is_one_hour(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    brand = await make_brand("linden")
    await claude.adapt(brand, "a", ["instagram"], RULES)
    fake_api.advance(50 * 60)  # 50 minutes: a 5-minute cache would be gone
    await claude.adapt(brand, "b", ["instagram"], RULES)
    fake_api.advance(61 * 60)  # more than an hour since the last hit
    await claude.adapt(brand, "c", ["instagram"], RULES)
    usages = [r.usage for r in fake_api.requests]
    assert usages[1] and usages[1]["cache_read_input_tokens"] > 0
    assert usages[2] and usages[2]["cache_read_input_tokens"] == 0
    assert usages[2]["cache_creation_input_tokens"] > 0


async def test_limits_and_forbidden_phrases_enforced_when_the_model_misbehaves(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    long = ("Our cheapest loaf is also the best in town, baked slowly overnight. " * 60)[:3000]

    def responder(body: dict[str, Any]) -> str:
        answer = long + " #cheapestbread #rye"
        return captions_json(dict.fromkeys(requested_platforms(body), answer))

    fake_api.responder = responder
    brand = await make_brand("linden")
    out = await claude.adapt(brand, "Rye.", SIX + ["bluesky", "threads"], RULES)
    assert len(fake_api.requests) == 2  # one regeneration, then removal
    first, again = (r.body for r in fake_api.requests)
    assert system_bytes(first) == system_bytes(again)
    assert "<avoid" in user_text(again) and "cheapest" in user_text(again)
    assert again["messages"] != first["messages"]
    for platform, result in out.items():
        rules = RULES[platform]
        assert measure(result.text, rules) <= rules.caption_max, platform
        assert find_forbidden(result.text, brand.forbidden_phrases) == [], platform
        assert not result.is_fallback
        assert result.text.strip()
    assert len(out["instagram"].text) > 1000  # cut near the limit, not emptied


async def test_regeneration_fixes_the_forbidden_phrase(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    def responder(body: dict[str, Any]) -> str:
        word = "lovely" if "<avoid" in user_text(body) else "cheapest"
        return captions_json(dict.fromkeys(requested_platforms(body), f"The {word} rye in Alfama."))

    fake_api.responder = responder
    out = await claude.adapt(await make_brand("linden"), "Rye.", ["telegram", "web"], RULES)
    assert out["web"].text == "The lovely rye in Alfama."
    assert requested_platforms(fake_api.requests[1].body) == ["telegram", "web"]


async def test_empty_answer_for_one_platform_falls_back_for_that_platform_only(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    fake_api.responder = lambda body: captions_json(
        {"instagram": "Warm rye today.", "tiktok": "   \n "}
    )
    out = await claude.adapt(
        await make_brand("linden"), "Rye at seven.", ["instagram", "tiktok", "web"], RULES
    )
    assert not out["instagram"].is_fallback
    assert out["tiktok"].is_fallback and out["tiktok"].adapter == "rules"
    assert out["tiktok"].text.startswith("Rye at seven.")
    assert out["web"].is_fallback  # missing from the answer
    assert out["tiktok"].note


async def test_persistent_529_falls_back_to_rules(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    fake_api.fail(529, times=None, retry_after=0.01)
    brand = await make_brand("linden")
    out = await claude.adapt(brand, "Rye at seven. #rye", ["instagram", "pinterest"], RULES)
    assert len(fake_api.requests) == 3  # the SDK's own retries: 1 + max_retries
    for result in out.values():
        assert result.is_fallback and result.adapter == "rules"
        assert result.note and "overloaded" in result.note
    assert "#lindenbakery" in out["instagram"].text
    assert await AIUsage.filter(brand=brand).count() == 0


async def test_429_with_retry_after_is_retried_by_the_sdk(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    fake_api.fail(429, times=1, retry_after=0.05)
    out = await claude.adapt(await make_brand("linden"), "Rye.", ["instagram"], RULES)
    assert [r.status for r in fake_api.requests] == [429, 200]
    assert not out["instagram"].is_fallback


async def test_timeout_falls_back(db: Settings, tmp_path: Path, fake_api: FakeMessagesAPI) -> None:
    adapter = build_caption_adapter(claude_settings(tmp_path, fake_api), max_retries=0, timeout=0.3)
    fake_api.fail(200, times=1, delay=1.0)
    out = await adapter.adapt(await make_brand("linden"), "Rye.", ["telegram"], RULES)
    assert out["telegram"].is_fallback and "in time" in (out["telegram"].note or "")


async def test_unreadable_answer_falls_back(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    fake_api.responder = lambda body: "Sure! Here are your captions: ..."
    out = await claude.adapt(await make_brand("linden"), "Rye.", ["telegram"], RULES)
    assert out["telegram"].is_fallback


async def test_usage_stored_and_priced(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    brand = await make_brand("linden")
    await claude.adapt(brand, "Rye.", ["instagram"], RULES)
    await claude.adapt(brand, "Tarts.", ["instagram"], RULES)
    rows = await AIUsage.filter(brand=brand).order_by("id")
    assert len(rows) == 2
    for row, request in zip(rows, fake_api.requests, strict=True):
        u = request.usage
        assert u is not None
        assert (
            row.input_tokens,
            row.cache_write_tokens,
            row.cache_read_tokens,
            row.output_tokens,
        ) == (
            u["input_tokens"],
            u["cache_creation_input_tokens"],
            u["cache_read_input_tokens"],
            u["output_tokens"],
        )
        assert row.model == "claude-sonnet-5-5" and row.purpose == "captions"
        assert row.cost_usd == pytest.approx(
            cost_usd(
                "claude-sonnet-5-5",
                input_tokens=row.input_tokens,
                output_tokens=row.output_tokens,
                cache_read_tokens=row.cache_read_tokens,
                cache_write_1h_tokens=row.cache_write_tokens,
            )
        )
    assert rows[1].cost_usd < rows[0].cost_usd


async def test_monthly_budget_stops_ai_calls(
    db: Settings, claude: ClaudeAdapter, fake_api: FakeMessagesAPI
) -> None:
    brand = await make_brand("linden", settings={"ai": {"monthly_budget_usd": 0.001}})
    first = await claude.adapt(brand, "Rye.", ["instagram"], RULES)
    assert not first["instagram"].is_fallback  # the first call spends ~$0.004
    second = await claude.adapt(brand, "Tarts.", ["instagram"], RULES)
    assert len(fake_api.requests) == 1
    result = second["instagram"]
    assert result.is_fallback and result.adapter == "rules"
    assert result.note and "budget" in result.note and "$0.00" in result.note
