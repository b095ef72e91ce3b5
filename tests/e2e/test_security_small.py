"""Against the running app: AI limits where the person acted, Idempotency-Key per brand,
and odd digits in path parameters (a 4xx, never a 500)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from core.models import MediaAsset, PublishJob, PublishTarget
from tests.conftest import make_settings
from tests.fakes.anthropic_api import FakeMessagesAPI
from tests.integration.web.helpers import csrf_from, signup
from tests.support.asgi import api_client, running_app, web_client
from tests.support.media import make_jpeg
from tests.support.server import user_with_key

# Arabic-Indic, fullwidth, superscript, Extended Arabic-Indic and Devanagari digits, numbers
# too big for the database or for int(), and other spellings int() would accept
ODD_NUMBERS = [
    "\u0663",
    "\uff13",
    "\u00b2",
    "1\u00b2",
    "\u06f7\u0967",
    "9" * 30,
    "9" * 5000,
    "-1",
    "1_0",
    "\u0663-\u0661.jpg",
    "\uff13.mp4",
    "1-\u00b2.jpg",
    "%00",
]
NUMERIC_PARAMS = re.compile(r"(_id|^id|^name|^index|^page)$")


def every_route(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every endpoint, through included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, set(route.methods)
        elif hasattr(route, "original_router"):  # FastAPI's included router
            yield from every_route(
                route.original_router.routes, prefix + (route.include_context.prefix or "")
            )


async def test_ai_limits_answer_where_the_person_acted(tmp_path: Path) -> None:
    with FakeMessagesAPI() as fake:
        settings = make_settings(
            tmp_path,
            anthropic_api_key="test-key",
            anthropic_base_url=fake.base_url,
            ai_user_calls_per_minute=2,
        )
        async with running_app(settings) as app, web_client(app) as web:
            _, key = await user_with_key("api@example.com")
            async with api_client(app, key) as api:
                brand = (await api.post("/api/v1/brands", json={"name": "Api Bakes"})).json()
                asset = await MediaAsset.create(
                    brand_id=brand["id"], kind="image", original_caption="Rye at seven."
                )
                answers = [
                    await api.post(
                        f"/api/v1/assets/{asset.id}/captions",
                        json={"platforms": ["web"], "regenerate": True},
                    )
                    for _ in range(5)
                ]
            assert [a.status_code for a in answers] == [200, 200, 429, 429, 429]
            assert "2 rewrites in the last minute" in answers[2].json()["detail"]
            assert 0 < int(answers[2].headers["Retry-After"]) <= 60
            assert len(fake.requests) == 2

            await signup(web, "web@example.com")
            page = await web.post(
                "/brands",
                data={
                    "csrf_token": csrf_from((await web.get("/brands")).text),
                    "name": "Web Bakes",
                },
            )
            brand_id = int(re.findall(r"/brands/(\d+)/", page.headers["location"])[0])
            token = csrf_from((await web.get(f"/brands/{brand_id}/settings")).text)
            previews = [
                await web.post(
                    f"/brands/{brand_id}/settings/preview.json",
                    json={"text": f"Sample {n}"},
                    headers={"X-CSRF-Token": token, "Accept": "application/json"},
                )
                for n in range(4)
            ]
            assert [p.status_code for p in previews] == [200, 200, 429, 429]
            assert "Try again in" in previews[3].json()["detail"]
            assert len(fake.requests) == 4  # the refused previews never reached the API


async def test_idempotency_key_is_per_brand_and_bounded(tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "p.jpg").read_bytes()
    async with running_app(make_settings(tmp_path)) as app:
        _, key = await user_with_key("owner@example.com")
        async with api_client(app, key) as api:
            jobs = []
            for name in ("Brand A", "Brand B"):
                brand = (await api.post("/api/v1/brands", json={"name": name})).json()
                asset = (
                    await api.post(
                        f"/api/v1/brands/{brand['id']}/assets",
                        files={"file": ("p.jpg", photo, "image/jpeg")},
                    )
                ).json()
                answer = await api.post(
                    f"/api/v1/assets/{asset['id']}/publish",
                    json={"platforms": ["web"]},
                    headers={"Idempotency-Key": "order-42"},
                )
                assert answer.status_code == 202, answer.text
                jobs.append((brand["id"], answer.json()["id"]))
            again = await api.post(
                f"/api/v1/assets/{asset['id']}/publish",
                json={"platforms": ["web"]},
                headers={"Idempotency-Key": "order-42"},
            )
            assert again.status_code == 200 and again.json()["id"] == jobs[1][1]
            (brand_a, job_a), (brand_b, job_b) = jobs
            assert job_a != job_b
            assert (await PublishJob.get(id=job_b)).brand_id == brand_b
            assert await PublishTarget.filter(job_id=job_b, brand_id=brand_b).count() == 1
            for bad in ("k" * 129, "x" * 5000, "has space", "caf\u00e9"):
                refused = await api.post(
                    f"/api/v1/assets/{asset['id']}/publish",
                    json={"platforms": ["web"]},
                    headers={"Idempotency-Key": bad.encode()},
                )
                assert refused.status_code == 400, (bad[:10], refused.text)
                assert "Idempotency-Key" in refused.json()["detail"]
            assert await PublishJob.filter(brand_id=brand_b).count() == 1


async def test_odd_digits_in_path_parameters_are_never_a_500(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with running_app(settings) as app, web_client(app) as web:
        from webapp.app import create_app

        _, key = await user_with_key("api@example.com")
        await signup(web, "web@example.com")
        async with api_client(app, key) as api:
            brand = (await api.post("/api/v1/brands", json={"name": "Digits"})).json()
            real = {"slug": brand["slug"], "brand_id": str(brand["id"])}
            routes = [
                (path, methods)
                for path, methods in every_route(create_app(settings).routes)
                if "{" in path
            ]
            walked = 0
            for path, methods in routes:
                params = re.findall(r"{(\w+)(?::[^}]*)?}", path)
                for param in [p for p in params if NUMERIC_PARAMS.search(p)]:
                    for value in ODD_NUMBERS:
                        values = {p: real.get(p, "1") for p in params}
                        values[param] = value
                        url = re.sub(r"{(\w+)(?::[^}]*)?}", lambda m, v=values: v[m.group(1)], path)
                        who = api if path.startswith("/api/") else web  # signed in
                        for method in sorted(methods - {"HEAD"}):
                            answer = await who.request(method, url + "?page=\u0663")
                            assert answer.status_code < 500, (method, url[:80], answer.text[:200])
                            walked += 1
            assert walked > 500
