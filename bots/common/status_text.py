"""The wording of a job's status message, shared by the chat front ends.

Each chat brings its own markup (HTML for Telegram, mrkdwn for Slack); the words and
the states they describe are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.models import PublishJob, PublishTarget
from core.safe_links import shown_link

STALLED = timedelta(minutes=2)  # a step this old says what it waits for
HEADS = {
    "published": "✅ Published everywhere",
    "partial": "⚠️ Published in part",
    "failed": "❌ Not published",
    "cancelled": "⏹ Cancelled",
    "scheduled": "🗓 Scheduled",
}


@dataclass(frozen=True)
class Markup:
    """How one chat writes bold text, links and escaped user text."""

    escape: Callable[[str], str]
    bold: Callable[[str], str]
    link: Callable[[str, str], str]


def target_line(target: PublishTarget, label: str, markup: Markup) -> str:
    """One network's line: transcoding %, publishing, the link, or the reason in plain words."""
    esc, name = markup.escape, markup.bold(markup.escape(label))
    status = target.status
    if status in ("pending", "preparing"):
        if target.progress >= 50:
            return f"⏳ {name}: media ready"
        if target.progress > 0:
            return f"⏳ {name}: transcoding {min(target.progress * 2, 99)}%"
        return f"⏳ {name}: preparing"
    if status == "publishing":
        return f"📤 {name}: publishing"
    if status == "retry_wait":
        return f"🔁 {name}: will retry shortly ({esc(target.error or 'temporary problem')})"
    if status == "published":
        url = shown_link(target.external_url)
        link = f" {markup.link(url, 'view post')}" if url else ""
        return f"✅ {name}: published{link}"
    if status == "needs_reconnect":
        return f"🔌 {name}: {esc(target.error or 'the connection needs to be renewed')}"
    if status == "cancelled":
        return f"⏹ {name}: cancelled"
    if status == "unknown":
        return f"❓ {name}: {unknown_words(target.platform)}"
    return f"❌ {name}: {esc(target.error or 'failed')}"


def unknown_words(platform: str) -> str:
    """What an unknown target says in a chat (its buttons: Mark as posted, Publish again)."""
    where = "channel" if platform == "telegram" else "account"
    return (
        f"unknown: check the {where}. It may have been posted; press Mark as posted if "
        "it is there, or Publish again"
    )


def status_text(
    job: PublishJob, targets: Sequence[PublishTarget], labels: Mapping[str, str], markup: Markup
) -> str:
    """The one status message of a job, edited in place until every target has ended."""
    if job.status == "awaiting_approval":
        return "🕒 Sent for approval. It goes out as soon as an approver approves it."
    if job.status == "rejected":
        note = f": {markup.escape(job.decision_note)}" if job.decision_note else ""
        return f"🚫 Rejected{note}."
    head = HEADS.get(str(job.status), "🚀 Publishing…")
    lines = [head] + [
        target_line(t, labels.get(t.platform, t.platform), markup)
        + (
            waiting_for(t, labels.get(t.platform, t.platform), markup)
            if job.status == "running"
            else ""
        )
        for t in targets
    ]
    return "\n".join(lines)


def waiting_for(target: PublishTarget, label: str, markup: Markup) -> str:
    """For a step that has not moved for two minutes: what it is waiting for (else "")."""
    if target.status not in ("pending", "preparing", "publishing") or not target.updated_at:
        return ""
    if datetime.now(UTC) - target.updated_at < STALLED:
        return ""
    if target.status == "publishing":
        return f" (waiting for {markup.escape(label)} to answer)"
    if target.progress > 0:
        return " (waiting for the media step to finish)"
    return " (waiting for a free worker; it starts as soon as one takes it)"
