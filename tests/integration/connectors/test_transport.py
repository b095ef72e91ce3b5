"""The connectors' httpx client on aiohttp's pool, against a loopback server."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from connectors._http import call
from connectors._transport import network_client
from core.errors import ConnectorError
from tests.support.server import free_port


@pytest.fixture
async def server() -> AsyncIterator[str]:
    """A loopback server with the behaviours a platform API shows."""

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response(
            {
                "method": request.method,
                "path": request.path_qs,
                "auth": request.headers.get("Authorization"),
                "type": request.headers.get("Content-Type", ""),
                "length": len(body),
                "body": body.decode("latin-1"),
            }
        )

    async def upload(request: web.Request) -> web.Response:
        form = await request.post()
        file = form["file"]
        assert isinstance(file, web.FileField)
        return web.json_response(
            {
                "name": file.filename,
                "type": file.content_type,
                "size": len(file.file.read()),
                "caption": form["caption"],
            }
        )

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/echo?from=redirect")

    async def zipped(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(b'{"ok": true}'),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({})

    async def hang_up(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    async def big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"x" * 16384)
        return response

    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_post("/upload", upload)
    app.router.add_get("/moved", moved)
    app.router.add_get("/zipped", zipped)
    app.router.add_get("/slow", slow)
    app.router.add_get("/hang-up", hang_up)
    app.router.add_get("/big", big)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_requests_and_answers_pass_through_unchanged(server: str) -> None:
    async with network_client() as http:
        answer = await http.post(
            f"{server}/echo?a=1",
            json={"status": "héllo"},
            headers={"Authorization": "Bearer t0k3n"},
        )
        assert answer.status_code == 200
        data = answer.json()
        assert data["method"] == "POST" and data["path"] == "/echo?a=1"
        assert data["auth"] == "Bearer t0k3n"
        assert json.loads(data["body"].encode("latin-1")) == {"status": "héllo"}
        assert answer.http_version == "HTTP/1.1"
        assert (await http.delete(f"{server}/echo")).json()["length"] == 0


async def test_multipart_upload_arrives_whole(server: str) -> None:
    photo = bytes(range(256)) * 400
    async with network_client() as http:
        answer = await http.post(
            f"{server}/upload",
            data={"caption": "New"},
            files={"file": ("p.jpg", photo, "image/jpeg")},
        )
    assert answer.json() == {
        "name": "p.jpg",
        "type": "image/jpeg",
        "size": len(photo),
        "caption": "New",
    }


async def test_httpx_follows_redirects_and_decodes_gzip(server: str) -> None:
    async with network_client() as http:
        answer = await http.get(f"{server}/moved", follow_redirects=True)
        assert answer.json()["path"] == "/echo?from=redirect"
        assert [r.status_code for r in answer.history] == [302]
        assert (await http.get(f"{server}/zipped")).json() == {"ok": True}


async def test_a_streamed_body_arrives_in_chunks(server: str) -> None:
    async with network_client() as http, http.stream("GET", f"{server}/big") as answer:
        chunks = [chunk async for chunk in answer.aiter_bytes()]
    assert sum(len(c) for c in chunks) == 64 * 16384


async def test_failures_become_the_errors_connectors_classify() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    async with network_client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(closed)
        with pytest.raises(ConnectorError) as refused:
            await call(http, "GET", closed, platform="mastodon", label="Mastodon")
    assert refused.value.retryable and refused.value.code == "unreachable"


async def test_timeouts_and_hang_ups_are_retryable(server: str) -> None:
    async with network_client(timeout=0.5) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{server}/slow")
        with pytest.raises(ConnectorError) as slow:
            await call(http, "GET", f"{server}/slow", platform="mastodon", label="Mastodon")
        with pytest.raises(ConnectorError) as hung_up:
            await call(http, "GET", f"{server}/hang-up", platform="mastodon", label="Mastodon")
    assert slow.value.retryable and slow.value.code == "timeout"
    assert hung_up.value.retryable and hung_up.value.code == "unreachable"
