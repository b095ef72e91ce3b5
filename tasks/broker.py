"""The taskiq broker: in-process when REDIS_URL is unset, Redis Streams (acked) when set."""

from __future__ import annotations

from taskiq import AsyncBroker, InMemoryBroker, TaskiqEvents, TaskiqState
from taskiq_redis import RedisStreamBroker

from core.config import Settings, get_settings


def build_broker(settings: Settings) -> AsyncBroker:
    """A broker for these settings."""
    if not settings.redis_url:
        return InMemoryBroker(max_async_tasks=200)
    return RedisStreamBroker(
        url=settings.redis_url,
        queue_name=settings.queue_name,
        consumer_group_name=f"{settings.queue_name}-workers",
        # a message unacknowledged this long (worker died) is claimed by another worker
        idle_timeout=max(settings.publish_lease_seconds, 60) * 1000,
        # read a few messages at a time: a burst spreads over the workers instead of the
        # first reader taking a hundred (each worker already runs up to 100 tasks at once)
        xread_count=10,
    )


broker = build_broker(Settings())


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _worker_startup(state: TaskiqState) -> None:
    from core.db import init_db
    from oneclick.bootstrap import build_services, has_services, set_services

    if has_services():
        return  # in-process broker: the host process (web app) already wired everything
    state.owns_services = True
    settings = get_settings()
    await init_db(settings)
    set_services(build_services(settings))


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _worker_shutdown(state: TaskiqState) -> None:
    from core.db import close_db
    from oneclick.bootstrap import get_services, set_services

    if not getattr(state, "owns_services", False):
        return
    await get_services().aclose()
    set_services(None)
    await close_db()
