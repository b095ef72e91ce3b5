"""The fake Messages API itself keeps Anthropic's rules, so the caching proofs mean something."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from tests.fakes.anthropic_api import FakeMessagesAPI


@pytest.fixture
def client(fake_api: FakeMessagesAPI) -> Iterator[anthropic.AsyncAnthropic]:
    yield anthropic.AsyncAnthropic(api_key="k", base_url=fake_api.base_url, max_retries=0)


def system(chars: int, ttl: str = "1h", text: str = "s") -> list[dict[str, Any]]:
    return [
        {"type": "text", "text": text * chars, "cache_control": {"type": "ephemeral", "ttl": ttl}}
    ]


async def call(
    client: anthropic.AsyncAnthropic, model: str, sys: list[dict[str, Any]], **extra: Any
) -> Any:
    message = await client.messages.create(
        model=model,
        max_tokens=100,
        system=sys,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "hi"}],
        **extra,
    )
    return message.usage


@pytest.mark.parametrize(
    ("model", "chars", "cached"),
    [
        ("claude-sonnet-5-5", 2800, True),  # ~700 tokens >= 512
        ("claude-sonnet-4-6", 2800, False),  # ~700 tokens < 1,024: silently not cached
        ("claude-sonnet-5-5", 1200, False),  # ~300 tokens < 512
    ],
)
async def test_minimum_cacheable_prefix_per_model(
    client: anthropic.AsyncAnthropic, model: str, chars: int, cached: bool
) -> None:
    first = await call(client, model, system(chars))
    second = await call(client, model, system(chars))
    assert (first.cache_creation_input_tokens > 0) is cached
    assert (second.cache_read_input_tokens > 0) is cached
    assert (
        second.input_tokens + second.cache_read_input_tokens
        == first.input_tokens + first.cache_creation_input_tokens
    )


async def test_any_change_in_the_prefix_misses(client: anthropic.AsyncAnthropic) -> None:
    await call(client, "claude-sonnet-5-5", system(4000))
    usage = await call(client, "claude-sonnet-5-5", system(4000, text="t"))
    assert usage.cache_read_input_tokens == 0 and usage.cache_creation_input_tokens > 0


async def test_five_minute_ttl_expires(
    client: anthropic.AsyncAnthropic, fake_api: FakeMessagesAPI
) -> None:
    await call(client, "claude-sonnet-5-5", system(4000, ttl="5m"))
    fake_api.advance(301)
    usage = await call(client, "claude-sonnet-5-5", system(4000, ttl="5m"))
    assert usage.cache_read_input_tokens == 0
    assert usage.cache_creation.ephemeral_5m_input_tokens > 0


@pytest.mark.parametrize(
    "extra",
    [
        {"extra_body": {"temperature": 0.2}},  # SDK 2.x no longer even offers these
        {"extra_body": {"top_p": 0.9}},
        {
            "tool_choice": {"type": "any"},
            "tools": [{"name": "t", "input_schema": {"type": "object"}}],
        },
    ],
)
async def test_current_sonnet_refusals(
    client: anthropic.AsyncAnthropic, extra: dict[str, Any]
) -> None:
    with pytest.raises(anthropic.BadRequestError):
        await call(client, "claude-sonnet-5-5", system(10), **extra)


async def test_at_most_four_breakpoints_and_ttl_order(client: anthropic.AsyncAnthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="maximum of 4"):
        await call(client, "claude-sonnet-5-5", system(10) * 5)
    with pytest.raises(anthropic.BadRequestError, match="1h"):
        await call(client, "claude-sonnet-5-5", system(10, "5m") + system(10, "1h"))
