"""Nothing twice when a network errs after acting: the contract's after-effect faults.

For every connector the call that creates the post takes effect on the fake and then
fails: a 500, an answer that never comes (past the client's timeout), or a socket closed
without an answer. The runner must look the post up before any retry and end with
exactly one post: published when the platform can be asked, "unknown" when it cannot.
Multi-step flows get the same: a Meta container made but its publish refused, a TikTok
upload finished but its answer lost, a Telegram album sent but its answer lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from core.models import PublishTarget, SocialAccount, TargetStatus
from core.target_states import ENDED, now
from tests.e2e.connectors.contract import (
    ContractCase,
    ContractEnv,
    FakeRun,
    all_cases,
    contract_env,
)
from tests.fakes.loopback import AFTER_EFFECT
from tests.fakes.telegram_api import FakeTelegram, running_fake

#: short enough to keep "hang" fast, long enough for a loaded 2-core machine
CLIENT_TIMEOUT = 1.5
CASES = {case.platform: case for case in all_cases()}


async def run_to_end(env: ContractEnv, target: PublishTarget, runs: int = 8) -> PublishTarget:
    """Run the target as the queue would (retries when due) until it ends."""
    runner = env.services.runner
    await runner.prepare_job(target.job_id)
    for _ in range(runs):
        outcome = await runner.run(target.id)
        target = await PublishTarget.get(id=target.id)
        if outcome.status in ENDED:
            return target
        assert outcome.status == TargetStatus.RETRY_WAIT, (outcome, target.error)
        if target.next_attempt_at:  # the queue runs it again at the time the runner set
            await asyncio.sleep(max((target.next_attempt_at - now()).total_seconds(), 0))
    raise AssertionError(f"target still {target.status} after {runs} runs: {target.error}")


def _plain_unknown(target: PublishTarget) -> None:
    assert target.status == TargetStatus.UNKNOWN, (target.status, target.error)
    assert target.error.startswith("Unknown: check the"), target.error
    assert "Mark as posted" in target.error and len(target.error) < 400
    for leak in ("{", "Traceback", "http_"):
        assert leak not in target.error


@pytest.fixture
async def faulty(case: ContractCase, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The contract environment with a short client timeout."""
    async with contract_env(
        case, tmp_path, connector_timeout_seconds=CLIENT_TIMEOUT, telegram_upload_timeout_seconds=2
    ) as env:
        yield env


@pytest.mark.parametrize("case", all_cases(), ids=[c.id for c in all_cases()])
@pytest.mark.parametrize("fault", AFTER_EFFECT)
async def test_create_call_fails_after_its_effect(faulty: ContractEnv, fault: str) -> None:
    env = faulty
    account = await env.case.connect(env)
    target = await env.target(await env.asset("image"), account)
    env.handle.inject(fault)
    target = await run_to_end(env, target)
    posts = env.handle.posts()
    assert len(posts) == 1, posts
    if env.case.after_effect_outcome == "unknown":
        _plain_unknown(target)
        return
    assert target.status == TargetStatus.PUBLISHED, (target.error, target.error_code)
    assert str(posts[0]["id"]) in (target.external_id or "")


@pytest.mark.parametrize(
    "case", [CASES["instagram"], CASES["threads"]], ids=["instagram", "threads"]
)
async def test_container_made_but_publish_refused(faulty: ContractEnv) -> None:
    """A 500 before acting: the lookup finds the container unpublished; one new publish."""
    env = faulty
    account = await env.case.connect(env)
    target = await env.target(await env.asset("image"), account)
    env.handle.inject("server_error")
    target = await run_to_end(env, target)
    assert target.status == TargetStatus.PUBLISHED, target.error
    assert len(env.handle.posts()) == 1


@pytest.mark.parametrize("case", [CASES["tiktok"]], ids=["tiktok"])
@pytest.mark.parametrize("fault", ["after_effect_500", "after_effect_drop"])
async def test_upload_finished_but_answer_lost(faulty: ContractEnv, fault: str) -> None:
    """The last chunk lands and TikTok publishes; the runner asks by the publish id."""
    env = faulty
    account = await env.case.connect(env)
    target = await env.target(await env.asset("video"), account)
    env.handle.inject(fault)
    target = await run_to_end(env, target)
    assert target.status == TargetStatus.PUBLISHED, target.error
    assert len(env.handle.posts()) == 1


# --- Telegram: the Bot API keeps no history, so a lost answer ends "unknown" --------------

CHANNEL = "-1001234567890"


class TelegramHandle:
    """The contract's view of the fake Bot API: the channel's posts; faults on a send."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    def posts(self) -> list[dict[str, Any]]:
        """Messages in the channel (an album is one message per item)."""
        return [
            {"id": m["message_id"], "text": m.get("caption", "")}
            for m in self.fake.chat_messages(CHANNEL)
        ]

    def inject(self, fault: str, times: int = 1) -> None:
        """An after-effect fault on the next send (a photo, or an album)."""
        for _ in range(times):
            self.fake.fail_after_effect("sendPhoto", fault)
            self.fake.fail_after_effect("sendMediaGroup", fault)

    def calls(self, kind: str) -> int:
        """Calls of a Bot API method."""
        return len(self.fake.calls_of(kind))


@asynccontextmanager
async def telegram_fake() -> AsyncIterator[FakeRun]:
    """The fake Bot API with the brand's channel."""
    async with running_fake() as fake:
        fake.add_channel(CHANNEL, "Acme channel", username="acme_channel")
        yield FakeRun(
            overrides={"telegram_api_base": fake.base, "telegram_bot_token": fake.token},
            handle=TelegramHandle(fake),
        )


async def telegram_connect(env: ContractEnv) -> SocialAccount:
    """The channel, checked through the Bot API."""
    return await env.connector.connect(env.brand, {"chat_id": CHANNEL})


TELEGRAM = ContractCase(
    platform="telegram",
    fake=telegram_fake,
    connect=telegram_connect,
    after_effect_outcome="unknown",
)


@pytest.mark.parametrize("case", [TELEGRAM], ids=["telegram"])
@pytest.mark.parametrize(
    ("fault", "kind", "messages"),
    [
        ("after_effect_500", "image", 1),
        ("after_effect_hang", "image", 1),
        ("after_effect_drop", "image", 1),
        ("after_effect_drop", "carousel", 2),
    ],
    ids=["photo-500", "photo-hang", "photo-drop", "album-half-sent"],
)
async def test_telegram_send_lost_ends_unknown(
    faulty: ContractEnv, fault: str, kind: str, messages: int
) -> None:
    """The post (or the album) is in the channel once; the target asks a person."""
    env = faulty
    account = await env.case.connect(env)
    target = await env.target(await env.asset(kind), account)  # type: ignore[arg-type]
    env.handle.inject(fault)
    target = await run_to_end(env, target)
    assert len(env.handle.posts()) == messages
    _plain_unknown(target)
