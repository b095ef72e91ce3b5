"""The one role table, through the use cases every front end calls (SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from core.ai.rules_adapter import RuleBasedAdapter
from core.app import brands as brand_cases
from core.app import chat_links
from core.app.actor import Actor
from core.app.assets import Assets
from core.app.publishing import Publishing
from core.app.roles import ROLE_TABLE, Action, allowed_actions, allows
from core.brands import create_brand
from core.captions import CaptionService
from core.errors import Forbidden
from core.intake import file_chunks
from core.media.store import LocalMediaStore
from core.models import AuditLog, BrandMember, JobStatus, PublishJob, Role
from core.users import create_user
from tests.support.media import make_jpeg


class RecordingQueue:
    """The job-queue port, recording what the use cases queued."""

    def __init__(self) -> None:
        self.jobs: list[int] = []
        self.targets: list[int] = []
        self.syncs: list[tuple[int, str]] = []

    async def start_job(self, job_id: int) -> None:
        self.jobs.append(job_id)

    async def enqueue_targets(self, target_ids: Sequence[int]) -> None:
        self.targets.extend(target_ids)

    async def sync_account(self, account_id: int, reason: str) -> None:
        self.syncs.append((account_id, reason))


def test_every_action_has_a_row_and_owner_may_do_everything() -> None:
    assert set(ROLE_TABLE) == set(Action)
    assert allowed_actions(Role.OWNER) == frozenset(Action)
    assert not allows(Role.APPROVER, Action.UPLOAD)
    assert not allows(Role.APPROVER, Action.PUBLISH)
    assert allows(Role.APPROVER, Action.APPROVE)
    assert not allows(Role.EDITOR, Action.APPROVE)
    assert not allows(Role.EDITOR, Action.CONNECT)
    assert allows(Role.ADMIN, Action.MANAGE_MEMBERS)
    assert not allows(Role.ADMIN, Action.DELETE_BRAND)


@pytest.fixture
async def world(db, tmp_path: Path):  # type: ignore[no-untyped-def]
    owner = await create_user("owner@example.com", "long enough pw", origin="test")
    people = {Role.OWNER: owner}
    brand = await create_brand(owner, "Acme")
    for role in (Role.ADMIN, Role.EDITOR, Role.APPROVER):
        user = await create_user(f"{role.value}@example.com", "long enough pw", origin="test")
        await BrandMember.create(brand=brand, user=user, role=role)
        people[role] = user
    queue = RecordingQueue()
    captions = CaptionService(RuleBasedAdapter(), {})
    publishing = Publishing(captions=captions, platforms=lambda: ["web"], queue=queue)
    assets = Assets(settings=db, captions=captions, media=LocalMediaStore(db.media_dir))
    photo = make_jpeg(tmp_path / "p.jpg")
    asset = await assets.upload(
        Actor(owner, "test"),
        brand_id=brand.id,
        chunks=file_chunks(photo),
        file_name="p.jpg",
        caption="Hi",
    )
    return people, brand, asset, publishing, assets, queue, photo


async def test_approver_may_not_upload_or_publish(world) -> None:  # type: ignore[no-untyped-def]
    people, brand, asset, publishing, assets, queue, photo = world
    approver = Actor(people[Role.APPROVER], "slack")
    with pytest.raises(Forbidden, match="editors can add media"):
        await assets.upload(
            approver, brand_id=brand.id, chunks=file_chunks(photo), file_name="p.jpg"
        )
    with pytest.raises(Forbidden, match="editors can publish"):
        await publishing.publish(approver, asset_id=asset.id, platforms=["web"])
    assert queue.jobs == []
    assert await PublishJob.filter(brand_id=brand.id).count() == 0


async def test_editor_request_waits_for_an_approver_then_starts(world) -> None:  # type: ignore[no-untyped-def]
    people, brand, asset, publishing, _, queue, _ = world
    brand.approval_required = True
    await brand.save(update_fields=["approval_required"])
    editor = Actor(people[Role.EDITOR], "telegram")
    result = await publishing.publish(
        editor, asset_id=asset.id, platforms=["web"], idempotency_key="card:1"
    )
    assert result.created and result.awaiting_approval
    assert queue.jobs == []
    again = await publishing.publish(
        editor, asset_id=asset.id, platforms=["web"], idempotency_key="card:1"
    )
    assert not again.created and again.job.id == result.job.id
    with pytest.raises(Forbidden, match="approvers"):
        await publishing.decide(editor, job_id=result.job.id, approve=True)
    job = await publishing.decide(
        Actor(people[Role.APPROVER], "slack"), job_id=result.job.id, approve=True
    )
    assert job.status == JobStatus.RUNNING
    assert queue.jobs == [job.id]
    actions = await AuditLog.filter(brand_id=brand.id).values_list("action", "origin")
    assert ("job.created", "telegram") in actions
    assert ("job.approved", "slack") in actions


async def test_settings_and_link_codes_follow_the_table(world) -> None:  # type: ignore[no-untyped-def]
    people, brand, *_ = world
    with pytest.raises(Forbidden, match="owner or admins"):
        await brand_cases.update(
            Actor(people[Role.EDITOR], "web"), brand_id=brand.id, changes={"name": "Renamed"}
        )
    renamed = await brand_cases.update(
        Actor(people[Role.ADMIN], "api"), brand_id=brand.id, changes={"name": "Renamed"}
    )
    assert renamed.name == "Renamed"
    assert await chat_links.issue_code(Actor(people[Role.EDITOR], "web"), brand_id=brand.id)
    with pytest.raises(Forbidden):
        await chat_links.issue_code(Actor(people[Role.APPROVER], "web"), brand_id=brand.id)
