"""The composition root: builds what a process runs, and closes it again.

Every process (`oneclick run`, `web`, `worker`, `scheduler`, `bot …`, `promo`) enters
`open_services(settings)` once; front ends get the result through their framework (FastAPI
`app.state`, taskiq's broker state, the bots' own objects). Only entry points import this
module: bots, the web app's routes and the tasks take the `Services` type from
`oneclick.services`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from taskiq import AsyncBroker, TaskiqEvents, TaskiqState

from adapters.anthropic_captions import build_caption_adapter
from adapters.chaos import CrashPoints
from connectors._outbound import outbound_client
from connectors._transport import network_client
from connectors.base import ConnectorContext
from connectors.registry import ConnectorRegistry
from core.ai.limits import AICallLimiter
from core.app.accounts import Accounts
from core.app.assets import Assets
from core.app.publishing import Publishing
from core.captions import CaptionService
from core.config import Settings, get_settings
from core.media.pipeline import MediaPipeline
from core.media.store import LocalMediaStore
from core.net_guard import OutboundPolicy
from core.ports.media_store import MediaStore
from core.publish_runner import PublishRunner
from core.security import TokenCipher
from oneclick.services import Services
from tasks.broker import build_broker
from tasks.names import load_tasks
from tasks.queue import TaskQueue

__all__ = ["Services", "build_services", "open_services", "worker_broker"]


def build_services(
    settings: Settings, queue: TaskQueue, *, media: MediaStore | None = None
) -> Services:
    """Wire the product for these settings on this queue (prefer `open_services`); `media`:
    where media files are kept (the local store under MEDIA_DIR unless given)."""
    settings.ensure_secrets()
    assert settings.token_encryption_key is not None
    cipher = TokenCipher(settings.token_encryption_key.get_secret_value())
    media = media or LocalMediaStore(settings.media_dir)
    pipeline = MediaPipeline(settings, store=media)
    http = network_client(timeout=settings.connector_timeout_seconds)
    outbound = outbound_client(
        OutboundPolicy.of(settings), timeout=settings.connector_timeout_seconds
    )
    registry = ConnectorRegistry(
        ConnectorContext(
            settings=settings,
            pipeline=pipeline,
            media=media,
            cipher=cipher,
            http=http,
            outbound=outbound,
        )
    )
    captions = CaptionService(
        build_caption_adapter(settings),
        registry.rules(),
        limiter=AICallLimiter(settings.ai_user_calls_per_minute),
    )
    runner = PublishRunner(settings, registry, crash=CrashPoints(settings.fault_crash_points))
    publishing = Publishing(captions=captions, platforms=registry.platforms, queue=queue)
    assets = Assets(settings=settings, captions=captions, media=media)
    accounts = Accounts(connectors=registry, queue=queue)
    services = Services(
        settings=settings,
        cipher=cipher,
        pipeline=pipeline,
        media=media,
        connectors=registry,
        captions=captions,
        runner=runner,
        http=http,
        outbound=outbound,
        publishing=publishing,
        assets=assets,
        accounts=accounts,
        queue=queue,
    )
    _register_notifiers(services)
    return services


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    database: bool = True,
    broker: AsyncBroker | None = None,
    media: MediaStore | None = None,
) -> AsyncIterator[Services]:
    """The process's services, open: database, network clients, notifiers, the broker.

    `database=False` when the caller opened the database already (tests); `broker`: a
    broker someone else starts and stops (the taskiq worker's). Everything opened here
    is closed on the way out, in reverse order, also after an error.
    """
    from core.db import close_db, init_db

    async with contextlib.AsyncExitStack() as stack:
        if database:
            await init_db(settings)
            stack.push_async_callback(close_db)
        load_tasks()  # messages name their task: every task must be known here
        own_broker = broker is None
        broker = broker or build_broker(settings)
        queue = TaskQueue(broker, ticket_seconds=settings.queue_ticket_seconds)
        services = build_services(settings, queue, media=media)
        stack.push_async_callback(services.aclose)
        broker.state.services = services  # what tasks get through TaskiqDepends(services_of)
        if own_broker:
            await broker.startup()
            stack.push_async_callback(broker.shutdown)
        yield services


def worker_broker() -> AsyncBroker:
    """The broker of a `oneclick worker` process (taskiq calls this in each worker process).

    Built from the settings when the worker starts; its start-up opens the services and
    its shutdown closes them.
    """
    settings = get_settings()
    broker = build_broker(settings)
    stack = contextlib.AsyncExitStack()

    async def startup(state: TaskiqState) -> None:
        await stack.enter_async_context(open_services(settings, broker=broker))

    async def shutdown(state: TaskiqState) -> None:
        await stack.aclose()

    broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, startup)
    broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, shutdown)
    return broker


def _register_notifiers(services: Services) -> None:
    """Chat front ends whose token is configured get core notifications."""
    from core import notify

    if services.settings.telegram_bot_token is not None:
        from bots.telegram.notifier import TelegramNotifier

        telegram = TelegramNotifier(services)
        services.notifiers.append(telegram)
        notify.register(telegram)
    from bots.slack.app import slack_configured

    if slack_configured(services.settings):
        from bots.slack.notifier import SlackNotifier

        slack = SlackNotifier(services)
        services.notifiers.append(slack)
        notify.register(slack)
