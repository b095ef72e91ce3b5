"""The audit trail and AI usage ledger."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from core.models.accounts import Brand, User


class AuditLog(Model):
    """Who did what, when, to which brand, from where."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyNullableRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="audit", null=True, on_delete=fields.CASCADE
    )
    brand_id: int | None
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    action = fields.CharField(max_length=64, db_index=True)
    object_type = fields.CharField(max_length=32, default="")
    object_id = fields.CharField(max_length=64, default="")
    origin = fields.CharField(max_length=16, default="system")
    details: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_log"


class AIUsage(Model):
    """Token usage and cost of one AI call, per brand."""

    id = fields.IntField(primary_key=True)
    brand: fields.ForeignKeyRelation[Brand] = fields.ForeignKeyField(
        "models.Brand", related_name="ai_usage", on_delete=fields.CASCADE
    )
    brand_id: int
    model = fields.CharField(max_length=64)
    purpose = fields.CharField(max_length=32, default="captions")
    input_tokens = fields.IntField(default=0)
    cache_write_tokens = fields.IntField(default=0)
    cache_read_tokens = fields.IntField(default=0)
    output_tokens = fields.IntField(default=0)
    cost_usd = fields.FloatField(default=0.0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "ai_usage"
