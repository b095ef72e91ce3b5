"""The state checks every OAuth dance repeats: forged, other session, the real one, reuse."""

from __future__ import annotations

import httpx

from tests.e2e.connectors.oauth_dance import sign_in, with_state


async def refused_then_connected(
    base: str, browser: httpx.AsyncClient, email: str, callback: str
) -> httpx.Response:
    """A forged state and another session's use are refused; the real callback answers."""
    forged = await browser.get(with_state(callback, "forged-state"))
    assert forged.status_code == 400 and "not valid" in forged.text
    other = await sign_in(base, email)
    try:
        elsewhere = await other.get(callback)
        assert elsewhere.status_code == 400 and "another browser session" in elsewhere.text
    finally:
        await other.aclose()
    done = await browser.get(callback)
    assert done.status_code == 303, done.text
    return done


async def reused_is_refused(browser: httpx.AsyncClient, callback: str) -> None:
    """The same callback a second time is refused."""
    again = await browser.get(callback)
    assert again.status_code == 400 and "already used" in again.text
