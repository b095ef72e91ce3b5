"""Periodic work besides publishing: Instagram ingest and token refresh.

Runs inside `oneclick run` (the web app's lifespan) and `oneclick scheduler`; run one
scheduler per installation. Work is queued on the broker, so workers do it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from oneclick.services import Services
from tasks import names
from tasks.queue import task_queue

log = logging.getLogger(__name__)
FIRST_DELAY = 30.0


async def run_schedule(services: Services, *, first_delay: float = FIRST_DELAY) -> None:
    """Queue token refresh and ingest at their configured intervals, forever."""
    settings, queue = services.settings, task_queue(services.queue)
    jobs: list[tuple[str, str, float]] = [
        ("token refresh", names.REFRESH_TOKENS, settings.token_refresh_interval_seconds),
        ("instagram ingest", names.INGEST_ALL, settings.ingest_interval_seconds),
    ]
    due = {name: time.monotonic() + first_delay for name, _, _ in jobs}
    while True:
        now = time.monotonic()
        for name, task, interval in jobs:
            if now < due[name]:
                continue
            due[name] = now + max(interval, 1.0)
            try:
                await queue.send(task)
            except Exception:  # the loop must survive a broker hiccup
                log.exception("could not queue %s", name)
        await asyncio.sleep(max(min(due.values()) - time.monotonic(), 0.05))
