"""Publishing use cases: publish or schedule an asset, approve or reject, retry, resolve.

Every front end (web pages, REST API, Telegram, Slack, promo, CLI) calls these; none
creates jobs, moves targets or writes their audit rows itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core import publishing as jobs
from core.app.actor import Actor
from core.app.roles import Action
from core.captions import CaptionService
from core.errors import InvalidInput
from core.models import AdaptedCaption, JobStatus, MediaAsset, PublishJob, PublishTarget
from core.models import TargetStatus as T
from core.ports.queue import JobQueue
from core.target_states import refresh_job, transition
from core.unknown_targets import resolve_unknown


@dataclass(frozen=True)
class PublishResult:
    """A publish request's job; `created` is False when the idempotency key found it."""

    job: PublishJob
    created: bool

    @property
    def awaiting_approval(self) -> bool:
        """The job waits for an approver of the brand."""
        return self.job.status == JobStatus.AWAITING_APPROVAL


class Publishing:
    """Publish, schedule, approve, retry: the rules in one place."""

    def __init__(
        self, *, captions: CaptionService, platforms: Callable[[], Sequence[str]], queue: JobQueue
    ) -> None:
        self.captions = captions
        self.platforms = platforms
        self.queue = queue

    def _known(self, platforms: Sequence[str]) -> list[str]:
        known = list(self.platforms())
        chosen = [str(p) for p in dict.fromkeys(platforms)]
        if not chosen:
            raise InvalidInput("Choose at least one network to publish to.")
        unknown = [p for p in chosen if p not in known]
        if unknown:
            raise InvalidInput(f"Unknown platform '{unknown[0]}'. Known: {', '.join(known)}.")
        return chosen

    async def existing(
        self, actor: Actor, *, brand_id: int, idempotency_key: str | None
    ) -> PublishJob | None:
        """The job a request with this key already made in the brand, if any."""
        await actor.may(brand_id, Action.VIEW)
        return await jobs.existing_job(idempotency_key, brand_id=brand_id)

    async def publish(
        self,
        actor: Actor,
        *,
        asset_id: int,
        platforms: Sequence[str],
        captions: Mapping[str, str] | None = None,
        keep_edits: bool = False,
        publish_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult:
        """Publish (or schedule) an asset to networks; the same key returns the same job.

        `captions`: texts the person set for this publish (held to each network's limits);
        with `keep_edits` the ones that differ from the stored captions become the asset's
        captions (checked: a caption breaking a rule is refused). When the brand requires
        approval and the person may not approve, the job waits for an approver.
        """
        asset = await actor.scope.asset(asset_id)
        await actor.may(asset.brand_id, Action.PUBLISH)
        found = await jobs.existing_job(idempotency_key, brand_id=asset.brand_id)
        if found is not None:
            return PublishResult(found, created=False)
        chosen = self._known(platforms)
        edits = {p: t for p, t in (captions or {}).items() if p in chosen and t.strip()}
        if keep_edits:
            edits = await self._keep_edits(actor, asset, edits)
        texts = await self.captions.captions_for_publish(asset, chosen, edits)
        job, created = await jobs.create_job(
            actor.scope,
            asset=asset,
            platforms=chosen,
            known_platforms=list(self.platforms()),
            captions=texts,
            origin=actor.origin,
            publish_at=publish_at,
            idempotency_key=idempotency_key,
        )
        if created and job.status == JobStatus.RUNNING:
            await self.queue.start_job(job.id)
        return PublishResult(job, created)

    async def _keep_edits(
        self, actor: Actor, asset: MediaAsset, edits: Mapping[str, str]
    ) -> dict[str, str]:
        stored = {
            c.platform: c.text
            for c in await AdaptedCaption.filter(asset_id=asset.id, platform__in=list(edits))
        }
        kept: dict[str, str] = {}
        for platform, text in edits.items():
            if text.strip() == stored.get(platform, "").strip():
                continue
            await self.captions.set_override(
                asset, platform, text, actor=actor.user, origin=actor.origin
            )
            kept[platform] = text
        return kept

    async def decide(
        self,
        actor: Actor,
        *,
        job_id: int,
        approve: bool,
        note: str = "",
        platforms: Sequence[str] | None = None,
    ) -> PublishJob:
        """An approver approves (publishing starts) or rejects a waiting job.

        `platforms`: the networks the approver kept ticked; the others are cancelled.
        """
        job = await actor.scope.job(job_id)
        await actor.may(job.brand_id, Action.APPROVE)
        if approve and platforms is not None and not platforms:
            raise InvalidInput("Tick at least one network to publish to.")
        job = await jobs.decide(
            actor.scope, job, approve=approve, origin=actor.origin, note=note[:500]
        )
        if approve and platforms is not None:
            for target in await PublishTarget.filter(job_id=job.id, status=T.PENDING):
                if target.platform not in platforms:
                    await transition(
                        target, T.CANCELLED, origin=actor.origin, actor_id=actor.user.id
                    )
            job = await refresh_job(job.id)
        if approve and job.status == JobStatus.RUNNING:
            await self.queue.start_job(job.id)
        return job

    async def retry(self, actor: Actor, *, target_id: int) -> PublishTarget:
        """Queue a failed target again (an unknown one: the person's "Publish again")."""
        target = await actor.scope.target(target_id)
        await actor.may(target.brand_id, Action.RETRY)
        target = await jobs.retry_target(actor.scope, target, origin=actor.origin)
        await self.queue.enqueue_targets([target.id])
        return target

    async def resolve(
        self, actor: Actor, *, target_id: int, posted: bool, url: str = ""
    ) -> PublishTarget:
        """A person's answer for an unknown target: "Mark as posted" or "Publish again"."""
        target = await actor.scope.target(target_id)
        await actor.may(target.brand_id, Action.RETRY)
        target = await resolve_unknown(
            actor.scope, target, posted=posted, origin=actor.origin, url=url
        )
        if not posted:
            await self.queue.enqueue_targets([target.id])
        return target
