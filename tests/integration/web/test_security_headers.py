"""Security headers on every kind of response, and templates the policy can hold."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from core.config import Settings
from tests.integration.web.helpers import csrf_from, signup
from tests.support.server import live_app

TEMPLATES = Path(__file__).parents[3] / "webapp" / "templates"


def _strict(response: httpx.Response) -> None:
    csp = response.headers.get("content-security-policy", "")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives.get("script-src") == "'self'", (response.url, csp)
    assert directives.get("frame-ancestors") == "'none'" and "object-src" in directives
    assert "unsafe-inline" not in directives["script-src"]
    _common(response)


def _common(response: httpx.Response) -> None:
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", response.url
    assert headers.get("x-frame-options") == "DENY", response.url
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", response.url


async def test_every_page_sends_the_security_headers(settings: Settings) -> None:
    async with live_app(settings) as base, httpx.AsyncClient(base_url=base) as web:
        for path in (
            "/login",
            "/signup",
            "/static/app.js",
            "/api/v1/health",
            "/nope",
            "/api/v1/jobs/1",
            "/b/no-such-brand",
        ):
            _strict(await web.get(path))
        await signup(web, "ada@example.com")
        page = await web.get("/brands")
        _strict(page)
        created = await web.post(
            "/brands", data={"csrf_token": csrf_from(page.text), "name": "Ada Bakes"}
        )
        _strict(created)  # a redirect too
        inbox = created.headers["location"]
        brand = inbox.rsplit("/", 1)[0]
        for path in (
            inbox,
            f"{brand}/connections",
            f"{brand}/settings",
            f"{brand}/jobs",
            f"{brand}/audit",
            f"{brand}/connect/mastodon",
            "/profile",
        ):
            answer = await web.get(path)
            assert answer.status_code == 200, path
            _strict(answer)
        _strict(await web.post("/brands", data={"name": "no csrf"}))  # a refusal

        docs = await web.get("/docs")
        assert docs.status_code == 200
        csp = docs.headers["content-security-policy"]
        assert "cdn.jsdelivr.net" in csp and "frame-ancestors 'none'" in csp
        _common(docs)


def test_templates_have_no_inline_script() -> None:
    """`script-src 'self'` holds only if no page needs inline script or handlers."""
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            assert "src=" in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text, re.I), template.name
        assert "javascript:" not in text.lower(), template.name
