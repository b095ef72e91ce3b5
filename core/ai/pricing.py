"""Published per-model prices, and the dollar cost of one call's usage."""

from __future__ import annotations

from dataclasses import dataclass

MTOK = 1_000_000


@dataclass(frozen=True)
class ModelPrice:
    """Dollars per million tokens; cache multipliers apply to the input price."""

    input: float
    output: float
    cache_write_1h: float = 2.0
    cache_write_5m: float = 1.25
    cache_read: float = 0.1


PRICES: dict[str, ModelPrice] = {
    "claude-sonnet-5-5": ModelPrice(input=2.0, output=10.0),
    "claude-sonnet-4-6": ModelPrice(input=3.0, output=15.0),
}
# Unknown models are priced like the dearest known one, so budgets err on the safe side.
_FALLBACK = max(PRICES.values(), key=lambda p: p.input)


def price_for(model: str) -> ModelPrice:
    """The price of `model`, matching dated ids ("claude-sonnet-4-6-2026…") by prefix."""
    if model in PRICES:
        return PRICES[model]
    for name, price in PRICES.items():
        if model.startswith(name):
            return price
    return _FALLBACK


def cost_usd(
    model: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    cache_write_5m_tokens: int = 0,
) -> float:
    """The billed dollars of one call."""
    p = price_for(model)
    billed = (
        input_tokens * p.input
        + cache_write_1h_tokens * p.input * p.cache_write_1h
        + cache_write_5m_tokens * p.input * p.cache_write_5m
        + cache_read_tokens * p.input * p.cache_read
        + output_tokens * p.output
    )
    return billed / MTOK


def uncached_input_cost_usd(model: str, total_input_tokens: int) -> float:
    """What the same input would cost with no caching at all."""
    return total_input_tokens * price_for(model).input / MTOK
