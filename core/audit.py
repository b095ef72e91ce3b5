"""Writes the audit trail: one row for every state change."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from tortoise.models import Model

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


async def update_audited(
    model: type[Model],
    pk: int,
    *,
    expect: Mapping[str, Any],
    values: Mapping[str, Any],
    action: str | None,
    brand_id: int | None,
    origin: str,
    details: Mapping[str, Any],
) -> bool:
    """UPDATE the row only if it still holds `expect`; if it did, append the audit row.

    On PostgreSQL both happen in one statement (a data-modifying CTE: atomic, and one
    round trip on the busiest path of the product); elsewhere they are two statements.
    `action=None` updates without an audit row (a change that is not a state change).
    """
    db = model._meta.db
    if db.capabilities.dialect != "postgres":
        moved = await model.filter(pk=pk, **expect).update(**values)
        if moved and action:
            await AuditLog.create(action=action, brand_id=brand_id, origin=origin,
                                  object_type=model._meta.db_table, object_id=str(pk),
                                  details=dict(details))
        return bool(moved)
    column = model._meta.fields_db_projection
    params: list[Any] = []

    def param(value: Any) -> str:
        params.append(value.value if isinstance(value, Enum) else value)
        return f"${len(params)}"

    sets = ", ".join(f'"{column[name]}" = {param(value)}' for name, value in values.items())
    where = " AND ".join([f'"{column[model._meta.pk_attr]}" = {param(pk)}'] + [
        f'"{column[name]}" = {param(value)}' for name, value in expect.items()])
    update = f'UPDATE "{model._meta.db_table}" SET {sets} WHERE {where} RETURNING 1'
    if not action:
        return bool(await db.execute_query_dict(update, params))
    audit_row = ", ".join([param(action), param(brand_id) + "::integer",
                           param(model._meta.db_table), param(str(pk)), param(origin),
                           param(json.dumps(dict(details))) + "::jsonb",
                           param(datetime.now(UTC)) + "::timestamptz"])
    statement = (f"WITH moved AS ({update}) INSERT INTO \"{AuditLog._meta.db_table}\" "
                 '("action", "brand_id", "object_type", "object_id", "origin", "details", '
                 f'"created_at") SELECT {audit_row} FROM moved RETURNING 1')
    return bool(await db.execute_query_dict(statement, params))
