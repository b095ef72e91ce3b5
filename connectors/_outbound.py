"""The guarded HTTP client: every request to an address a user or a remote server chose.

Mastodon and Bluesky (their servers and anything they hand back), Instagram CDN downloads
and Slack file downloads go through `outbound_client`. It applies `core.net_guard`'s
rules twice per request, each redirect hop included:

- before the request: scheme, port, an IP-literal host (aiohttp never resolves those);
- at connect time: aiohttp's resolver is wrapped, so every address the name resolves to
  is checked and the connection goes to one of exactly those addresses. TLS still uses
  the host name (SNI, certificate) and the Host header is unchanged.

A refusal raises `core.errors.OutboundRefused` (a non-retryable `ConnectorError` whose
message names no address); the reason goes to the log. The client ignores proxy settings
from the environment, which would otherwise make the proxy, not us, do the connecting.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from connectors._transport import AiohttpTransport
from core.errors import OutboundRefused
from core.net_guard import OutboundPolicy, check_addresses, check_url

log = logging.getLogger(__name__)


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing names that resolve to anything but public addresses."""

    def __init__(self, policy: OutboundPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The checked addresses of `host`; OutboundRefused if any is not public."""
        found = await self._inner.resolve(host, port, family)
        if not self._policy.exempt(host, port):
            try:
                check_addresses(host, [str(entry["host"]) for entry in found])
            except OutboundRefused as exc:
                log.warning("outbound request refused at connect time: %s", exc.detail)
                raise
        return found

    async def close(self) -> None:
        """Release the inner resolver."""
        await self._inner.close()


def _checker(policy: OutboundPolicy) -> Callable[[httpx.URL], None]:
    def check(url: httpx.URL) -> None:
        try:
            check_url(str(url), policy)
        except OutboundRefused as exc:
            log.warning("outbound request refused: %s", exc.detail)
            raise

    return check


def outbound_client(
    policy: OutboundPolicy,
    *,
    timeout: float = 60.0,
    connect_timeout: float = 10.0,
    resolver: Callable[[], AbstractResolver] | None = None,
) -> httpx.AsyncClient:
    """An httpx client on aiohttp's pool that only reaches what `policy` allows
    (`resolver`: the name resolution under the guard; aiohttp's threaded one by default)."""
    transport = AiohttpTransport(
        check=_checker(policy),
        resolver=lambda: GuardedResolver(policy, resolver() if resolver is not None else None),
    )
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        transport=transport,
        trust_env=False,
    )
