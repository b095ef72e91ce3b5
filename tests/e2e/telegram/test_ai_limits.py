"""Telegram: looping "✨ Shorter" stops at the per-person AI limit, with the reason on the tap;
a used-up monthly budget is said in the chat. The fake Anthropic API counts what reached it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.anthropic_captions import ClaudeAdapter, build_caption_adapter
from core.ai.limits import AICallLimiter
from tests.conftest import make_settings
from tests.e2e.telegram.conftest import Harness, button, link, owner_brand, person, private
from tests.fakes.anthropic_api import FakeMessagesAPI
from tests.support.media import make_jpeg

CHAT = 8101


@pytest.fixture
def fake_api() -> Iterator[FakeMessagesAPI]:
    """The loopback fake Messages API."""
    with FakeMessagesAPI() as api:
        yield api


def card_message(h: Harness) -> dict | None:
    """The item card in the chat (the message with the Publish button)."""
    return next(
        (m for m in h.fake.chat_messages(CHAT) if "Publish" in str(m.get("reply_markup"))), None
    )


def markup(h: Harness, message_id: int) -> str:
    """The card's buttons as text."""
    return str(h.fake.message(CHAT, message_id).get("reply_markup"))


async def shorter(h: Harness, ann: dict, message_id: int) -> str:
    """Tap ✨ Shorter on the card (opening its edit menu first); the tap's answer."""
    if "✨ Shorter" not in markup(h, message_id):
        h.fake.tap(
            ann,
            h.fake.message(CHAT, message_id),
            button(h.fake.message(CHAT, message_id), "✏️ Edit caption"),
        )
        await h.until(lambda: "✨ Shorter" in markup(h, message_id), "the edit menu")
    before = len(h.answers())
    h.fake.tap(
        ann,
        h.fake.message(CHAT, message_id),
        button(h.fake.message(CHAT, message_id), "✨ Shorter"),
    )

    def done() -> bool:
        new = h.answers()[before:]
        return bool(new) and (
            not new[0].startswith("Rewriting") or "🚀 Publish" in markup(h, message_id)
        )

    await h.until(done, "the tap's answer and the card")
    return h.answers()[before]


async def test_regenerate_loop_is_limited_then_budget_said(
    tg: Harness, fake_api: FakeMessagesAPI, tmp_path: Path
) -> None:
    h = tg
    adapter = build_caption_adapter(
        make_settings(
            tmp_path / "ai", anthropic_api_key="test-key", anthropic_base_url=fake_api.base_url
        ),
        max_retries=0,
        timeout=5.0,
    )
    assert isinstance(adapter, ClaudeAdapter)
    h.services.captions.adapter = adapter
    h.services.captions.limiter = AICallLimiter(2)
    _, _, code = await owner_brand(h)
    chat, ann = private(CHAT), person(CHAT)
    await link(h, chat, ann, code)
    h.fake.user_message(
        chat,
        ann,
        photo=h.fake.photo_sizes(make_jpeg(tmp_path / "a.jpg").read_bytes()),
        caption="Our new mugs, two colours",
    )
    card = await h.until(lambda: card_message(h), "the card")
    assert len(fake_api.requests) == 1  # the card's captions: automatic, not counted

    answers = [await shorter(h, ann, card["message_id"]) for _ in range(4)]
    assert answers[:2] == ["Rewriting: shorter…"] * 2
    assert all("2 rewrites in the last minute" in a for a in answers[2:]), answers
    assert len(fake_api.requests) == 3  # the refused taps never reached the AI

    h.services.captions.limiter = AICallLimiter(0)
    adapter.budget_cap_usd = 0.0  # the operator's cap reached: the rules write, the chat says why
    assert await shorter(h, ann, card["message_id"]) == "Rewriting: shorter…"
    await h.until(lambda: "AI budget" in h.last_text(CHAT), "the budget note")
    assert len(fake_api.requests) == 3
