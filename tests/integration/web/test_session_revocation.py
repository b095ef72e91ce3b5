"""Sessions end on the server: sign-out, password change and "sign out everywhere"."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from core.config import Settings
from core.models import AuditLog, User, WebSession
from tests.integration.web.helpers import csrf_from, signup
from tests.support.asgi import running_app, web_client

PASSWORD = "correct horse 42"


async def _browser(
    app: FastAPI, address: str, email: str = "ada@example.com", password: str = PASSWORD
) -> httpx.AsyncClient:
    """A browser at `address`, signed in."""
    http = web_client(app, address)
    page = await http.get("/login")
    answer = await http.post(
        "/login", data={"csrf_token": csrf_from(page.text), "email": email, "password": password}
    )
    assert answer.status_code == 303, answer.text
    return http


def _signed_out(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers["location"].startswith("/login")


async def test_an_old_cookie_after_sign_out_no_longer_works(settings: Settings) -> None:
    async with running_app(settings) as app, web_client(app) as http:
        await signup(http, "ada@example.com")
        stolen = http.cookies["oneclick_session"]
        token = csrf_from((await http.get("/profile")).text)
        assert _signed_out(await http.post("/logout", data={"csrf_token": token}))
        async with web_client(app, "203.0.113.66") as thief:
            thief.cookies.set("oneclick_session", stolen)
            assert _signed_out(await thief.get("/brands"))
            fetch = await thief.get("/profile", headers={"Accept": "application/json"})
            assert fetch.status_code == 401
        assert await WebSession.filter(revoked_at__isnull=False).count() == 1
        assert await AuditLog.exists(action="session.ended")


async def test_password_change_ends_every_other_session(settings: Settings) -> None:
    async with running_app(settings) as app:
        async with web_client(app) as first:
            await signup(first, "ada@example.com")
        laptop = await _browser(app, "198.51.100.20")
        phone = await _browser(app, "198.51.100.30")
        try:
            profile = await laptop.get("/profile")
            assert 'href="/profile/password"' in profile.text
            assert 'action="/profile/sign-out-everywhere"' in profile.text
            page = await laptop.get("/profile/password")
            token = csrf_from(page.text)
            form = {
                "current_password": "not it",
                "new_password": "new horse 4321",
                "new_password_again": "new horse 4321",
            }
            assert (await laptop.post("/profile/password", data=form)).status_code == 403
            wrong = await laptop.post("/profile/password", data={**form, "csrf_token": token})
            assert wrong.status_code == 400 and "current password is not right" in wrong.text
            assert (await phone.get("/brands")).status_code == 200  # nothing changed yet

            done = await laptop.post(
                "/profile/password",
                data={**form, "csrf_token": token, "current_password": PASSWORD},
            )
            assert done.status_code == 303 and done.headers["location"] == "/profile"
            assert "Password changed" in (await laptop.get("/profile")).text
            assert _signed_out(await phone.get("/brands"))
            assert (await laptop.get("/brands")).status_code == 200
        finally:
            await laptop.aclose()
            await phone.aclose()
        user = await User.get(email="ada@example.com")
        assert await AuditLog.exists(action="user.password_changed", actor_id=user.id)
        async with web_client(app, "198.51.100.40") as again:
            old = await again.post(
                "/login",
                data={
                    "csrf_token": csrf_from((await again.get("/login")).text),
                    "email": "ada@example.com",
                    "password": PASSWORD,
                },
            )
            assert old.status_code == 400
        await (await _browser(app, "198.51.100.40", password="new horse 4321")).aclose()


async def test_sign_out_everywhere(settings: Settings) -> None:
    async with running_app(settings) as app:
        async with web_client(app) as first:
            await signup(first, "ada@example.com")
            await signup_other(first)
        laptop = await _browser(app, "198.51.100.20")
        phone = await _browser(app, "198.51.100.30")
        other = await _browser(app, "198.51.100.50", email="bob@example.com")
        try:
            token = csrf_from((await phone.get("/profile")).text)
            answer = await phone.post("/profile/sign-out-everywhere", data={"csrf_token": token})
            assert _signed_out(answer)
            assert _signed_out(await phone.get("/brands"))
            assert _signed_out(await laptop.get("/profile"))
            assert (await other.get("/brands")).status_code == 200  # another user is untouched
        finally:
            for http in (laptop, phone, other):
                await http.aclose()
        row = await AuditLog.get(action="sessions.revoked")
        assert row.details["reason"] == "sign_out_everywhere" and row.details["count"] >= 2


async def signup_other(http: httpx.AsyncClient) -> None:
    """A second account, made from a fresh cookie jar."""
    http.cookies.clear()
    assert (await signup(http, "bob@example.com")).status_code == 303
