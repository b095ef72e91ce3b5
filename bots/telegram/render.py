"""Message texts and inline keyboards: the card, the edit menu, the status message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bots.common.status_text import Markup
from bots.common.status_text import status_text as shared_status_text
from bots.telegram import callbacks as cb
from core.models import AssetKind, MediaAsset, PublishJob, PublishTarget, TelegramCard

TEXT_BUDGET = 3800  # Telegram's limit is 4,096 after entities; keep room for the header
ON, OFF = "✅", "▫️"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # cards and replies show no link preview


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def describe(asset: MediaAsset, children: int = 0) -> str:
    """A short description of the media: "video 0:05", "photo", "album of 3"."""
    if asset.kind == AssetKind.CAROUSEL:
        return f"album of {children}"
    if asset.kind == AssetKind.VIDEO:
        seconds = round(asset.duration_seconds or 0)
        return f"video {seconds // 60}:{seconds % 60:02d}"
    return "photo"


def card_text(
    *,
    brand_name: str,
    asset: MediaAsset,
    card: TelegramCard,
    captions: Mapping[str, str],
    labels: Mapping[str, str],
    children: int = 0,
    header: str = "",
    footer: str = "",
) -> str:
    """The card: what arrived, then each platform's adapted caption, collapsible."""
    lines = [header or f"📥 <b>{escape(brand_name)}</b> · {describe(asset, children)}"]
    if asset.original_caption:
        lines.append(f"<i>Original:</i> {escape(_clip(asset.original_caption, 200))}")
    platforms = list(card.platforms)
    budget = max(120, (TEXT_BUDGET - sum(len(x) for x in lines)) // max(len(platforms), 1) - 60)
    for platform in platforms:
        mark = ON if platform in card.selected else OFF
        lines.append(f"\n{mark} <b>{escape(labels.get(platform, platform))}</b>")
        text = captions.get(platform, "")
        if text:
            lines.append(f"<blockquote expandable>{escape(_clip(text, budget))}</blockquote>")
    if footer:
        lines.append("\n" + footer)
    return "\n".join(lines)


def card_keyboard(card: TelegramCard, labels: Mapping[str, str]) -> InlineKeyboardMarkup:
    """Toggles (two per row), Publish, Edit caption, Cancel."""
    kb = InlineKeyboardBuilder()
    for platform in card.platforms:
        mark = ON if platform in card.selected else OFF
        kb.button(
            text=f"{mark} {labels.get(platform, platform)}",
            callback_data=cb.CardCb(a=cb.TOGGLE, c=card.id, p=platform),
        )
    kb.adjust(2)
    count = len(card.selected)
    kb.row(
        InlineKeyboardButton(
            text=f"🚀 Publish ({count})", callback_data=cb.CardCb(a=cb.PUBLISH, c=card.id).pack()
        )
    )
    kb.row(
        InlineKeyboardButton(
            text="✏️ Edit caption", callback_data=cb.CardCb(a=cb.EDIT, c=card.id).pack()
        ),
        InlineKeyboardButton(
            text="✖️ Cancel", callback_data=cb.CardCb(a=cb.CANCEL, c=card.id).pack()
        ),
    )
    return kb.as_markup()


def edit_keyboard(card: TelegramCard, labels: Mapping[str, str]) -> InlineKeyboardMarkup:
    """Choose a platform to write its caption, or regenerate with a hint."""
    kb = InlineKeyboardBuilder()
    for platform in card.selected or card.platforms:
        kb.button(
            text=f"✏️ {labels.get(platform, platform)}",
            callback_data=cb.CardCb(a=cb.OVERRIDE, c=card.id, p=platform),
        )
    kb.adjust(2)
    kb.row(
        *[
            InlineKeyboardButton(
                text=f"✨ {label.capitalize()}",
                callback_data=cb.CardCb(a=cb.REGENERATE, c=card.id, p=code).pack(),
            )
            for code, label in cb.HINTS.items()
        ]
    )
    kb.row(
        InlineKeyboardButton(
            text="💬 Regenerate with my hint", callback_data=cb.CardCb(a=cb.HINT, c=card.id).pack()
        ),
        InlineKeyboardButton(text="⬅️ Back", callback_data=cb.CardCb(a=cb.BACK, c=card.id).pack()),
    )
    return kb.as_markup()


def approval_keyboard(card: TelegramCard) -> InlineKeyboardMarkup:
    """Approve or reject a waiting job."""
    kb = InlineKeyboardBuilder()
    kb.button(text="✅ Approve & publish", callback_data=cb.CardCb(a=cb.APPROVE, c=card.id))
    kb.button(text="🚫 Reject", callback_data=cb.CardCb(a=cb.REJECT, c=card.id))
    return kb.as_markup()


MARKUP = Markup(
    escape=escape,
    bold=lambda text: f"<b>{text}</b>",
    link=lambda url, text: f'<a href="{escape(url, quote=True)}">{text}</a>',
)


def status_text(
    job: PublishJob, targets: Sequence[PublishTarget], labels: Mapping[str, str]
) -> str:
    """The one status message of a job."""
    return shared_status_text(job, targets, labels, MARKUP)


def status_keyboard(
    targets: Sequence[PublishTarget], labels: Mapping[str, str], reconnect_url: str
) -> InlineKeyboardMarkup | None:
    """Retry for failed targets, Mark as posted / Publish again for unknown ones,
    Reconnect (a link to the web app) where needed."""
    kb = InlineKeyboardBuilder()
    rows = 0
    for target in targets:
        label = labels.get(target.platform, target.platform)
        if target.status == "unknown":
            kb.row(
                InlineKeyboardButton(
                    text=f"✅ Mark as posted: {label}",
                    callback_data=cb.UnknownCb(t=target.id, p=1).pack(),
                ),
                InlineKeyboardButton(
                    text="🔁 Publish again", callback_data=cb.UnknownCb(t=target.id, p=0).pack()
                ),
            )
            rows += 1
        if target.status in ("failed", "needs_reconnect"):
            kb.row(
                InlineKeyboardButton(
                    text=f"🔁 Retry {labels.get(target.platform, target.platform)}",
                    callback_data=cb.RetryCb(t=target.id).pack(),
                )
            )
            rows += 1
    if any(t.status == "needs_reconnect" for t in targets):
        kb.row(InlineKeyboardButton(text="🔌 Reconnect", url=reconnect_url))
        rows += 1
    return kb.as_markup() if rows else None
