"""A step that has not moved for two minutes says what it is waiting for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from bots.common.status_text import Markup, status_text

PLAIN = Markup(escape=lambda s: s, bold=lambda s: s, link=lambda url, text: f"{text} {url}")


def _text(status: str, progress: int, age: timedelta, job_status: str = "running") -> str:
    target = SimpleNamespace(
        id=1,
        platform="telegram",
        status=status,
        progress=progress,
        error="",
        external_url="",
        updated_at=datetime.now(UTC) - age,
    )
    job = SimpleNamespace(status=job_status, decision_note="")
    return status_text(job, [target], {"telegram": "Telegram"}, PLAIN)  # type: ignore[arg-type]


def test_a_fresh_step_says_nothing_more() -> None:
    assert "waiting" not in _text("publishing", 60, timedelta(seconds=30))


def test_a_stalled_step_says_what_it_waits_for() -> None:
    old = timedelta(minutes=3)
    assert "(waiting for Telegram to answer)" in _text("publishing", 60, old)
    assert "waiting for the media step" in _text("preparing", 20, old)
    assert "waiting for a free worker" in _text("pending", 0, old)


def test_a_scheduled_job_is_not_stalled() -> None:
    assert "waiting" not in _text("pending", 0, timedelta(hours=5), job_status="scheduled")
