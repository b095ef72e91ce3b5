"""Block Kit builders: the card, the decision line, the status reply, the two modals."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bots.common.status_text import Markup
from bots.common.status_text import status_text as shared_status_text
from core.models import AssetKind, MediaAsset, PublishJob, PublishTarget, SlackCard

APPROVE, EDIT, REJECT, PLATFORMS = "oc_approve", "oc_edit", "oc_reject", "oc_platforms"
EDIT_VIEW, REJECT_VIEW, REPOST = "oc_edit_view", "oc_reject_view", "oc_repost"
MARK_POSTED, PUBLISH_AGAIN = "oc_mark_posted", "oc_publish_again"
SECTION_LIMIT = 2900
Block = dict[str, Any]


def esc(text: str) -> str:
    """Escape text for Slack mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten text to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def describe(asset: MediaAsset, children: int = 0) -> str:
    """A short description of the media: "video 0:05", "photo", "album of 3"."""
    if asset.kind == AssetKind.CAROUSEL:
        return f"album of {children}"
    if asset.kind == AssetKind.VIDEO:
        seconds = round(asset.duration_seconds or 0)
        return f"video {seconds // 60}:{seconds % 60:02d}"
    return "photo"


def when(moment: datetime) -> str:
    """A date Slack shows in each reader's time zone."""
    ts = int(moment.timestamp())
    return f"<!date^{ts}^{{date_short_pretty}} at {{time}}|{moment.isoformat(timespec='minutes')}>"


def _text(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _button(label: str, action_id: str, card_id: int, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": str(card_id),
    }
    if style:
        button["style"] = style
    return button


def _option(platform: str, labels: Mapping[str, str]) -> Block:
    return {
        "text": {"type": "plain_text", "text": labels.get(platform, platform)[:75]},
        "value": platform,
    }


def preview(asset: MediaAsset, image_url: str | None, children: int = 0) -> Block:
    """An image block when a public URL exists, else a line with file name and length."""
    if image_url:
        return {
            "type": "image",
            "image_url": image_url,
            "alt_text": clip(asset.file_name or describe(asset, children), 200),
        }
    icon = "🎞" if asset.kind == AssetKind.VIDEO else "🖼"
    return {
        "type": "context",
        "elements": [
            _text(f"{icon} {esc(asset.file_name or 'media')} · {describe(asset, children)}")
        ],
    }


def card_blocks(
    card: SlackCard,
    *,
    header: str,
    asset: MediaAsset,
    captions: Mapping[str, str],
    labels: Mapping[str, str],
    image_url: str | None,
    decision: str = "",
    children: int = 0,
) -> list[Block]:
    """The whole card: header, preview, captions per platform, checkboxes and buttons."""
    blocks: list[Block] = [
        {"type": "section", "text": _text(header)},
        preview(asset, image_url, children),
    ]
    if asset.original_caption:
        blocks.append(
            {
                "type": "context",
                "elements": [_text("Original: " + esc(clip(asset.original_caption, 300)))],
            }
        )
    budget = max(200, min(SECTION_LIMIT, 9000 // max(len(card.platforms), 1)))
    for platform in card.platforms:
        mark = "✅" if platform in card.selected else "▫️"
        body = esc(clip(captions.get(platform, ""), budget)) or "_(no caption)_"
        quoted = "\n".join("> " + line for line in body.splitlines()) or "> "
        blocks.append(
            {
                "type": "section",
                "block_id": f"cap:{platform}",
                "text": _text(f"{mark} *{esc(labels.get(platform, platform))}*\n{quoted}"),
            }
        )
    if decision:
        blocks.append({"type": "context", "elements": [_text(decision)]})
        return blocks
    options = [_option(p, labels) for p in card.platforms[:10]]
    chosen = [_option(p, labels) for p in card.platforms[:10] if p in card.selected]
    boxes: Block = {"type": "checkboxes", "action_id": PLATFORMS, "options": options}
    if chosen:
        boxes["initial_options"] = chosen
    blocks.append({"type": "actions", "block_id": f"platforms:{card.id}", "elements": [boxes]})
    blocks.append(
        {
            "type": "actions",
            "block_id": f"buttons:{card.id}",
            "elements": [
                _button("✅ Approve & publish", APPROVE, card.id, "primary"),
                _button("✏️ Edit", EDIT, card.id),
                _button("🚫 Reject", REJECT, card.id, "danger"),
            ],
        }
    )
    return blocks


def selected_from_state(state: Mapping[str, Any], card_id: int) -> list[str] | None:
    """The platforms ticked in the message's checkboxes, if the payload carries them."""
    block = (state.get("values") or {}).get(f"platforms:{card_id}") or {}
    value = block.get(PLATFORMS)
    if value is None:
        return None
    return [str(o.get("value")) for o in value.get("selected_options") or []]


def edit_modal(
    card: SlackCard, captions: Mapping[str, str], labels: Mapping[str, str], meta: Mapping[str, Any]
) -> Block:
    """One caption field per platform."""
    blocks: list[Block] = []
    for platform in card.selected or card.platforms:
        element: Block = {
            "type": "plain_text_input",
            "action_id": "text",
            "multiline": True,
            "max_length": 3000,
        }
        initial = captions.get(platform, "")
        if initial:
            element["initial_value"] = initial[:3000]
        blocks.append(
            {
                "type": "input",
                "block_id": f"cap:{platform}",
                "element": element,
                "label": {"type": "plain_text", "text": clip(labels.get(platform, platform), 2000)},
            }
        )
    return {
        "type": "modal",
        "callback_id": EDIT_VIEW,
        "private_metadata": json.dumps(meta),
        "title": {"type": "plain_text", "text": "Edit captions"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def reject_modal(meta: Mapping[str, Any]) -> Block:
    """Ask for the reason of a rejection."""
    return {
        "type": "modal",
        "callback_id": REJECT_VIEW,
        "private_metadata": json.dumps(meta),
        "title": {"type": "plain_text", "text": "Reject"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Why? (the requester sees this)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": 500,
                },
            }
        ],
    }


def modal_values(view: Mapping[str, Any]) -> dict[str, str]:
    """block_id → typed text of a submitted modal."""
    out: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        value = (actions.get("text") or {}).get("value")
        out[block_id] = value or ""
    return out


MARKUP = Markup(escape=esc, bold=lambda text: f"*{text}*", link=lambda url, text: f"<{url}|{text}>")


def status_text(
    job: PublishJob, targets: Sequence[PublishTarget], labels: Mapping[str, str]
) -> str:
    """The one status reply of a job, edited in place."""
    return shared_status_text(job, targets, labels, MARKUP)


def status_blocks(
    text: str, targets: Sequence[PublishTarget], labels: Mapping[str, str]
) -> list[Block] | None:
    """The status reply as blocks when a target's outcome is unknown: its two buttons."""
    unknown = [t for t in targets if t.status == "unknown"]
    if not unknown:
        return None
    out: list[Block] = [{"type": "section", "text": _text(clip(text, SECTION_LIMIT))}]
    for target in unknown[:20]:
        label = labels.get(target.platform, target.platform)
        out.append(
            {
                "type": "actions",
                "block_id": f"unknown:{target.id}",
                "elements": [
                    _button(f"Mark as posted: {label}"[:75], MARK_POSTED, target.id, "primary"),
                    _button(f"Publish again: {label}"[:75], PUBLISH_AGAIN, target.id),
                ],
            }
        )
    return out
