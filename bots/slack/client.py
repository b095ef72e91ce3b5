"""Web API clients per workspace: the right bot token, SLACK_API_BASE, 429 back-off."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from core.config import Settings
from core.errors import NotFound

NOT_INSTALLED = (
    "The OneClick Slack app is not installed in this workspace anymore. "
    "Install it again with “Add to Slack”."
)


def make_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """An AsyncWebClient for SLACK_API_BASE that waits out 429 Retry-After (twice at most)."""
    base = settings.slack_api_base.rstrip("/") + "/"
    return AsyncWebClient(
        token=token,
        base_url=base,
        timeout=30,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


class SlackClients:
    """Finds the bot token of a workspace: its installation, else the single SLACK_BOT_TOKEN."""

    def __init__(self, settings: Settings, store: AsyncInstallationStore | None) -> None:
        self.settings = settings
        self.store = store
        self._clients: dict[str, AsyncWebClient] = {}

    async def token_for(self, team_id: str) -> str:
        """The bot token to use in this workspace; NotFound when the app is not installed."""
        if self.store is not None:
            bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id or None)
            if bot is not None and bot.bot_token:
                return bot.bot_token
        if self.settings.slack_bot_token is not None:
            return self.settings.slack_bot_token.get_secret_value()
        raise NotFound(NOT_INSTALLED)

    async def for_team(self, team_id: str) -> AsyncWebClient:
        """A client authorised as the bot of this workspace."""
        token = await self.token_for(team_id)
        client = self._clients.get(token)
        if client is None:
            client = self._clients[token] = make_client(self.settings, token)
        return client
