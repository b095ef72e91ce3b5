"""Cleaning a brand's AI settings."""

from __future__ import annotations

import pytest

from core.ai.brand_settings import clean_ai_settings, with_monthly_budget
from core.errors import InvalidInput


def test_clean_settings() -> None:
    s = clean_ai_settings(
        ai_system_prompt="  Warm.  ",
        default_hashtags=["summer sale", "#Summersale", "#linen"],
        forbidden_phrases=[" best   price ", "Best price", ""],
    )
    assert s.ai_system_prompt == "Warm."
    assert s.default_hashtags == ["#summersale", "#linen"]
    assert s.forbidden_phrases == ["best price"]


def test_invalid_settings() -> None:
    with pytest.raises(InvalidInput, match="hashtag"):
        clean_ai_settings(ai_system_prompt="", default_hashtags=["!!"], forbidden_phrases=[])
    with pytest.raises(InvalidInput, match="limit"):
        clean_ai_settings(ai_system_prompt="x" * 7000, default_hashtags=[], forbidden_phrases=[])


def test_budget_in_settings() -> None:
    assert with_monthly_budget({"x": 1}, 5) == {"x": 1, "ai": {"monthly_budget_usd": 5.0}}
    assert with_monthly_budget({"ai": {"monthly_budget_usd": 5}}, None) == {"ai": {}}
    with pytest.raises(InvalidInput):
        with_monthly_budget({}, -1)
