"""Publish jobs and their per-destination targets."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.accounts import Brand, SocialAccount, User
from core.models.content import MediaAsset
from core.models.enums import JobStatus, TargetStatus


class PublishJob(Model):
    """Publish this asset to these networks. Its status derives from its targets."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="jobs", on_delete=fields.CASCADE
    )
    brand_id: int
    asset: fields.ForeignKeyRelation[MediaAsset] = fields.ForeignKeyField(
        "models.MediaAsset", related_name="jobs", on_delete=fields.CASCADE
    )
    asset_id: int
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="jobs", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    status = fields.CharEnumField(JobStatus, max_length=24, default=JobStatus.RUNNING)
    publish_at = fields.DatetimeField(null=True)
    origin = fields.CharField(max_length=16, default="api")
    idempotency_key = fields.CharField(max_length=128, null=True, unique=True)
    progress = fields.IntField(default=0)
    approved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="approved_jobs", null=True, on_delete=fields.SET_NULL
    )
    approved_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    decision_note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    targets: fields.ReverseRelation[PublishTarget]

    class Meta:
        table = "publish_jobs"


class PublishTarget(Model):
    """One destination of a job: platform + account, with its own state and outcome."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="targets", on_delete=fields.CASCADE
    )
    brand_id: int
    job: fields.ForeignKeyRelation[PublishJob] = fields.ForeignKeyField(
        "models.PublishJob", related_name="targets", on_delete=fields.CASCADE
    )
    job_id: int
    account: fields.ForeignKeyRelation[SocialAccount] = fields.ForeignKeyField(
        "models.SocialAccount", related_name="targets", on_delete=fields.RESTRICT
    )
    account_id: int
    platform = fields.CharField(max_length=32)
    status = fields.CharEnumField(
        TargetStatus, max_length=24, default=TargetStatus.PENDING, db_index=True
    )
    caption = fields.TextField(default="")
    attempts = fields.IntField(default=0)
    progress = fields.IntField(default=0)
    lease_until = fields.DatetimeField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    publish_started_at = fields.DatetimeField(null=True)
    external_id = fields.CharField(max_length=255, null=True)
    external_url: str | None = fields.TextField(null=True)  # TextField is typed str only
    error_code = fields.CharField(max_length=64, default="")
    error = fields.TextField(default="")
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "publish_targets"
        unique_together = (("job", "account"),)
