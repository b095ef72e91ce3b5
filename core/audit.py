"""Writes the audit trail: one row for every state change."""

from __future__ import annotations

from typing import Any

from core.models import AuditLog, Brand, User


async def record(
    action: str,
    *,
    actor: User | None,
    brand: Brand | int | None,
    obj: Any = None,
    origin: str = "system",
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row; `obj` is any model instance (its table and id are kept)."""
    brand_id = brand if isinstance(brand, int) or brand is None else brand.id
    object_type = obj._meta.db_table if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    return await AuditLog.create(
        action=action,
        actor_id=actor.id if actor else None,
        brand_id=brand_id,
        object_type=object_type,
        object_id=object_id,
        origin=origin,
        details=details or {},
    )
