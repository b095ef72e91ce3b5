"""Fixtures for the AI tests: brands, assets, the fake Messages API and a real SDK client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.anthropic_captions import ClaudeAdapter, build_caption_adapter
from core.config import Settings
from core.models import AssetKind, Brand, MediaAsset, User
from tests.conftest import make_settings
from tests.fakes.anthropic_api import FakeMessagesAPI

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
)  # ~150 words


async def make_brand(
    slug: str,
    *,
    prompt: str = BRAND_PROMPT,
    hashtags: list[str] | None = None,
    forbidden: list[str] | None = None,
    settings: dict | None = None,
) -> Brand:
    """A brand with an owner."""
    owner = await User.create(email=f"owner-{slug}@example.com", password_hash="x")
    return await Brand.create(
        name=slug.title(),
        slug=slug,
        owner=owner,
        ai_system_prompt=prompt,
        default_hashtags=hashtags if hashtags is not None else ["#lindenbakery", "#alfama"],
        forbidden_phrases=forbidden if forbidden is not None else ["cheapest", "best in town"],
        settings=settings or {},
    )


async def make_asset(brand: Brand, caption: str) -> MediaAsset:
    """An image asset with an original caption."""
    return await MediaAsset.create(brand=brand, kind=AssetKind.IMAGE, original_caption=caption)


@pytest.fixture
def fake_api() -> Iterator[FakeMessagesAPI]:
    """The loopback fake Messages API, running."""
    with FakeMessagesAPI() as api:
        yield api


def claude_settings(
    tmp_path: Path, api: FakeMessagesAPI, model: str = "claude-sonnet-5-5"
) -> Settings:
    """Settings with a key, pointed at the fake."""
    return make_settings(
        tmp_path / "ai",
        anthropic_api_key="test-key",
        anthropic_base_url=api.base_url,
        anthropic_model=model,
    )


@pytest.fixture
def claude(tmp_path: Path, fake_api: FakeMessagesAPI) -> ClaudeAdapter:
    """A Claude adapter with the real SDK against the fake; fast retries."""
    adapter = build_caption_adapter(
        claude_settings(tmp_path, fake_api), max_retries=2, timeout=2.0, deadline_seconds=10.0
    )
    assert isinstance(adapter, ClaudeAdapter)
    return adapter
