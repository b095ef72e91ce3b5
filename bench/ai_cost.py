"""AI caption cost bench: one brand, 20 assets x 6 platforms, against the caching fake.

Runs the real ClaudeAdapter (real anthropic SDK) against tests/fakes/anthropic_api.py,
which applies Anthropic's caching rules (prefix match at breakpoints, minimum cacheable
length per model, TTL) and prices usage with the published prices. Compares one request
per asset (the product's design) with six separate per-platform requests per asset.

    .venv/bin/python bench/ai_cost.py [--model claude-sonnet-5-5] [--assets 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.anthropic_captions import (
    ClaudeAdapter,
    build_caption_adapter,
)
from core.ai.pricing import cost_usd, uncached_input_cost_usd
from core.ai.style_rules import DEFAULT_RULES
from core.config import Settings
from core.db import close_db, init_db, upgrade
from core.models import Brand, User
from tests.fakes.anthropic_api import (
    FakeMessagesAPI,
    captions_json,
    original_caption,
    requested_platforms,
)

PLATFORMS = ["instagram", "facebook", "tiktok", "telegram", "pinterest", "web"]
BRAND_PROMPT = (
    "You write for Linden & Co., a small family bakery in Lisbon that has baked sourdough "
    "since 1987. Sound warm, neighbourly and a little playful, never corporate or pushy. "
    "Talk to readers as regulars who drop by on the way to work. Mention the neighbourhood "
    "(Alfama) when it fits naturally. Prefer short sentences and concrete sensory details: "
    "the crackle of crust, the smell at six in the morning, flour on the counter. Use at "
    "most one or two emoji, and only bread, coffee or sun. Never promise delivery, we do "
    "not deliver. Prices are always in euros with the symbol after the number, like 3,50 "
    "€. Write in English unless the original caption is in Portuguese, then keep "
    "Portuguese. Sign off without slogans. When a product is seasonal, say until when it "
    "is available if the original caption says so; never guess dates."
)
PRODUCTS = [
    "rye loaf",
    "custard tarts",
    "seeded sourdough",
    "olive focaccia",
    "cinnamon knots",
    "spelt baguette",
    "almond croissants",
    "fig and walnut bread",
    "cornbread (broa)",
    "orange cake",
]


def asset_caption(n: int) -> str:
    """A typical original caption of 40-60 words."""
    product = PRODUCTS[n % len(PRODUCTS)]
    return (
        f"New this week at Linden: our {product}, baked every morning from 6 am with "
        f"flour from a mill in Alentejo. Batch {n + 1} came out of the oven with a "
        f"crackling crust and a soft, open crumb. Come early, we usually sell out by "
        f"eleven. {2 + n % 4},{(n * 10) % 60:02d} € each. #lisbon #sourdough"
    )


def realistic_answer(body: dict[str, Any]) -> str:
    """A caption near each platform's ideal length, like a real model's answer."""
    base = original_caption(body)
    out = {}
    for p in requested_platforms(body):
        target = DEFAULT_RULES[p].ideal_length or 300
        out[p] = (base + " ") * (target // max(len(base), 1)) + base[: target % len(base)]
    return captions_json(out)


@dataclass
class Totals:
    """Sums over a run."""

    requests: int = 0
    input: int = 0
    write: int = 0
    read: int = 0
    output: int = 0
    dollars: float = 0.0
    billed_input: float = 0.0
    uncached_input: float = 0.0

    def add(self, model: str, usage: dict[str, Any]) -> None:
        written_1h = usage["cache_creation"]["ephemeral_1h_input_tokens"]
        written_5m = usage["cache_creation"]["ephemeral_5m_input_tokens"]
        self.requests += 1
        self.input += usage["input_tokens"]
        self.write += usage["cache_creation_input_tokens"]
        self.read += usage["cache_read_input_tokens"]
        self.output += usage["output_tokens"]
        self.dollars += cost_usd(
            model,
            input_tokens=usage["input_tokens"],
            output_tokens=usage["output_tokens"],
            cache_read_tokens=usage["cache_read_input_tokens"],
            cache_write_1h_tokens=written_1h,
            cache_write_5m_tokens=written_5m,
        )
        self.billed_input += cost_usd(
            model,
            input_tokens=usage["input_tokens"],
            output_tokens=0,
            cache_read_tokens=usage["cache_read_input_tokens"],
            cache_write_1h_tokens=written_1h,
            cache_write_5m_tokens=written_5m,
        )
        self.uncached_input += uncached_input_cost_usd(
            model,
            usage["input_tokens"]
            + usage["cache_creation_input_tokens"]
            + usage["cache_read_input_tokens"],
        )

    @property
    def ratio(self) -> float:
        return self.billed_input / self.uncached_input if self.uncached_input else 0.0


async def run(
    model: str, assets: int, per_platform: bool, workdir: Path, *, warm_guide: bool = False
) -> tuple[Totals, Totals]:
    """(all calls, repeated calls) of one scenario, on a cold cache unless `warm_guide`.

    `warm_guide`: another brand adapted one asset just before (not counted), so the
    platform guide every brand shares is already cached, as in a multi-brand deployment.
    """
    with FakeMessagesAPI(responder=realistic_answer) as api:
        settings = Settings(
            _env_file=None,
            anthropic_api_key="bench-key",  # type: ignore[call-arg]
            anthropic_base_url=api.base_url,
            anthropic_model=model,
            data_dir=workdir,
            database_url=f"sqlite://{workdir}/bench.sqlite3",
        )
        adapter = build_caption_adapter(settings, max_retries=0)
        assert isinstance(adapter, ClaudeAdapter)
        tag = f"{model}-{per_platform}-{warm_guide}"
        owner = await User.create(email=f"bench-{tag}@example.com", password_hash="x")
        if warm_guide:
            other = await Brand.create(
                name="Other brand",
                slug=f"other-{tag}",
                owner=owner,
                ai_system_prompt="Plain and friendly.",
            )
            await adapter.adapt(other, asset_caption(99), PLATFORMS, DEFAULT_RULES)
        start = len(api.ok_requests)
        brand = await Brand.create(
            name="Linden & Co.",
            slug=f"linden-{tag}",
            owner=owner,
            ai_system_prompt=BRAND_PROMPT,
            default_hashtags=["#lindenbakery", "#alfama"],
            forbidden_phrases=["cheapest", "best in town"],
        )
        for n in range(assets):
            if per_platform:
                for platform in PLATFORMS:
                    await adapter.adapt(brand, asset_caption(n), [platform], DEFAULT_RULES)
            else:
                await adapter.adapt(brand, asset_caption(n), PLATFORMS, DEFAULT_RULES)
        everything, repeated = Totals(), Totals()
        for i, request in enumerate(api.ok_requests[start:]):
            assert request.usage is not None
            everything.add(model, request.usage)
            if i > 0:
                repeated.add(model, request.usage)
        return everything, repeated


def report(title: str, t: Totals, repeated: Totals, assets: int) -> None:
    """Print one scenario."""
    print(f"  {title}")
    print(f"    requests                         {t.requests:>10,}")
    print(f"    input tokens, uncached           {t.input:>10,}")
    print(f"    input tokens, cache write (1h)   {t.write:>10,}")
    print(f"    input tokens, cache read         {t.read:>10,}")
    print(f"    output tokens                    {t.output:>10,}")
    print(f"    dollars, total                   {t.dollars:>10.4f}")
    print(f"    dollars per asset                {t.dollars / assets:>10.5f}")
    print(f"    billed input / uncached input    {t.ratio:>10.3f}   (all calls)")
    print(f"    billed input / uncached input    {repeated.ratio:>10.3f}   (repeated calls)")


async def main() -> None:
    """Run both scenarios for each model and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        action="append",
        help="model id (repeatable); default: claude-sonnet-5-5 and -4-6",
    )
    parser.add_argument("--assets", type=int, default=20)
    args = parser.parse_args()
    models = args.model or ["claude-sonnet-5-5", "claude-sonnet-4-6"]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        settings = Settings(
            _env_file=None,
            data_dir=workdir,  # type: ignore[call-arg]
            database_url=f"sqlite://{workdir}/bench.sqlite3",
        )
        await upgrade(settings)
        await init_db(settings)
        try:
            print(
                f"One brand, ~150-word prompt, {args.assets} assets x {len(PLATFORMS)} "
                f"platforms ({', '.join(PLATFORMS)}), fake with Anthropic caching rules."
            )
            for model in models:
                one, one_rep = await run(model, args.assets, False, workdir)
                six, six_rep = await run(model, args.assets, True, workdir)
                warm, warm_rep = await run(model, args.assets, False, workdir, warm_guide=True)
                print(f"\n{model}")
                report(
                    "one request per asset (all platforms, structured output)",
                    one,
                    one_rep,
                    args.assets,
                )
                report(
                    "six per-platform requests per asset (same caching)", six, six_rep, args.assets
                )
                report(
                    "one request per asset, shared guide already cached by another brand",
                    warm,
                    warm_rep,
                    args.assets,
                )
                print(
                    f"  => dollars per asset: ${one.dollars / args.assets:.5f} (one request) "
                    f"vs ${six.dollars / args.assets:.5f} (six requests), "
                    f"{six.dollars / one.dollars:.2f}x"
                )
                for label, value in (
                    ("cold start, all calls", one.ratio),
                    ("repeated calls", one_rep.ratio),
                    ("guide warm, all calls", warm.ratio),
                ):
                    verdict = "met" if value <= 0.20 else "NOT met"
                    print(
                        f"  => billed/uncached input, {label:<22} {value:.3f}  "
                        f"(goal <= 0.20 {verdict})"
                    )
        finally:
            await close_db()


if __name__ == "__main__":
    asyncio.run(main())
