"""The one place that wires the product: settings, connectors, media, captions, runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors._outbound import outbound_client
from connectors._transport import network_client
from connectors.base import ConnectorContext
from connectors.registry import ConnectorRegistry
from core.ai import build_caption_adapter
from core.ai.limits import AICallLimiter
from core.captions import CaptionService
from core.config import Settings
from core.media.pipeline import MediaPipeline
from core.net_guard import OutboundPolicy
from core.publish_runner import PublishRunner
from core.security import TokenCipher


@dataclass
class Services:
    """Everything a front end or worker needs, built once per process."""

    settings: Settings
    cipher: TokenCipher
    pipeline: MediaPipeline
    connectors: ConnectorRegistry
    captions: CaptionService
    runner: PublishRunner
    http: httpx.AsyncClient
    #: the guarded client for addresses users or remote servers chose (core/net_guard.py)
    outbound: httpx.AsyncClient
    notifiers: list[Any] = field(default_factory=list)

    async def aclose(self) -> None:
        """Release network clients and unregister this process's chat notifiers."""
        from core import notify

        for notifier in self.notifiers:
            notify.unregister(notifier)
            await notifier.aclose()
        self.notifiers.clear()
        await self.http.aclose()
        await self.outbound.aclose()


def build_services(settings: Settings) -> Services:
    """Wire the product for these settings (tests pass their own settings)."""
    settings.ensure_secrets()
    assert settings.token_encryption_key is not None
    cipher = TokenCipher(settings.token_encryption_key.get_secret_value())
    pipeline = MediaPipeline(settings)
    http = network_client(timeout=settings.connector_timeout_seconds)
    outbound = outbound_client(OutboundPolicy.of(settings),
                               timeout=settings.connector_timeout_seconds)
    registry = ConnectorRegistry(ConnectorContext(settings=settings, pipeline=pipeline,
                                                  cipher=cipher, http=http, outbound=outbound))
    captions = CaptionService(build_caption_adapter(settings), registry.rules(),
                              limiter=AICallLimiter(settings.ai_user_calls_per_minute))
    runner = PublishRunner(settings, registry)
    services = Services(settings=settings, cipher=cipher, pipeline=pipeline,
                        connectors=registry, captions=captions, runner=runner, http=http,
                        outbound=outbound)
    _register_notifiers(services)
    return services


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


_current: Services | None = None


def set_services(services: Services | None) -> None:
    """Make these the process's services (done at start-up)."""
    global _current
    _current = services


def has_services() -> bool:
    """Whether this process has been wired already."""
    return _current is not None


def get_services() -> Services:
    """The process's services; an error if start-up did not run."""
    if _current is None:
        raise RuntimeError("services are not initialised; start through `oneclick`")
    return _current
