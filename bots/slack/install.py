"""'Add to Slack': OAuth v2 with installations and states in our database, tokens encrypted.

These stores are infrastructure (slack-sdk's installation and state store interfaces over
our tables), not use cases; the audit row of an installation is written by
`core.app.chat_links.slack_installed`.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import (
    AsyncAuthorize,
    AsyncInstallationStoreAuthorize,
)
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from core.app import chat_links
from core.config import Settings
from core.models import SlackInstallation, SlackOAuthState
from core.security import TokenCipher

log = logging.getLogger(__name__)
_SECRET_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
_PLAIN_FIELDS = (
    "app_id",
    "enterprise_name",
    "team_name",
    "bot_id",
    "bot_user_id",
    "user_id",
    "token_type",
)


class DbInstallationStore(AsyncInstallationStore):
    """Installations per (enterprise, team, installer) in `slack_installations`."""

    def __init__(self, cipher: TokenCipher, client_id: str = "") -> None:
        self.cipher = cipher
        self.client_id = client_id

    @property
    def logger(self) -> logging.Logger:
        """The store's logger."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Store (or replace) the installation of this workspace and installer."""
        values: dict[str, Any] = {f: getattr(installation, f) or "" for f in _PLAIN_FIELDS}
        for name in _SECRET_FIELDS:
            values[f"{name}_enc"] = self.cipher.encrypt(getattr(installation, name))
        values.update(
            bot_scopes=",".join(installation.bot_scopes or []),
            user_scopes=",".join(installation.user_scopes or []),
            bot_token_expires_at=installation.bot_token_expires_at,
            user_token_expires_at=installation.user_token_expires_at,
            is_enterprise_install=bool(installation.is_enterprise_install),
            installed_at=float(installation.installed_at),
            extra={
                "incoming_webhook_url": installation.incoming_webhook_url,
                "incoming_webhook_channel_id": installation.incoming_webhook_channel_id,
                "custom_values": installation.custom_values,
            },
        )
        row, created = await SlackInstallation.update_or_create(
            client_id=self.client_id,
            enterprise_id=installation.enterprise_id or "",
            team_id=installation.team_id or "",
            user_id=installation.user_id or "",
            defaults=values,
        )
        await chat_links.slack_installed(row, created=created)

    async def async_save_bot(self, bot: Bot) -> None:
        """Store a rotated bot token on the workspace's installations."""
        await SlackInstallation.filter(
            client_id=self.client_id,
            enterprise_id=bot.enterprise_id or "",
            team_id=bot.team_id or "",
        ).update(
            bot_token_enc=self.cipher.encrypt(bot.bot_token),
            bot_refresh_token_enc=self.cipher.encrypt(bot.bot_refresh_token),
            bot_token_expires_at=bot.bot_token_expires_at,
        )

    async def _latest(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None,
        user_id: str | None = None,
    ) -> SlackInstallation | None:
        query = SlackInstallation.filter(
            client_id=self.client_id, enterprise_id=enterprise_id or ""
        )
        if not is_enterprise_install:
            query = query.filter(team_id=team_id or "")
        if user_id is not None:
            query = query.filter(user_id=user_id)
        return await query.order_by("-installed_at", "-id").first()

    def _installation(self, row: SlackInstallation) -> Installation:
        extra = row.extra or {}
        plain: dict[str, Any] = {f: getattr(row, f) or None for f in _PLAIN_FIELDS}
        plain["user_id"] = row.user_id
        secret: dict[str, Any] = {
            f: self.cipher.decrypt(getattr(row, f"{f}_enc")) for f in _SECRET_FIELDS
        }
        return Installation(
            **plain,
            **secret,
            enterprise_id=row.enterprise_id or None,
            team_id=row.team_id or None,
            bot_scopes=row.bot_scopes,
            user_scopes=row.user_scopes,
            bot_token_expires_at=row.bot_token_expires_at,
            user_token_expires_at=row.user_token_expires_at,
            is_enterprise_install=row.is_enterprise_install,
            installed_at=row.installed_at,
            incoming_webhook_url=extra.get("incoming_webhook_url"),
            incoming_webhook_channel_id=extra.get("incoming_webhook_channel_id"),
            custom_values=extra.get("custom_values") or {},
        )

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The newest bot installation of the workspace (or org)."""
        row = await self._latest(enterprise_id, team_id, is_enterprise_install)
        if row is None or row.bot_token_enc is None:
            return None
        return self._installation(row).to_bot()

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The installer's installation, or the workspace's newest one without a user."""
        row = await self._latest(enterprise_id, team_id, is_enterprise_install, user_id)
        return self._installation(row) if row is not None else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the workspace's bot tokens (app uninstalled, tokens revoked)."""
        await SlackInstallation.filter(
            client_id=self.client_id, enterprise_id=enterprise_id or "", team_id=team_id or ""
        ).update(bot_token_enc=None, bot_refresh_token_enc=None)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Delete the workspace's installations (one installer's, if given)."""
        query = SlackInstallation.filter(
            client_id=self.client_id, enterprise_id=enterprise_id or "", team_id=team_id or ""
        )
        if user_id is not None:
            query = query.filter(user_id=user_id)
        await query.delete()


class DbOAuthStateStore(AsyncOAuthStateStore):
    """One-time OAuth state values with an expiry, in `slack_oauth_states`."""

    def __init__(self, expiration_seconds: int) -> None:
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        """The store's logger."""
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A fresh state value."""
        state = secrets.token_urlsafe(32)
        await SlackOAuthState.create(
            state=state, expires_at=datetime.now(UTC) + timedelta(seconds=self.expiration_seconds)
        )
        return state

    async def async_consume(self, state: str) -> bool:
        """Whether the state was issued and unexpired; it can be used once."""
        row = await SlackOAuthState.get_or_none(state=state)
        if row is None:
            return False
        deleted = await SlackOAuthState.filter(id=row.id).delete()
        return bool(deleted) and row.expires_at > datetime.now(UTC)


class OneClickAuthorize(AsyncAuthorize):
    """Installed workspaces first, then the single-workspace SLACK_BOT_TOKEN."""

    def __init__(
        self, store_authorize: AsyncInstallationStoreAuthorize, single_token: str | None
    ) -> None:
        self.store_authorize = store_authorize
        self.single_token = single_token
        self._single: AuthorizeResult | None = None
        # the app reads this attribute when OAuth settings are given
        self.token_rotation_expiration_minutes = store_authorize.token_rotation_expiration_minutes

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        """The bot token for the workspace the request came from."""
        self.store_authorize.token_rotation_expiration_minutes = (
            self.token_rotation_expiration_minutes
        )
        found = await self.store_authorize(
            context=context,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            actor_enterprise_id=actor_enterprise_id,
            actor_team_id=actor_team_id,
            actor_user_id=actor_user_id,
        )
        if found is not None or self.single_token is None:
            return found
        if self._single is None:
            client = context.client
            response = await client.auth_test(token=self.single_token)
            self._single = AuthorizeResult.from_auth_test_response(
                auth_test_response=response, bot_token=self.single_token
            )
        if team_id and self._single.team_id and team_id != self._single.team_id:
            return None
        return self._single


def oauth_settings(settings: Settings, store: DbInstallationStore) -> AsyncOAuthSettings | None:
    """OAuth v2 settings when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set."""
    if not settings.slack_client_id or settings.slack_client_secret is None:
        return None
    state_store = DbOAuthStateStore(settings.oauth_state_max_age_seconds)
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=[s.strip() for s in settings.slack_scopes.split(",") if s.strip()],
        user_scopes=[],
        redirect_uri=settings.public_url("/slack/oauth_redirect"),
        installation_store=store,
        state_store=state_store,
        state_expiration_seconds=settings.oauth_state_max_age_seconds,
        authorization_url=settings.slack_authorize_url,
        logger=log,
    )
    single = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    store_authorize = oauth.authorize  # typed as any AsyncAuthorize; bolt makes this one
    if not isinstance(store_authorize, AsyncInstallationStoreAuthorize):
        raise TypeError("slack-bolt's OAuth settings no longer authorize from the store")
    oauth.authorize = OneClickAuthorize(store_authorize, single)
    return oauth
