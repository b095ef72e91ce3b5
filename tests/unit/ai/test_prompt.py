"""The request layout: a stable cached prefix, the variable part after it."""

from __future__ import annotations

import json

from core.ai.prompt import CACHE_1H, build_request
from core.ai.style_rules import DEFAULT_RULES
from core.models import Brand

PROMPT = ("Warm, witty and never pushy. " * 25).strip()  # ~150 words


def brand(name: str = "Acme", prompt: str = PROMPT) -> Brand:
    return Brand(
        name=name,
        slug=name.lower(),
        ai_system_prompt=prompt,
        default_hashtags=["#acme"],
        forbidden_phrases=["cheap"],
        settings={},
    )


def request(b: Brand, caption: str, platforms: list[str], hint: str | None = None) -> dict:
    return build_request(
        b, caption, platforms, DEFAULT_RULES, model="claude-sonnet-5-5", max_tokens=4096, hint=hint
    )


def test_prefix_identical_across_assets_and_platform_selections() -> None:
    a = request(brand(), "First asset #1 at 10:00", ["instagram"])
    b = request(brand(), "Second asset, other words", ["tiktok", "web", "pinterest"], "shorter")
    assert json.dumps(a["system"]) == json.dumps(b["system"])
    assert a["output_config"] == b["output_config"]
    assert a["messages"] != b["messages"]


def test_nothing_variable_inside_the_prefix() -> None:
    r = request(brand(), "UNIQUE-CAPTION-123", ["instagram"], hint="HINT-XYZ")
    prefix = json.dumps(r["system"])
    assert "UNIQUE-CAPTION-123" not in prefix and "HINT-XYZ" not in prefix


def test_guide_shared_by_brands_and_brand_block_differs() -> None:
    a = request(brand("Acme"), "x", ["instagram"])["system"]
    b = request(brand("Bolt", "Bold and loud."), "x", ["instagram"])["system"]
    assert a[0] == b[0]
    assert a[1] != b[1]


def test_breakpoints_and_no_forbidden_parameters() -> None:
    r = request(brand(), "x", ["instagram"])
    assert [block.get("cache_control") for block in r["system"]] == [CACHE_1H, CACHE_1H]
    assert r["output_config"]["format"]["type"] == "json_schema"
    for key in ("temperature", "top_p", "top_k", "tool_choice", "tools"):
        assert key not in r


def test_prefix_long_enough_to_cache_on_both_models() -> None:
    system = request(brand(), "x", ["instagram"])["system"]
    est = sum(len(block["text"]) for block in system) / 4
    assert est > 1024  # Sonnet 4.6's minimum (Sonnet 5.5's is 512)
    assert len(system[0]["text"]) / 4 > 1024  # the shared guide alone caches on both
