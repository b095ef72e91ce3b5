"""OAuth 2 authorization-code helpers on authlib's `AsyncOAuth2Client`.

Every endpoint comes from settings, so tests and proxies can point them elsewhere. The
web app owns `state` (signed, single use); connectors build the authorization URL and
exchange the code with these helpers.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.httpx_client._compat import httpx2

from core.config import Settings
from core.errors import ConnectorError, InvalidInput

log = logging.getLogger(__name__)
AuthMethod = Literal["client_secret_post", "client_secret_basic"]


@dataclass(frozen=True)
class OAuthApp:
    """One network's OAuth app and endpoints."""

    platform: str
    label: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    pkce: bool = False
    auth_method: AuthMethod = "client_secret_post"
    client_id_param: str = "client_id"
    extra_authorize: Mapping[str, str] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        """The scopes joined the way the network expects."""
        return self.scope_separator.join(self.scopes)


def oauth_app(
    settings: Settings,
    platform: str,
    label: str,
    *,
    authorize_url: str,
    token_url: str,
    **options: Any,
) -> OAuthApp:
    """The network's OAuth app from settings; a plain error if the operator did not set it."""
    client = settings.oauth_client(platform)
    if client is None:
        upper = platform.upper()
        raise InvalidInput(
            f"{label} is not set up on this server yet: the operator must set "
            f"{upper}_CLIENT_ID and {upper}_CLIENT_SECRET."
        )
    return OAuthApp(
        platform=platform,
        label=label,
        client_id=client[0],
        client_secret=client[1],
        authorize_url=authorize_url,
        token_url=token_url,
        **options,
    )


def redirect_uri(settings: Settings, platform: str) -> str:
    """The callback URL registered with the network, under PUBLIC_BASE_URL."""
    return settings.public_url(f"/oauth/{platform}/callback")


def new_code_verifier() -> str:
    """A fresh PKCE code verifier (RFC 7636: 43–128 characters)."""
    return generate_token(64)


def new_state() -> str:
    """A random state value (the web app signs and stores its own)."""
    return secrets.token_urlsafe(24)


def _client(app: OAuthApp, redirect: str, timeout: float = 30.0) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret,
        scope=app.scope or None,
        redirect_uri=redirect,
        token_endpoint_auth_method=app.auth_method,
        code_challenge_method="S256" if app.pkce else None,
        timeout=timeout,
    )


def authorization_url(
    app: OAuthApp, *, redirect: str, state: str, code_verifier: str | None = None, **extra: str
) -> str:
    """Where to send the person to approve access (with a PKCE challenge when supported)."""
    client = _client(app, redirect)
    params = {**app.extra_authorize, **extra}
    url, _ = client.create_authorization_url(
        app.authorize_url, state=state, code_verifier=code_verifier if app.pkce else None, **params
    )
    if app.client_id_param != "client_id":
        url = url.replace("client_id=", f"{app.client_id_param}=", 1)
    return str(url)


async def exchange_code(
    app: OAuthApp, *, code: str, redirect: str, code_verifier: str | None = None, **extra: str
) -> dict[str, Any]:
    """Trade an authorization code for tokens; a plain `ConnectorError` if refused."""
    if not code:
        raise InvalidInput(f"{app.label} did not send an authorization code back.")
    kwargs: dict[str, Any] = dict(extra)
    if app.pkce and code_verifier:
        kwargs["code_verifier"] = code_verifier
    if app.client_id_param != "client_id":
        kwargs[app.client_id_param] = app.client_id
    async with _client(app, redirect) as client:
        try:
            token = await client.fetch_token(app.token_url, code=code, **kwargs)
        except OAuthError as exc:
            log.info("%s code exchange refused: %s", app.platform, exc.error)
            raise ConnectorError(
                f"{app.label} refused the sign-in ({_describe(exc)}). Please try connecting again.",
                platform=app.platform,
                code="oauth_refused",
            ) from None
        except httpx2.HTTPStatusError as exc:
            raise ConnectorError(
                f"{app.label} could not finish the sign-in (HTTP "
                f"{exc.response.status_code}). Please try again.",
                platform=app.platform,
                retryable=True,
                code="oauth_failed",
            ) from None
        except httpx2.HTTPError:
            raise ConnectorError(
                f"{app.label} could not be reached to finish the sign-in. Please try again.",
                platform=app.platform,
                retryable=True,
                code="unreachable",
            ) from None
    return dict(token)


async def refresh_grant(app: OAuthApp, *, refresh_token: str, **extra: str) -> dict[str, Any]:
    """A standard `grant_type=refresh_token` call; typed errors like `exchange_code`."""
    async with _client(app, "") as client:
        try:
            token = await client.refresh_token(app.token_url, refresh_token=refresh_token, **extra)
        except OAuthError as exc:
            raise ConnectorError(
                f"{app.label} refused to renew the connection ({_describe(exc)}).",
                platform=app.platform,
                needs_reconnect=True,
                code="refresh_refused",
            ) from None
        except httpx2.HTTPStatusError as exc:
            status = exc.response.status_code
            raise ConnectorError(
                f"{app.label} could not renew the connection (HTTP {status}).",
                platform=app.platform,
                retryable=status >= 500 or status == 429,
                needs_reconnect=status in (400, 401),
                code="refresh_failed",
            ) from None
        except httpx2.HTTPError:
            raise ConnectorError(
                f"{app.label} could not be reached to renew the connection.",
                platform=app.platform,
                retryable=True,
                code="unreachable",
            ) from None
    return dict(token)


def _describe(exc: OAuthError) -> str:
    """A short reason from an OAuth error (Meta nests its error object)."""
    error: Any = exc.error
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or "refused")[:200]
    text = exc.description or error or "refused"
    return str(text)[:200]
