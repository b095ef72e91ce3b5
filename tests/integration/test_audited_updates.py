"""Target transitions and their audit rows, batched across tasks, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from core.models import (
    AuditLog,
    Brand,
    MediaAsset,
    PublishJob,
    PublishTarget,
    SocialAccount,
    TargetStatus,
    User,
)
from core.target_states import transition

T = TargetStatus


async def _targets(count: int) -> list[PublishTarget]:
    user = await User.create(email="o@example.com", password_hash="x")
    brand = await Brand.create(name="Acme", slug="acme", owner=user)
    asset = await MediaAsset.create(
        brand=brand, kind="image", file_path="/nowhere.jpg", mime_type="image/jpeg"
    )
    job = await PublishJob.create(brand=brand, asset=asset)
    targets = []
    for i in range(count):
        account = await SocialAccount.create(
            brand=brand,
            platform="web",
            external_id=str(i),
            display_name=f"feed {i}",
            access_token_enc="",
        )
        targets.append(
            await PublishTarget.create(brand=brand, job=job, account=account, platform="web")
        )
    return targets


async def test_concurrent_transitions_each_land_with_their_audit_row(any_db_settings) -> None:  # type: ignore[no-untyped-def]
    targets = await _targets(20)
    moved = await asyncio.gather(
        *(transition(t, T.PREPARING, attempts=1, error=f"note {t.id}") for t in targets)
    )
    assert all(moved)
    rows = {t.id: t for t in await PublishTarget.filter(job_id=targets[0].job_id)}
    assert all(
        rows[t.id].status == T.PREPARING
        and rows[t.id].attempts == 1
        and rows[t.id].error == f"note {t.id}"
        for t in targets
    )
    audit = await AuditLog.filter(action="target.preparing").order_by("id")
    assert sorted(int(a.object_id) for a in audit) == sorted(t.id for t in targets)
    assert all(
        a.details == {"from": "pending", "platform": "web"} and a.brand_id == targets[0].brand_id
        for a in audit
    )


async def test_two_claims_of_one_target_at_once_one_wins(any_db_settings) -> None:  # type: ignore[no-untyped-def]
    (target,) = await _targets(1)
    first, second = await PublishTarget.get(id=target.id), await PublishTarget.get(id=target.id)
    won = await asyncio.gather(
        transition(first, T.PREPARING, attempts=1), transition(second, T.PREPARING, attempts=1)
    )
    assert sorted(won) == [False, True]
    assert await AuditLog.filter(action="target.preparing").count() == 1


async def test_a_transition_in_a_rolled_back_transaction_leaves_nothing(any_db_settings) -> None:  # type: ignore[no-untyped-def]
    (target,) = await _targets(1)

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with in_transaction():
            assert await transition(target, T.CANCELLED)
            raise Undo
    assert (await PublishTarget.get(id=target.id)).status == T.PENDING
    assert await AuditLog.filter(action="target.cancelled").count() == 0
