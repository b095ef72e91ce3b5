"""Block Kit builders and the error funnel's reading of payloads."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from bots.slack import blocks
from bots.slack.errors import FALLBACK, user_text, where
from core.errors import Forbidden
from core.models import MediaAsset, PublishJob, PublishTarget, SlackCard

LABELS = {"web": "Web feed", "telegram": "Telegram channel"}


def _card(**kw: object) -> SlackCard:
    return SlackCard(
        id=7,
        team_id="T1",
        channel_id="C1",
        kind="inbox",
        platforms=["web", "telegram"],
        selected=["web"],
        **kw,
    )


def _asset() -> MediaAsset:
    return MediaAsset(
        id=3,
        kind="video",
        duration_seconds=65.2,
        file_name="clip<1>.mp4",
        original_caption="Hello & welcome",
        source="upload",
    )


def test_open_card_has_checkboxes_and_three_buttons() -> None:
    body = blocks.card_blocks(
        _card(),
        header="h",
        asset=_asset(),
        captions={"web": "a <b>", "telegram": "c"},
        labels=LABELS,
        image_url=None,
    )
    assert body[1]["type"] == "context" and "clip&lt;1&gt;.mp4 · video 1:05" in str(body[1])
    assert "Hello &amp; welcome" in str(body[2])
    actions = [b for b in body if b["type"] == "actions"]
    boxes = actions[0]["elements"][0]
    assert boxes["type"] == "checkboxes" and [o["value"] for o in boxes["initial_options"]] == [
        "web"
    ]
    assert [e["action_id"] for e in actions[1]["elements"]] == [
        blocks.APPROVE,
        blocks.EDIT,
        blocks.REJECT,
    ]
    assert {e["value"] for e in actions[1]["elements"]} == {"7"}
    assert "> a &lt;b&gt;" in body[3]["text"]["text"]


def test_decided_card_shows_the_decision_and_no_buttons() -> None:
    body = blocks.card_blocks(
        _card(),
        header="h",
        asset=_asset(),
        captions={},
        labels=LABELS,
        image_url="https://example.com/m/x",
        decision="✅ Approved",
    )
    assert body[1]["type"] == "image"
    assert not [b for b in body if b["type"] == "actions"]
    assert body[-1]["elements"][0]["text"] == "✅ Approved"


def test_state_and_modal_values_are_read() -> None:
    state = {
        "values": {"platforms:7": {blocks.PLATFORMS: {"selected_options": [{"value": "telegram"}]}}}
    }
    assert blocks.selected_from_state(state, 7) == ["telegram"]
    assert blocks.selected_from_state({"values": {}}, 7) is None
    view = {
        "state": {
            "values": {"cap:web": {"text": {"value": "x"}}, "reason": {"text": {"value": None}}}
        }
    }
    assert blocks.modal_values(view) == {"cap:web": "x", "reason": ""}
    modal = blocks.edit_modal(_card(), {"web": "w" * 5000}, LABELS, {"card": 7})
    assert len(modal["blocks"]) == 1 and len(modal["blocks"][0]["element"]["initial_value"]) == 3000
    assert len(modal["title"]["text"]) <= 24


def test_status_text_follows_the_job() -> None:
    job = PublishJob(id=1, status="partial")
    targets = [
        PublishTarget(
            platform="web", status="published", external_url="https://x/p/1", progress=100
        ),
        PublishTarget(platform="telegram", status="failed", error="Chat <gone>", progress=0),
    ]
    text = blocks.status_text(job, targets, LABELS)
    assert text.splitlines() == [
        "⚠️ Published in part",
        "✅ *Web feed*: published <https://x/p/1|view post>",
        "❌ *Telegram channel*: Chat &lt;gone&gt;",
    ]
    assert "Rejected: too dark" in blocks.status_text(
        PublishJob(status="rejected", decision_note="too dark"), [], LABELS
    )
    assert "<!date^0^" in blocks.when(datetime.fromtimestamp(0, UTC))


def test_the_funnel_finds_who_to_tell_in_every_payload_shape() -> None:
    assert where({"type": "block_actions", "channel": {"id": "C1"}, "user": {"id": "U1"}}) == (
        "C1",
        "U1",
    )
    assert where({"channel_id": "C2", "user_id": "U2", "command": "/oneclick"}) == ("C2", "U2")
    assert where(
        {
            "type": "view_submission",
            "user": {"id": "U3"},
            "view": {"private_metadata": '{"channel": "C3"}'},
        }
    ) == ("C3", "U3")
    assert where({"event": {"type": "file_shared", "channel_id": "C4", "user_id": "U4"}}) == (
        "C4",
        "U4",
    )
    assert where({"type": "view_submission", "view": {"private_metadata": "{bad"}}) == (None, None)
    assert user_text(Forbidden("No.")) == "No."
    assert "slow down" in user_text(SlackApiError("x", {"ok": False, "error": "ratelimited"}))
    assert user_text(RuntimeError("boom")) == FALLBACK
