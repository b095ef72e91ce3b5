"""Callback payloads stay within Telegram's 64 bytes; status lines say what happened."""

from __future__ import annotations

from types import SimpleNamespace

from bots.telegram import callbacks as cb
from bots.telegram import render
from connectors.telegram import post_url, utf16_len


def test_callback_data_fits_64_bytes_for_long_ids_and_platform_names() -> None:
    packed = cb.CardCb(a=cb.OVERRIDE, c=2**31 - 1, p="instagram_business").pack()
    assert len(packed.encode()) <= 64
    assert cb.CardCb.unpack(packed).c == 2**31 - 1
    assert len(cb.RetryCb(t=2**31 - 1).pack()) <= 64


def test_status_lines_in_plain_words() -> None:
    labels = {"web": "Web feed", "telegram": "Telegram channel"}
    job = SimpleNamespace(status="partial", decision_note="")
    targets = [
        SimpleNamespace(
            id=1,
            platform="web",
            status="published",
            progress=100,
            external_url="http://x/p/1",
            error="",
        ),
        SimpleNamespace(
            id=2,
            platform="telegram",
            status="needs_reconnect",
            progress=0,
            external_url=None,
            error="The bot can no longer post",
        ),
        SimpleNamespace(
            id=3, platform="web", status="preparing", progress=20, external_url=None, error=""
        ),
    ]
    text = render.status_text(job, targets, labels)  # type: ignore[arg-type]
    assert "⚠️ Published in part" in text and "transcoding 40%" in text
    assert '<a href="http://x/p/1">view post</a>' in text
    markup = render.status_keyboard(targets, labels, "http://app/brands/1/connections")  # type: ignore[arg-type]
    flat = [b for row in markup.inline_keyboard for b in row] if markup else []
    assert [b.text for b in flat] == ["🔁 Retry Telegram channel", "🔌 Reconnect"]
    assert flat[1].url == "http://app/brands/1/connections"


def test_post_urls_and_caption_length() -> None:
    public = SimpleNamespace(meta={"username": "acme"}, external_id="-100123")
    private = SimpleNamespace(meta={}, external_id="-1001234567")
    assert post_url(public, 5) == "https://t.me/acme/5"  # type: ignore[arg-type]
    assert post_url(private, 5) == "https://t.me/c/1234567/5"  # type: ignore[arg-type]
    assert utf16_len("😀") == 2
