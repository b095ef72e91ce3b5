"""Runs one publish target through prepare → publish → record, safely under retries.

The rule that keeps posts from going out twice: the target is marked `publishing`
(with `publish_started_at`) in the database *before* the platform is called. A
later attempt that finds that mark does not publish blindly: it asks the
connector whether the post exists (`get_status` / `find_published`) first.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from tortoise.exceptions import DoesNotExist
from tortoise.queryset import QuerySet

from core import audit, effects, notify
from core.coalesce import Coalescer, inside_transaction
from core.config import Settings
from core.db import database_away, while_away
from core.errors import (
    AuthExpired,
    ConnectorError,
    MaybeApplied,
    MediaRejected,
    OneClickError,
    PublishOutcomeUnknown,
)
from core.leases import Leases
from core.media.items import media_items
from core.models import (
    AccountStatus,
    JobStatus,
    PublishJob,
    PublishTarget,
    SocialAccount,
    TargetStatus,
)
from core.ports.connector import Connector, PublishState
from core.target_states import ACTIVE, ENDED, now, settle_job, transition

log = logging.getLogger(__name__)
T = TargetStatus


async def _fetch_targets(query: QuerySet[PublishTarget]) -> list[PublishTarget]:
    """Targets with their job, the job's asset and brand, and the account: one query."""
    targets = list(await query.select_related("job__asset__brand", "account"))
    for target in targets:
        target.job.brand = target.job.asset.brand  # the same brand: no second join
    return targets


async def _pending_of_jobs(job_ids: Sequence[int]) -> list[list[PublishTarget]]:
    """Each job's pending targets, fetched for all the jobs in one query."""
    targets = await _fetch_targets(PublishTarget.filter(job_id__in=set(job_ids), status=T.PENDING))
    by_job: dict[int, list[PublishTarget]] = {}
    for target in targets:
        by_job.setdefault(target.job_id, []).append(target)
    return [by_job.get(job_id, []) for job_id in job_ids]


class ConnectorLookup(Protocol):
    """Finds the connector of a platform (the registry)."""

    def get(self, platform: str) -> Connector: ...


@dataclass(frozen=True)
class RunOutcome:
    """What one run did to a target."""

    status: TargetStatus
    retry_in: float | None = None
    skipped: bool = False


class CrashHooks(Protocol):
    """Named steps where a chaos test may kill the process (`adapters.chaos`)."""

    def maybe_crash(self, name: str) -> None:
        """Die now, or return."""
        ...


class NoCrashes:
    """The crash hooks of every real run: none."""

    def maybe_crash(self, name: str) -> None:
        """Never crash."""


class PublishRunner:
    """Moves targets through their state machine; retries are scheduled, never looped here."""

    def __init__(
        self,
        settings: Settings,
        connectors: ConnectorLookup,
        *,
        crash: CrashHooks | None = None,
    ) -> None:
        self.settings = settings
        self.connectors = connectors
        self.crash = crash or NoCrashes()
        self.leases = Leases(settings.publish_lease_seconds)
        # jobs a worker starts together are read together
        self._pending_targets = Coalescer(
            _pending_of_jobs, alone_when=inside_transaction(PublishTarget)
        )

    async def prepare_job(self, job_id: int) -> list[PublishTarget]:
        """Produce every format the job's pending targets need, one media-pipeline pass per
        item; returns those targets, fetched with everything `run` needs.

        Queuing the job left a ticket on its targets; while this worker prepares them the
        heartbeat turns it into a short lease it renews (progress reports renew it too), so
        the sweeper takes them over soon if this worker dies, and never while it lives.
        """
        targets = await while_away(
            lambda: self._pending_targets(job_id), what=f"reading job {job_id}"
        )
        if not targets:
            return []
        async with self.leases.holding(t.id for t in targets):
            return await self._prepare(job_id, targets)

    async def _prepare(self, job_id: int, targets: list[PublishTarget]) -> list[PublishTarget]:
        job = targets[0].job
        last = -10

        async def progress(percent: int) -> None:
            nonlocal last
            if percent >= 100 or percent - last < 5:
                return  # done: the targets' own steps take the progress on from here
            last = percent
            try:
                await self._lease_pending(job_id, progress=percent // 2)
                await settle_job(job_id)
            except Exception as exc:
                if not database_away(exc):
                    raise
                log.warning("job %s: progress not recorded, the database is away", job_id)

        try:
            items = await media_items(job.asset)
            pipeline = self.connectors.get(targets[0].platform).ctx.pipeline
            for index, item in enumerate(items):
                profiles = sorted(
                    {self.connectors.get(t.platform).media_profile(item) for t in targets}
                )

                async def item_progress(percent: int, index: int = index) -> None:
                    await progress((index * 100 + percent) // len(items))

                await pipeline.ensure(item, profiles, progress=item_progress)
        except MediaRejected as exc:
            for target in targets:
                await transition(
                    target,
                    T.FAILED,
                    error=exc.user_message,
                    error_code="media_rejected",
                    lease_until=None,
                )
            return []
        except Exception:  # each target retries the media step on its own
            log.exception("job %s: shared media preparation failed", job_id)
        return targets

    async def _lease_pending(self, job_id: int, **fields: object) -> None:
        await PublishTarget.filter(job_id=job_id, status=T.PENDING).update(
            lease_until=self.leases.until(), **fields
        )

    async def run(self, target_id: int, *, fetched: PublishTarget | None = None) -> RunOutcome:
        """One attempt at one target; safe to call twice or concurrently.

        `fetched` is the target as `prepare_job` returned it (saves reading it again; a
        stale copy is harmless: the claim is conditional on the state it shows).
        """
        if fetched is None:
            found = await while_away(
                lambda: _fetch_targets(PublishTarget.filter(id=target_id)),
                what=f"reading target {target_id}",
            )
            if not found:
                raise DoesNotExist(f"publish target {target_id} no longer exists")
            fetched = found[0]
        async with self.leases.holding([fetched.id]):  # its lease lives as long as we do
            return await self._run(fetched)

    async def _run(self, target: PublishTarget) -> RunOutcome:
        status = T(target.status)
        if status in ENDED:
            return RunOutcome(status, skipped=True)
        t = now()
        if status in ACTIVE and target.lease_until and target.lease_until > t:
            return RunOutcome(status, skipped=True)
        if status == T.RETRY_WAIT and target.next_attempt_at and target.next_attempt_at > t:
            return RunOutcome(status, skipped=True)
        job, account = target.job, target.account
        if job.status in ("awaiting_approval", "rejected") or (
            job.publish_at and job.publish_at > t
        ):
            return RunOutcome(status, skipped=True)
        maybe_live = target.publish_started_at is not None
        lease = t + timedelta(seconds=self.settings.publish_lease_seconds)
        claimed = await self._move(
            target,
            T.PREPARING,
            attempts=target.attempts + 1,
            lease_until=lease,
            error="",
            error_code="",
            sure=False,
        )
        if not claimed:
            return RunOutcome(T(target.status), skipped=True)
        if job.status == JobStatus.SCHEDULED:
            await settle_job(job.id)  # its time has come: the job is running now
        connector = self.connectors.get(target.platform)
        looked = not maybe_live  # a post that may be live is looked for before anything else
        with effects.tracking() as sent:
            try:
                if not looked and await self._reconcile(target, connector, account):
                    return RunOutcome(T.PUBLISHED)
                looked = True
                return await self._attempt(target, job, connector, account)
            except Exception as exc:  # noqa: BLE001 - every failure is classified below
                error, live = self._classify(target, exc, looked=looked, sent=sent.sent)
                if not live and target.publish_started_at is not None:
                    # refused before acting (or before anything was sent): nothing went live
                    await PublishTarget.filter(id=target.id).update(publish_started_at=None)
                    target.publish_started_at = None
                return await self._failed(target, error, maybe_live=live)

    def _classify(
        self, target: PublishTarget, exc: Exception, *, looked: bool, sent: bool
    ) -> tuple[OneClickError, bool]:
        """The error to record, and whether the post may be live (the nothing-twice rule).

        It may be live when the last attempt's post was not looked up yet (the lookup
        failed), when a create call of this attempt left (applied, or its outcome is
        unknown), when the connector says so, or on an unexpected error after the mark.
        """
        marked = target.publish_started_at is not None
        if not isinstance(exc, OneClickError):
            log.error("target %s: unexpected error", target.id, exc_info=exc)
            error: OneClickError = ConnectorError(
                f"Unexpected error while publishing ({type(exc).__name__}).",
                platform=target.platform,
                retryable=True,
            )
            return error, marked
        if sent and not isinstance(exc, PublishOutcomeUnknown):
            exc = MaybeApplied(
                f"{exc.user_message} The post may already be there, so it is "
                "looked up before anything is sent again.",
                platform=target.platform,
                code=getattr(exc, "code", None),
            )
        live = isinstance(exc, PublishOutcomeUnknown) or (marked and not looked)
        return exc, live

    async def _attempt(
        self, target: PublishTarget, job: PublishJob, connector: Connector, account: SocialAccount
    ) -> RunOutcome:
        self.crash.maybe_crash("before_prepare")
        for item in await media_items(job.asset):
            await connector.prepare_media(item, connector.media_profile(item))
        if not await self._move(target, T.PUBLISHING, publish_started_at=now(), progress=60):
            return RunOutcome(T(target.status), skipped=True)
        self.crash.maybe_crash("before_publish")
        try:
            external_id, url = await connector.publish(target, target.caption, account)
        except AuthExpired:
            if effects.create_sent():
                raise  # the post may be live: a fresh token must not publish it again
            account = await self._refresh(connector, account)
            external_id, url = await connector.publish(target, target.caption, account)
        self.crash.maybe_crash("after_publish")
        await self._published(target, external_id, url)
        return RunOutcome(T.PUBLISHED)

    async def _reconcile(
        self, target: PublishTarget, connector: Connector, account: SocialAccount
    ) -> bool:
        """Before publishing again after a crash or a maybe-applied failure: find the post.

        False (and the mark cleared) only when the platform shows it is not there.
        """
        if target.external_id:
            status = await connector.get_status(target.external_id, account)
            if status.state == PublishState.PUBLISHED:
                await self._published(
                    target, target.external_id, status.external_url or target.external_url or ""
                )
                return True
            if status.state == PublishState.PROCESSING:  # not live yet: look again later
                raise PublishOutcomeUnknown(
                    f"{connector.label} is still processing the post; it is checked again shortly.",
                    platform=target.platform,
                    retryable=True,
                    code="processing",
                )
        found = await connector.find_published(target, account)
        if found:
            await self._published(target, *found)
            return True
        await PublishTarget.filter(id=target.id).update(publish_started_at=None)
        target.publish_started_at = None
        return False

    async def _published(self, target: PublishTarget, external_id: str, url: str) -> None:
        """Record the platform's answer; held through a database blink (up to a minute)."""
        if not await self._move(
            target,
            T.PUBLISHED,
            external_id=external_id,
            external_url=url,
            published_at=now(),
            progress=100,
            lease_until=None,
        ):
            log.warning(
                "target %s: published as %s, but it had been taken over meanwhile",
                target.id,
                external_id,
            )

    async def _move(
        self, target: PublishTarget, to: TargetStatus, *, sure: bool = True, **fields: Any
    ) -> bool:
        """`transition`, run again while the database is away (restart, failover).

        When a retry finds the row moved already, the earlier try may have landed with its
        answer lost: if the row shows `to` at our attempt, it did (`sure=False`: a claim,
        which another worker could have made alike, counts as lost instead).
        """
        attempts = int(str(fields.get("attempts", target.attempts)))
        tried = False

        async def once() -> bool:
            nonlocal tried
            if (
                tried
                and sure
                and await PublishTarget.filter(id=target.id, status=to, attempts=attempts).exists()
            ):
                target.status = to
                for key, value in fields.items():
                    setattr(target, key, value)
                if to in ENDED:
                    await settle_job(target.job_id)
                return True
            tried = True
            return await transition(target, to, **fields)

        return await while_away(once, what=f"recording target {target.id} {to.value}")

    async def _refresh(self, connector: Connector, account: SocialAccount) -> SocialAccount:
        try:
            refreshed = await connector.refresh_token(account)
        except ConnectorError as exc:
            await self._mark_reconnect(account.id, exc.user_message)
            raise AuthExpired(
                f"The {connector.label} connection has expired: reconnect the "
                "account on the brand's Connections page.",
                platform=connector.platform,
                code=exc.code,
            ) from exc
        await audit.record(
            "account.token_refreshed",
            actor=None,
            brand=account.brand_id,
            obj=account,
            origin="worker",
            details={"platform": account.platform, "reason": "refused while publishing"},
        )
        return refreshed

    async def _failed(
        self, target: PublishTarget, exc: OneClickError, *, maybe_live: bool = False
    ) -> RunOutcome:
        """Retry later, or end: FAILED when nothing went live, UNKNOWN when it may have.

        A post that may be live keeps its mark, so the next attempt looks it up first;
        when no attempt is left, or the platform cannot be asked, a person decides.
        """
        fields: dict[str, Any] = {
            "error": exc.user_message,
            "lease_until": None,
            "error_code": getattr(exc, "code", None) or "",
        }
        if isinstance(exc, ConnectorError) and exc.needs_reconnect:
            await self._mark_reconnect(target.account_id, exc.user_message)
            await transition(target, T.NEEDS_RECONNECT, **fields)
            return RunOutcome(T.NEEDS_RECONNECT)
        retryable = isinstance(exc, ConnectorError) and exc.retryable
        if retryable and target.attempts < self.settings.publish_max_attempts:
            delay = self.backoff(target.attempts, getattr(exc, "retry_after", None))
            await transition(
                target, T.RETRY_WAIT, next_attempt_at=now() + timedelta(seconds=delay), **fields
            )
            return RunOutcome(T.RETRY_WAIT, retry_in=delay)
        if maybe_live:
            label = self.connectors.get(target.platform).label
            fields["error"] = unknown_message(label, exc.user_message)
            await transition(target, T.UNKNOWN, **fields)
            return RunOutcome(T.UNKNOWN)
        if retryable:
            fields["error"] = f"{exc.user_message} (gave up after {target.attempts} attempts)"
        await transition(target, T.FAILED, **fields)
        return RunOutcome(T.FAILED)

    async def _mark_reconnect(self, account_id: int, reason: str) -> None:
        """Flag the account (keeping its refresh token) and tell the brand's chats once."""
        changed = (
            await SocialAccount.filter(id=account_id)
            .exclude(status=AccountStatus.NEEDS_RECONNECT)
            .update(status=AccountStatus.NEEDS_RECONNECT, status_reason=reason)
        )
        if changed:
            await notify.account_needs_reconnect(await SocialAccount.get(id=account_id))

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with full jitter, at least the platform's Retry-After."""
        base = self.settings.publish_retry_base_seconds * (2 ** max(attempt - 1, 0))
        delay = random.uniform(base / 2, base)
        return max(delay, retry_after or 0.0)


def unknown_message(label: str, reason: str) -> str:
    """What an UNKNOWN target says: why (the reason's first sentence), and what to do."""
    where = label if label.lower().endswith("channel") else f"{label} account"
    first = reason.split(". ")[0].strip().rstrip(".")[:160]
    return (
        f"Unknown: check the {where}. {first}, and whether the post went out cannot be "
        "checked automatically: press Mark as posted if it is there, or Publish again."
    )
