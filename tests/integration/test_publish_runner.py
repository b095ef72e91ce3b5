"""The publish state machine: once and only once, honest failures, retries, reconnects."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from connectors.web import WebConnector
from core.errors import AuthExpired, ConnectorError
from core.intake import file_chunks, ingest_media
from core.models import (
    AccountStatus,
    AuditLog,
    JobStatus,
    PublishJob,
    PublishTarget,
    SocialAccount,
    TargetStatus,
    WebPost,
)
from core.publishing import create_job, jobs_due
from core.target_states import now
from core.tenancy import BrandScope
from core.users import create_user
from oneclick.bootstrap import open_services
from tests.support.media import make_jpeg


class CountingWeb(WebConnector):
    """The real web connector, counting publishes and failing on demand."""

    def __init__(self, ctx, failures: list[Exception] | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.publishes = 0
        self.failures = list(failures or [])
        self.refreshes = 0
        self.refresh_error: Exception | None = None

    async def publish(self, target, caption, account):  # type: ignore[no-untyped-def]
        self.publishes += 1
        if self.failures:
            raise self.failures.pop(0)
        return await super().publish(target, caption, account)

    async def refresh_token(self, account):  # type: ignore[no-untyped-def]
        self.refreshes += 1
        if self.refresh_error:
            raise self.refresh_error
        return account


class Lookup:
    def __init__(self, connector: WebConnector) -> None:
        self.connector = connector

    def get(self, platform: str) -> WebConnector:
        return self.connector


@pytest.fixture
async def setup(any_db_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    db = any_db_settings
    user = await create_user("owner@example.com", "long enough pw", origin="test")
    from core.brands import create_brand

    brand = await create_brand(user, "Acme")
    photo = make_jpeg(tmp_path / "p.jpg")
    asset = await ingest_media(
        db,
        brand=brand,
        chunks=file_chunks(photo),
        file_name="p.jpg",
        caption="Hello",
        actor=user,
        origin="test",
    )
    scope = BrandScope(user)
    job, _ = await create_job(
        scope,
        asset=asset,
        platforms=["web"],
        known_platforms=["web"],
        captions={"web": "Hello web"},
        origin="test",
    )
    target = await PublishTarget.get(job_id=job.id)
    async with open_services(db, database=False) as services:
        yield services, job, target


def runner_with(services, connector):  # type: ignore[no-untyped-def]
    from core.publish_runner import PublishRunner

    return PublishRunner(services.settings, Lookup(connector))


async def test_concurrent_deliveries_publish_once(setup) -> None:  # type: ignore[no-untyped-def]
    services, job, target = setup
    web = CountingWeb(services.connectors.ctx)
    runner = runner_with(services, web)
    outcomes = await asyncio.gather(*(runner.run(target.id) for _ in range(5)))
    assert web.publishes == 1
    assert sum(1 for o in outcomes if not o.skipped) == 1
    assert await WebPost.filter(target_id=target.id).count() == 1
    target = await PublishTarget.get(id=target.id)
    assert target.status == TargetStatus.PUBLISHED and target.external_url
    assert (await PublishJob.get(id=job.id)).status == JobStatus.PUBLISHED
    actions = await AuditLog.filter(object_type="publish_targets").values_list("action", flat=True)
    assert {"target.preparing", "target.publishing", "target.published"} <= set(actions)


async def test_crash_after_platform_accepted_is_reconciled(setup) -> None:  # type: ignore[no-untyped-def]
    services, _, target = setup
    web = CountingWeb(services.connectors.ctx)
    account = await SocialAccount.get(id=target.account_id)
    external_id, _ = await WebConnector.publish(web, target, "Hello web", account)
    await PublishTarget.filter(id=target.id).update(
        status=TargetStatus.PUBLISHING,
        attempts=1,
        publish_started_at=now(),
        lease_until=now() - timedelta(seconds=1),
    )
    assert target.id in await jobs_due()
    outcome = await runner_with(services, web).run(target.id)
    assert outcome.status == TargetStatus.PUBLISHED
    assert web.publishes == 0, "a post that went live must not be published again"
    assert (await PublishTarget.get(id=target.id)).external_id == external_id
    assert await WebPost.filter(target_id=target.id).count() == 1


async def test_crash_before_platform_call_publishes_once(setup) -> None:  # type: ignore[no-untyped-def]
    services, _, target = setup
    web = CountingWeb(services.connectors.ctx)
    await PublishTarget.filter(id=target.id).update(
        status=TargetStatus.PUBLISHING,
        attempts=1,
        publish_started_at=now(),
        lease_until=now() - timedelta(seconds=1),
    )
    outcome = await runner_with(services, web).run(target.id)
    assert outcome.status == TargetStatus.PUBLISHED and web.publishes == 1


async def test_unknowable_outcome_ends_unknown_not_republished(setup) -> None:  # type: ignore[no-untyped-def]
    services, _, target = setup

    class Opaque(CountingWeb):
        find_published = WebConnector.__mro__[1].find_published  # the base: cannot tell

    web = Opaque(services.connectors.ctx)
    await PublishTarget.filter(id=target.id).update(
        status=TargetStatus.PUBLISHING,
        attempts=1,
        publish_started_at=now(),
        lease_until=now() - timedelta(seconds=1),
    )
    outcome = await runner_with(services, web).run(target.id)
    assert outcome.status == TargetStatus.UNKNOWN and web.publishes == 0
    error = (await PublishTarget.get(id=target.id)).error
    assert error.startswith("Unknown: check the") and "Mark as posted" in error


async def test_retryable_errors_back_off_then_give_up(setup) -> None:  # type: ignore[no-untyped-def]
    services, _, target = setup
    services.settings.publish_max_attempts = 2
    boom = ConnectorError(
        "The network is having trouble.", platform="web", retryable=True, retry_after=30
    )
    web = CountingWeb(services.connectors.ctx, failures=[boom, boom])
    runner = runner_with(services, web)
    first = await runner.run(target.id)
    assert first.status == TargetStatus.RETRY_WAIT and first.retry_in >= 30
    stored = await PublishTarget.get(id=target.id)
    assert stored.next_attempt_at > now() + timedelta(seconds=25)
    assert stored.publish_started_at is None
    assert (await runner.run(target.id)).skipped, "not before next_attempt_at"
    await PublishTarget.filter(id=target.id).update(next_attempt_at=now())
    second = await runner.run(target.id)
    assert second.status == TargetStatus.FAILED
    stored = await PublishTarget.get(id=target.id)
    assert "gave up after 2 attempts" in stored.error and web.publishes == 2


async def test_expired_token_refreshes_once_and_retries(setup) -> None:  # type: ignore[no-untyped-def]
    services, _, target = setup
    web = CountingWeb(
        services.connectors.ctx, failures=[AuthExpired("Token expired.", platform="web")]
    )
    outcome = await runner_with(services, web).run(target.id)
    assert outcome.status == TargetStatus.PUBLISHED
    assert web.refreshes == 1 and web.publishes == 2
    assert await AuditLog.filter(action="account.token_refreshed").count() == 1


async def test_failed_refresh_needs_reconnect_and_keeps_tokens(setup) -> None:  # type: ignore[no-untyped-def]
    services, _, target = setup
    await SocialAccount.filter(id=target.account_id).update(refresh_token_enc="kept")
    web = CountingWeb(
        services.connectors.ctx, failures=[AuthExpired("Token expired.", platform="web")]
    )
    web.refresh_error = ConnectorError("refresh refused", platform="web")
    outcome = await runner_with(services, web).run(target.id)
    assert outcome.status == TargetStatus.NEEDS_RECONNECT
    account = await SocialAccount.get(id=target.account_id)
    assert account.status == AccountStatus.NEEDS_RECONNECT
    assert account.refresh_token_enc == "kept"
    assert "reconnect" in (await PublishTarget.get(id=target.id)).error.lower()


class SentThenExpired(CountingWeb):
    """Its create call reaches the network, then a read after it is refused (401)."""

    async def publish(self, target, caption, account):  # type: ignore[no-untyped-def]
        from core.effects import note_create_sent

        self.publishes += 1
        note_create_sent()
        raise AuthExpired("Token expired.", platform="web")


async def test_expired_token_after_the_post_left_never_publishes_again(setup) -> None:  # type: ignore[no-untyped-def]
    services, _, target = setup
    web = SentThenExpired(services.connectors.ctx)
    outcome = await runner_with(services, web).run(target.id)
    assert web.publishes == 1 and web.refreshes == 0
    assert outcome.status != TargetStatus.PUBLISHED
    stored = await PublishTarget.get(id=target.id)
    assert stored.publish_started_at is not None  # looked up before anything is sent again
