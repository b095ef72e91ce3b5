"""httpx's interface on aiohttp's connection pool, for the connectors' shared client.

httpcore (httpx's own transport) checks every pooled connection on every request, with a
`select()` per idle connection: with the ~100 connections a busy worker keeps open, each
request cost ~2-3 ms of CPU, which capped a worker far below the fan-out goal. aiohttp's
pool costs ~0.1 ms. Connectors keep speaking httpx (requests, responses, exceptions);
this transport only moves the bytes, and maps aiohttp's failures onto httpx's exception
types so `connectors._http.call` classifies them as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver

CHUNK_SIZE = 64 * 1024


@contextlib.contextmanager
def _httpx_errors(request: httpx.Request) -> Iterator[None]:
    """Re-raise aiohttp's failures as the httpx exceptions callers already handle."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
    except (aiohttp.SocketTimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
    except TimeoutError as exc:
        raise httpx.PoolTimeout("no free connection in time", request=request) from exc
    except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
        raise httpx.RemoteProtocolError(str(exc) or "server disconnected", request=request) from exc
    except aiohttp.ClientError as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc


class _ResponseBody(httpx.AsyncByteStream):
    """The body of an aiohttp response, read by httpx in chunks."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors(self._request):
            async for chunk in self._response.content.iter_chunked(CHUNK_SIZE):
                yield chunk

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An `httpx.AsyncClient` transport whose connections are aiohttp's.

    The aiohttp session is made on the first request (it must live in the running loop).
    httpx keeps everything above the wire: redirects, cookies, auth, content decoding,
    and proxies from the environment (httpx mounts its own transport for those).
    """

    def __init__(
        self,
        *,
        max_connections: int = 200,
        verify: bool = True,
        check: Callable[[httpx.URL], object] | None = None,
        resolver: Callable[[], AbstractResolver] | None = None,
    ) -> None:
        self._max_connections = max_connections
        self._verify = verify
        self._check = check  # runs before every request (each redirect hop too) and may raise
        self._resolver = resolver  # makes the pool's resolver (inside the running loop)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            ssl = httpx.create_ssl_context(verify=self._verify)
            resolver = self._resolver() if self._resolver is not None else None
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._max_connections, ssl=ssl, resolver=resolver
                ),
                trust_env=False,
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request on aiohttp's pool; the body streams back through httpx."""
        if self._check is not None:
            self._check(request.url)
        timeout = request.extensions.get("timeout", {})
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in request.headers.raw
            if k.lower() != b"transfer-encoding"
        ]  # aiohttp chunks a stream itself
        try:
            body: bytes | httpx.AsyncByteStream | None = request.content or None
        except httpx.RequestNotRead:
            body = request.stream  # type: ignore[assignment]  # an AsyncClient sends async streams
        with _httpx_errors(request):
            response = await self._client().request(
                request.method,
                str(request.url),
                headers=headers,
                data=body,
                allow_redirects=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        extensions = {
            "http_version": f"HTTP/{response.version.major}.{response.version.minor}".encode()
            if response.version
            else b"HTTP/1.1"
        }
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", "replace")
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_ResponseBody(response, request),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close the aiohttp session and its connections."""
        if self._session is not None:
            await self._session.close()


def network_client(*, timeout: float = 60.0, connect_timeout: float = 10.0) -> httpx.AsyncClient:
    """The httpx client the connectors share, on aiohttp's pool."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=connect_timeout), transport=AiohttpTransport()
    )
