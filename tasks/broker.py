"""The taskiq broker: in-process when REDIS_URL is unset, Redis Streams (acked) when set.

A Redis hiccup (restart, failover, a blip, a Redis back empty) costs seconds, never a
process or a message: commands reconnect with backoff, the reader outlives lost
connections and recreates its consumer group, and a message Redis cannot take waits in
this process's outbox until Redis answers (the work it stands for is in the database).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage, AsyncBroker, Context, InMemoryBroker, TaskiqDepends
from taskiq.brokers.shared_broker import AsyncSharedBroker
from taskiq.exceptions import SendTaskError
from taskiq.kicker import AsyncKicker
from taskiq_redis import RedisStreamBroker

from core.config import Settings
from oneclick.services import Services

log = logging.getLogger(__name__)
# what a Redis that is away, restarting or failing over raises (taskiq wraps it when sending)
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    RedisError,
    OSError,
    asyncio.TimeoutError,
    SendTaskError,
)
READ_BACKOFF = (0.1, 2.0)  # first and longest pause of a reader that lost Redis
ACK_GIVE_UP_SECONDS = 30.0
# a message unacknowledged this long is claimed by another reader; publishing does not
# rely on it (the database lease and the sweeper take over a dead worker's targets)
IDLE_CLAIM_MS = 900_000

#: the tasks, declared once and bound to no broker: each process builds its broker from its
#: settings at start-up (`build_broker`) and sends through it (tasks.queue.TaskQueue)
shared = AsyncSharedBroker()


def services_of(context: Context = TaskiqDepends()) -> Services:
    """A task's services: what the composition root put in the broker's state."""
    services: Services = context.state.services
    return services


class ResilientStreamBroker(RedisStreamBroker):
    """Redis Streams whose reader survives Redis restarts, failovers and a Redis back empty.

    taskiq-redis reads with one long-lived loop: an error ends it and the taskiq worker
    process with it. Here the loop pauses with backoff and resumes; on `NOGROUP` (Redis
    came back without the stream) it recreates the group from the stream's start, so
    messages added before the group existed again are read, not skipped.
    """

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(
            url,
            consumer_id="0",
            retry=Retry(ExponentialWithJitterBackoff(cap=1.0, base=0.05), 5),
            retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],
            # a read blocks up to 2 s (xread_block); a silent Redis is noticed in 10
            socket_connect_timeout=2.0,
            socket_timeout=10.0,
            socket_keepalive=True,
            health_check_interval=15,
            **kwargs,
        )

    async def startup(self) -> None:
        """Declare the consumer group if Redis answers; the reader declares it otherwise."""
        await AsyncBroker.startup(self)
        try:
            await self._declare_consumer_group()
        except BROKER_ERRORS as exc:
            log.warning(
                "Redis is not answering at start-up (%s); carrying on, the queue "
                "catches up once it does",
                exc,
            )

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        """Messages for ever: a lost connection or a lost group is a pause, not an end."""
        pause = READ_BACKOFF[0]
        while True:
            reader = super().listen()
            try:
                async for message in reader:
                    pause = READ_BACKOFF[0]
                    yield message
            except BROKER_ERRORS as exc:
                log.warning(
                    "queue reader lost Redis (%s: %s); reading again in %.1f s",
                    type(exc).__name__,
                    exc,
                    pause,
                )
            finally:
                await reader.aclose()
            await asyncio.sleep(pause)
            pause = min(pause * 2, READ_BACKOFF[1])
            # NOGROUP: Redis came back empty; still away: the next read fails and pauses
            with contextlib.suppress(*BROKER_ERRORS):
                await self._declare_consumer_group()

    def _ack_generator(self, id: str, queue_name: str) -> Any:  # taskiq's name
        ack = super()._ack_generator(id=id, queue_name=queue_name)

        async def _ack() -> None:
            """Acknowledge once Redis answers; give up after a while (the run is idempotent:
            a redelivered message finds its work done)."""
            deadline = asyncio.get_running_loop().time() + ACK_GIVE_UP_SECONDS
            pause = READ_BACKOFF[0]
            while True:
                try:
                    await ack()
                    return
                except BROKER_ERRORS as exc:
                    if asyncio.get_running_loop().time() + pause > deadline:
                        log.warning("could not acknowledge message %s: %s", id, exc)
                        return
                await asyncio.sleep(pause)
                pause = min(pause * 2, READ_BACKOFF[1])

        return _ack

    async def mark_alive(self) -> bool:
        """Leave a marker in Redis; True when it was missing (first start, or Redis lost its
        data since, and with it any message not yet read)."""
        async with Redis(connection_pool=self.connection_pool) as redis:
            return bool(await redis.set(f"{self.queue_name}:alive", uuid.uuid4().hex, nx=True))


class Outbox:
    """Messages Redis could not take, sent again every second until it answers.

    A publish request whose queueing fails is still accepted: its job is in the database,
    and the message follows as soon as Redis is back. Should this process end first, the
    sweeper queues the work when its queue ticket runs out.
    """

    def __init__(self, broker: AsyncBroker) -> None:
        self.broker = broker
        self._waiting: list[tuple[str, tuple[Any, ...]]] = []
        self._sender: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._waiting)

    async def kiq(self, task_name: str, *args: Any) -> None:
        """Queue the task named `task_name` with `args` now, or as soon as Redis answers."""
        if not self._waiting:
            try:
                await self.send(task_name, *args)
                return
            except BROKER_ERRORS as exc:
                log.warning(
                    "Redis did not take %s%s (%s); it is sent again as soon as Redis answers",
                    task_name,
                    args,
                    exc,
                )
        self._waiting.append((task_name, args))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_waiting())

    async def _send_waiting(self) -> None:
        while self._waiting:
            await asyncio.sleep(1.0)
            while self._waiting:
                task_name, args = self._waiting[0]
                try:
                    await self.send(task_name, *args)
                except BROKER_ERRORS:
                    break  # still away: try again in a second
                self._waiting.pop(0)
        log.info("queue outbox sent: Redis answers again")

    async def send(self, task_name: str, *args: Any) -> None:
        """Queue the named task on this outbox's broker now (broker errors propagate)."""
        await AsyncKicker(task_name, self.broker, labels={}).kiq(*args)


def build_broker(settings: Settings) -> AsyncBroker:
    """A broker for these settings."""
    if not settings.redis_url:
        return InMemoryBroker(max_async_tasks=200)
    return ResilientStreamBroker(
        url=settings.redis_url,
        queue_name=settings.queue_name,
        consumer_group_name=f"{settings.queue_name}-workers",
        idle_timeout=IDLE_CLAIM_MS,
        # a reader killed holding the claim lock must not stall the others for ever
        unacknowledged_lock_timeout=10.0,
        # read a few messages at a time: a burst spreads over the workers instead of the
        # first reader taking a hundred (each worker already runs up to 100 tasks at once)
        xread_count=10,
    )


async def queue_was_reset(broker: AsyncBroker) -> bool:
    """Whether Redis lost its data since the last look (messages not yet read are gone)."""
    if not isinstance(broker, ResilientStreamBroker):
        return False
    return await broker.mark_alive()
