"""The coalescer: calls arriving within the window share one batch call."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from core.coalesce import Coalescer


async def test_calls_within_the_window_share_one_batch() -> None:
    batches: list[list[int]] = []

    async def double(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        return [i * 2 for i in items]

    coalesce = Coalescer(double, window=0.01)
    results = await asyncio.gather(*(coalesce(i) for i in range(5)))
    assert results == [0, 2, 4, 6, 8]
    assert batches == [[0, 1, 2, 3, 4]]


async def test_a_full_batch_leaves_without_waiting_for_the_window() -> None:
    batches: list[list[int]] = []

    async def echo(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        return list(items)

    coalesce = Coalescer(echo, window=60.0, max_batch=3)
    assert await asyncio.wait_for(asyncio.gather(*(coalesce(i) for i in range(3))), 5) == [0, 1, 2]
    assert batches == [[0, 1, 2]]


async def test_a_failing_batch_fails_every_caller_and_the_next_batch_works() -> None:
    calls = 0

    async def flaky(items: Sequence[int]) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database went away")
        return list(items)

    coalesce = Coalescer(flaky, window=0.01)
    outcomes = await asyncio.gather(coalesce(1), coalesce(2), return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)
    assert await coalesce(3) == 3


async def test_a_batch_must_answer_every_item() -> None:
    async def short(items: Sequence[int]) -> list[int]:
        return list(items)[:1]

    coalesce = Coalescer(short, window=0.01)
    with pytest.raises(ValueError):
        await asyncio.gather(coalesce(1), coalesce(2))
