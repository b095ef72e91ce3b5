"""Reading relations a query already fetched, without a second query."""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model

M = TypeVar("M", bound=Model)


def loaded(instance: Model, relation: str, kind: type[M]) -> M | None:
    """The related row if `select_related` already fetched it, else None.

    An unfetched foreign key reads as a lazy query; only a fetched one is a model instance.
    """
    value = getattr(instance, relation, None)
    return value if isinstance(value, kind) else None
