"""Writes the audit trail: one row for every state change."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from tortoise.models import Model

from core.coalesce import Coalescer, inside_transaction
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


@dataclass(frozen=True)
class AuditedUpdate:
    """Set `values` on row `pk` if it still holds `expect`; then log `action` (if any)."""

    model: type[Model]
    pk: int
    expect: Mapping[str, Any]
    values: Mapping[str, Any]
    action: str | None
    brand_id: int | None
    origin: str
    details: Mapping[str, Any]

    def shape(self) -> tuple[Any, ...]:
        """Updates of one shape share one statement."""
        return (self.model, tuple(self.expect), tuple(self.values), self.action is not None)


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

    On PostgreSQL both happen in one statement (a data-modifying CTE, atomic), and the
    updates of every task reaching this point within a millisecond share that statement;
    elsewhere (SQLite) they are two statements. `action=None` updates without an audit
    row (a change that is not a state change). Returns whether the row was updated.
    """
    update = AuditedUpdate(model, pk, expect, values, action, brand_id, origin, details)
    if model._meta.db.capabilities.dialect == "postgres":
        return await _coalesced_updates(update)
    moved = await model.filter(pk=pk, **expect).update(**values)
    if moved and action:
        await AuditLog.create(
            action=action,
            brand_id=brand_id,
            origin=origin,
            object_type=model._meta.db_table,
            object_id=str(pk),
            details=dict(details),
        )
    return bool(moved)


async def _update_batch(updates: Sequence[AuditedUpdate]) -> list[bool]:
    """Run a batch of audited updates: one statement per shape (and per round, where the
    same row is updated twice in the batch: the second must see the first's result)."""
    done: dict[int, bool] = {}
    pending = list(enumerate(updates))
    while pending:
        rounds: dict[tuple[Any, ...], list[tuple[int, AuditedUpdate]]] = {}
        seen: set[tuple[type[Model], int]] = set()
        later = []
        for index, update in pending:
            if (update.model, update.pk) in seen:
                later.append((index, update))
                continue
            seen.add((update.model, update.pk))
            rounds.setdefault(update.shape(), []).append((index, update))
        for group in rounds.values():
            moved = await _run_shape([u for _, u in group])
            done.update({index: update.pk in moved for index, update in group})
        pending = later
    return [done[index] for index in range(len(updates))]


# every model lives on the one connection, so the audit log's tells for all of them
_coalesced_updates: Coalescer[AuditedUpdate, bool] = Coalescer(
    _update_batch, alone_when=inside_transaction(AuditLog)
)


async def _run_shape(updates: Sequence[AuditedUpdate]) -> set[int]:
    """One PostgreSQL statement for updates of one shape; the pks that were updated."""
    first = updates[0]
    meta = first.model._meta
    column = meta.fields_db_projection
    arrays: list[str] = []
    names: list[str] = []
    params: list[Any] = []

    def array(values: list[Any], sql_type: str, name: str) -> None:
        params.append([v.value if isinstance(v, Enum) else v for v in values])
        arrays.append(f"${len(params)}::{sql_type}[]")
        names.append(name)

    def field_type(field: str) -> str:
        return str(meta.fields_map[field].get_for_dialect("postgres", "SQL_TYPE"))

    array([u.pk for u in updates], "INT", "pk")
    for i, field in enumerate(first.expect):
        array([u.expect[field] for u in updates], field_type(field), f"e{i}")
    for i, field in enumerate(first.values):
        array([u.values[field] for u in updates], field_type(field), f"s{i}")
    sets = ", ".join(f'"{column[f]}" = v.s{i}' for i, f in enumerate(first.values))
    where = " AND ".join(
        [f'row."{column[meta.pk_attr]}" = v.pk']
        + [f'row."{column[f]}" = v.e{i}' for i, f in enumerate(first.expect)]
    )
    audited = ""
    if first.action is not None:
        array([u.action for u in updates], "TEXT", "action")
        array([u.brand_id for u in updates], "INT", "brand_id")
        array([u.origin for u in updates], "TEXT", "origin")
        array([json.dumps(dict(u.details)) for u in updates], "TEXT", "details")
        params.append(datetime.now(UTC))
        audited = (
            f', audited AS (INSERT INTO "{AuditLog._meta.db_table}" ("action", '
            '"brand_id", "object_type", "object_id", "origin", "details", "created_at") '
            f"SELECT v.action, v.brand_id, '{meta.db_table}', v.pk::text, v.origin, "
            f"v.details::jsonb, ${len(params)}::timestamptz "
            "FROM v JOIN moved ON moved.pk = v.pk)"
        )
    statement = (
        f"WITH v AS (SELECT * FROM unnest({', '.join(arrays)}) "
        f"AS v({', '.join(names)})), "
        f'moved AS (UPDATE "{meta.db_table}" AS row SET {sets} FROM v WHERE {where} '
        f'RETURNING row."{column[meta.pk_attr]}" AS pk){audited} SELECT pk FROM moved'
    )
    rows = await meta.db.execute_query_dict(statement, params)
    return {row["pk"] for row in rows}
