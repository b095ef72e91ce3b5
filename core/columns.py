"""One column of a query as a typed list.

tortoise types `values_list(field, flat=True)` as a list of tuples, but a flat query
answers one plain value per row: `column` gives that list its real element type.
"""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.queryset import ValuesListQuery

T = TypeVar("T")


async def column(query: ValuesListQuery[Any], kind: type[T]) -> list[T]:
    """The values of a one-field `values_list(field, flat=True)` query, typed as `kind`."""
    del kind  # names the element type for the checker; the rows are returned as they are
    rows: list[Any] = await query
    return rows
