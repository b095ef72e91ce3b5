"""The AsyncApp factory and the running Slack app of one process (HTTP or Socket Mode)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp

from bots.slack import actions, commands, modals, unknown, uploads
from bots.slack.cards import SlackCards
from bots.slack.client import SlackClients, make_client
from bots.slack.errors import on_error
from bots.slack.install import DbInstallationStore, oauth_settings
from bots.slack.runtime import Runtime, provide
from bots.slack.status import StatusWatcher
from core.config import Settings
from oneclick.services import Services

if TYPE_CHECKING:  # imported when Socket Mode starts
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

log = logging.getLogger(__name__)


def slack_configured(settings: Settings) -> bool:
    """Whether a bot token or an OAuth app (for many workspaces) is configured."""
    oauth = bool(settings.slack_client_id and settings.slack_client_secret is not None)
    return settings.slack_bot_token is not None or oauth


def build_app(services: Services) -> tuple[AsyncApp, Runtime]:
    """The bolt app with every feature registered, and the objects its listeners share."""
    settings = services.settings
    store = DbInstallationStore(services.cipher, settings.slack_client_id or "")
    oauth = oauth_settings(settings, store)
    token = None
    if oauth is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    secret = settings.slack_signing_secret
    app = AsyncApp(
        client=make_client(settings, token),
        oauth_settings=oauth,
        signing_secret=secret.get_secret_value() if secret else "",
        process_before_response=False,
        name="oneclick",
        logger=log,
    )
    clients = SlackClients(settings, store)
    cards = SlackCards(services, clients)
    runtime = Runtime(services, clients, cards, StatusWatcher(cards))
    provide(app, runtime)  # listeners find it in their `context`
    app.error(on_error)
    for feature in (commands, actions, unknown, modals, uploads):
        feature.register(app)
    return app, runtime


class SlackBot:
    """The running Slack app: requests over HTTP (the web app) or a Socket Mode connection."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.app, self.runtime = build_app(services)
        self.handler = AsyncSlackRequestHandler(self.app)
        self._socket: AsyncSocketModeHandler | None = None

    @property
    def watcher(self) -> StatusWatcher:
        """The status-in-thread updater."""
        return self.runtime.watcher

    @property
    def cards(self) -> SlackCards:
        """The card store."""
        return self.runtime.cards

    @property
    def clients(self) -> SlackClients:
        """Web API clients per workspace."""
        return self.runtime.clients

    async def start(self, *, socket_mode: bool) -> None:
        """Resume status replies; open the Socket Mode connection when asked."""
        await self.watcher.resume()
        if socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            token = self.services.settings.slack_app_token
            assert token is not None
            handler = AsyncSocketModeHandler(self.app, token.get_secret_value())
            await handler.connect_async()
            self._socket = handler

    async def stop(self) -> None:
        """Close the Socket Mode connection and stop the watchers."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.watcher.stop()
