"""Did this publish attempt send a call that creates a post? (the nothing-twice rule)

The shared HTTP layer (`connectors._http.call(creates=True)`) and the Telegram connector
note every create call that reached the platform, answered or not. When the attempt then
fails, for whatever reason, the publish runner reads the note: a failure after the
platform may have acted is never taken for "nothing went live".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Effects:
    """What one publish attempt has sent so far."""

    sent: bool = False  # a create call left: answered 2xx, or its outcome is unknown


_current: ContextVar[Effects | None] = ContextVar("publish_effects", default=None)


@contextmanager
def tracking() -> Iterator[Effects]:
    """Note the create calls made inside this block (tasks it starts share the note)."""
    effects = Effects()
    token = _current.set(effects)
    try:
        yield effects
    finally:
        _current.reset(token)


def note_create_sent() -> None:
    """A call that creates a post reached the platform (it may have acted)."""
    effects = _current.get()
    if effects is not None:
        effects.sent = True


def create_sent() -> bool:
    """Whether a create call of the running attempt reached the platform."""
    effects = _current.get()
    return effects is not None and effects.sent
