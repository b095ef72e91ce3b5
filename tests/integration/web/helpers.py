"""Small helpers for driving the web pages with httpx: CSRF tokens, sign-up."""

from __future__ import annotations

import re

import httpx

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a page's forms."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def signup(
    http: httpx.AsyncClient, email: str, password: str = "correct horse 42"
) -> httpx.Response:
    """Sign up through the form; the client keeps the session cookie."""
    page = await http.get("/signup")
    return await http.post(
        "/signup",
        data={
            "csrf_token": csrf_from(page.text),
            "email": email,
            "password": password,
            "password_again": password,
        },
    )
