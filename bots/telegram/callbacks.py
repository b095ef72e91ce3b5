"""Inline-button payloads; each packs to at most 64 bytes (ids and short codes only)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class CardCb(CallbackData, prefix="k"):
    """An action on a card: `a` is the action code, `c` the card id, `p` a platform or hint."""

    a: str
    c: int
    p: str = ""


class RetryCb(CallbackData, prefix="r"):
    """Retry one failed publish target."""

    t: int


class UnknownCb(CallbackData, prefix="u"):
    """A person's decision on an unknown target: `p` 1 = Mark as posted, 0 = Publish again."""

    t: int
    p: int


class BrandCb(CallbackData, prefix="b"):
    """Make a linked brand the chat's active one."""

    b: int


TOGGLE, PUBLISH, EDIT, OVERRIDE, REGENERATE, HINT, BACK, CANCEL, APPROVE, REJECT = (
    "t",
    "p",
    "e",
    "o",
    "g",
    "h",
    "k",
    "x",
    "a",
    "r",
)
HINTS = {"s": "shorter", "l": "longer", "c": "more casual"}
