"""Prices per model and the cost of one call."""

from __future__ import annotations

import pytest

from core.ai.pricing import cost_usd, price_for


def test_sonnet_5_5_prices() -> None:
    assert cost_usd("claude-sonnet-5-5", input_tokens=1_000_000, output_tokens=0) == 2.0
    assert cost_usd("claude-sonnet-5-5", input_tokens=0, output_tokens=1_000_000) == 10.0
    assert (
        cost_usd(
            "claude-sonnet-5-5", input_tokens=0, output_tokens=0, cache_write_1h_tokens=1_000_000
        )
        == 4.0
    )
    assert cost_usd(
        "claude-sonnet-5-5", input_tokens=0, output_tokens=0, cache_read_tokens=1_000_000
    ) == pytest.approx(0.2)
    assert (
        cost_usd(
            "claude-sonnet-5-5", input_tokens=0, output_tokens=0, cache_write_5m_tokens=1_000_000
        )
        == 2.5
    )


def test_sonnet_4_6_prices_and_dated_ids() -> None:
    assert cost_usd("claude-sonnet-4-6", input_tokens=1_000_000, output_tokens=1_000_000) == 18.0
    assert price_for("claude-sonnet-4-6-20260101").input == 3.0
    assert price_for("some-unknown-model").input == 3.0  # the dearest: budgets err safe
