"""A target whose outcome cannot be known ("unknown: check the account"): a person decides.

The platform may or may not have made the post and offers no way to look it up (the
Telegram Bot API keeps no history), so the product never publishes it again on its own.
Every front end's two buttons call `resolve_unknown`: "Mark as posted" records it as
published, "Publish again" queues it afresh. Both check the person may act on the brand,
move the target only from UNKNOWN (atomically) and write the audit log with the actor.
"""

from __future__ import annotations

from core import audit
from core.errors import Conflict, InvalidInput
from core.models import PublishTarget, Role, TargetStatus
from core.target_states import now, transition
from core.tenancy import BrandScope

URL_MAX = 2000


async def resolve_unknown(
    scope: BrandScope, target: PublishTarget, *, posted: bool, origin: str, url: str = ""
) -> PublishTarget:
    """Mark an unknown target as posted (→ published) or publish it again (→ pending).

    `url`: the post's link, when the person gives it with "Mark as posted".
    """
    brand = await scope.brand(target.brand_id, min_role=Role.EDITOR)  # who may publish
    url = url.strip()
    if url and (len(url) > URL_MAX or not url.startswith(("https://", "http://"))):
        raise InvalidInput("The post's link must be a full http(s):// address.")
    if target.status != TargetStatus.UNKNOWN:
        raise Conflict(
            "This post is no longer waiting for a decision: it is "
            f"{TargetStatus(target.status).value.replace('_', ' ')}."
        )
    if posted:
        moved = await transition(
            target,
            TargetStatus.PUBLISHED,
            origin=origin,
            actor_id=scope.user.id,
            published_at=now(),
            external_url=url or target.external_url,
            progress=100,
            error="",
            error_code="",
            lease_until=None,
            next_attempt_at=None,
        )
    else:
        # the person looked and the post is not there: no lookup first, a fresh attempt
        moved = await transition(
            target,
            TargetStatus.PENDING,
            origin=origin,
            actor_id=scope.user.id,
            publish_started_at=None,
            external_id=None,
            external_url=None,
            progress=0,
            error="",
            error_code="",
            lease_until=None,
            next_attempt_at=None,
        )
    if not moved:
        raise Conflict("The post changed meanwhile; reload and try again.")
    await audit.record(
        "target.marked_posted" if posted else "target.publish_again",
        actor=scope.user,
        brand=brand,
        obj=target,
        origin=origin,
        details={
            "platform": target.platform,
            "job_id": target.job_id,
            **({"url": url} if url else {}),
        },
    )
    return target
