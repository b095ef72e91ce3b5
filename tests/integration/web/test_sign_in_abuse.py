"""Sign-in abuse against the real app in-process: lockouts, proxies, sign-up floods."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from core import security
from core.config import Settings
from core.models import User, WebSession
from tests.integration.web.helpers import csrf_from, signup
from tests.support.asgi import running_app, web_client
from webapp import app as _app  # noqa: F401 - imported (its timing hash made) before any gate

OWNER_PASSWORD = "correct horse 42"
GATE_SECONDS = 30.0


async def _login(
    http: httpx.AsyncClient, email: str, password: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    page = await http.get("/login", headers=headers)
    return await http.post(
        "/login",
        headers=headers,
        data={"csrf_token": csrf_from(page.text), "email": email, "password": password},
    )


async def test_a_strangers_failures_never_lock_the_owner_out(settings: Settings) -> None:
    async with running_app(settings) as app:
        async with web_client(app, "198.51.100.20") as owner:
            assert (await signup(owner, "bob@example.com")).status_code == 303
        async with web_client(app, "203.0.113.66") as stranger:
            statuses = [
                (await _login(stranger, "bob@example.com", f"guess {n}")).status_code
                for n in range(6)
            ]
            assert statuses == [400] * 5 + [429]
            refused = await _login(stranger, "bob@example.com", OWNER_PASSWORD)
            assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text
        async with web_client(app, "198.51.100.20") as owner:
            assert (await _login(owner, "bob@example.com", "typo")).status_code == 400
            answer = await _login(owner, "bob@example.com", OWNER_PASSWORD)
            assert answer.status_code == 303 and answer.headers["location"] == "/brands"
            assert (await owner.get("/brands")).status_code == 200


async def test_forwarded_for_is_believed_only_from_trusted_proxies(settings: Settings) -> None:
    settings.trusted_proxies = "10.0.0.0/8, 192.0.2.1"
    async with running_app(settings) as app, web_client(app, "10.0.0.5") as proxy:
        # every browser arrives through the proxy, which appends the address it saw
        assert (await signup(proxy, "bob@example.com", OWNER_PASSWORD)).status_code == 303
        proxy.cookies.clear()
        stranger = {"X-Forwarded-For": "203.0.113.66"}
        for n in range(5):
            assert (
                await _login(proxy, "bob@example.com", f"guess {n}", stranger)
            ).status_code == 400
        assert (await _login(proxy, "bob@example.com", "x", stranger)).status_code == 429
        # the stranger writes the owner's address first: the proxy's own entry still counts
        forged = {"X-Forwarded-For": "198.51.100.20, 203.0.113.66"}
        assert (await _login(proxy, "bob@example.com", "x", forged)).status_code == 429
        owner = {"X-Forwarded-For": "198.51.100.20"}
        answer = await _login(proxy, "bob@example.com", OWNER_PASSWORD, owner)
        assert answer.status_code == 303
        latest = await WebSession.all().order_by("-id").first()
        assert latest is not None and latest.address == "198.51.100.20"


async def test_forged_forwarded_for_is_ignored_without_trusted_proxies(settings: Settings) -> None:
    assert settings.trusted_proxies == ""
    async with running_app(settings) as app, web_client(app, "203.0.113.66") as stranger:
        async with web_client(app, "198.51.100.20") as owner:
            await signup(owner, "bob@example.com")
        for n in range(5):
            forged = {"X-Forwarded-For": f"198.51.100.{n + 100}"}
            assert (
                await _login(stranger, "bob@example.com", f"guess {n}", forged)
            ).status_code == 400
        forged = {"X-Forwarded-For": "198.51.100.20"}
        assert (await _login(stranger, "bob@example.com", "x", forged)).status_code == 429
        # even the right password: this address is locked for bob, whatever it claims
        assert (
            await _login(stranger, "bob@example.com", OWNER_PASSWORD, forged)
        ).status_code == 429
        assert await WebSession.filter(address="203.0.113.66").count() == 0


async def test_sign_up_is_limited_per_address(settings: Settings) -> None:
    settings.signup_per_address_per_hour = 3
    async with running_app(settings) as app:
        async with web_client(app, "203.0.113.66") as flood:
            token = csrf_from((await flood.get("/signup")).text)
            form = {
                "csrf_token": token,
                "password": "long enough 1",
                "password_again": "long enough 2",
            }
            for n in range(3):
                answer = await flood.post("/signup", data={**form, "email": f"x{n}@example.com"})
                assert answer.status_code == 400
            answer = await flood.post(
                "/signup",
                data={**form, "email": "x9@example.com", "password_again": "long enough 1"},
            )
            assert answer.status_code == 429 and "Too many new accounts" in answer.text
        async with web_client(app, "198.51.100.20") as other:
            assert (await signup(other, "ada@example.com")).status_code == 303
        assert await User.filter(email__startswith="x").count() == 0


async def test_sign_up_can_be_turned_off(settings: Settings) -> None:
    settings.signup_open = False
    async with running_app(settings) as app, web_client(app) as http:
        page = await http.get("/signup")
        assert page.status_code == 403 and "sign-up is turned off" in page.text
        login = await http.get("/login")
        assert 'href="/signup"' not in login.text
        answer = await http.post(
            "/signup",
            data={
                "csrf_token": csrf_from(login.text),
                "email": "eve@example.com",
                "password": "long enough 1",
                "password_again": "long enough 1",
            },
        )
        assert answer.status_code == 403
        assert not await User.exists(email="eve@example.com")


async def test_parallel_sign_ups_leave_other_pages_answering(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each argon2 hash first waits at a gate the test opens: while it is shut the sign-ups
    # cannot end, so "a page answered before they ended" holds without any timing
    gate, started = threading.Event(), threading.Semaphore(0)
    argon2 = security.hash_password

    def gated_hash(password: str) -> str:
        started.release()
        if not gate.wait(timeout=GATE_SECONDS):  # on the event loop it would hang the app
            raise RuntimeError("the gate never opened: hashing blocked the event loop")
        return argon2(password)

    monkeypatch.setattr(security, "hash_password", gated_hash)
    async with running_app(settings) as app:
        clients = [web_client(app, f"203.0.113.{n + 1}") for n in range(40)]
        try:
            tokens = [csrf_from((await c.get("/signup")).text) for c in clients]
            sign_ups = [
                asyncio.create_task(
                    c.post(
                        "/signup",
                        data={
                            "csrf_token": t,
                            "email": f"user{n}@example.com",
                            "password": OWNER_PASSWORD,
                            "password_again": OWNER_PASSWORD,
                        },
                    )
                )
                for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
            ]
            for _ in range(2):  # both hashing threads hold a sign-up at the gate
                await asyncio.to_thread(started.acquire)
            async with web_client(app, "198.51.100.20") as visitor:
                for _ in range(5):
                    assert (await visitor.get("/login")).status_code == 200
            assert not any(task.done() for task in sign_ups)
            assert not started.acquire(blocking=False), "more than two hashes at once"
            gate.set()
            answers = await asyncio.gather(*sign_ups)
            assert [a.status_code for a in answers] == [303] * 40
            assert await User.filter(email__startswith="user").count() == 40
        finally:
            gate.set()
            for c in clients:
                await c.aclose()
