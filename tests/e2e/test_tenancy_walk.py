"""Every API route, called with another user's key, answers exactly like a missing id."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import make_settings
from tests.support.media import make_jpeg
from tests.support.server import client, live_app, user_with_key

# A valid body per route, so a 404 cannot hide behind a 422. A new route must be added here.
BODIES: dict[tuple[str, str], dict | None] = {
    ("GET", "/api/v1/brands/{brand_id}"): None,
    ("PATCH", "/api/v1/brands/{brand_id}"): {"ai_system_prompt": "hijack"},
    ("GET", "/api/v1/brands/{brand_id}/accounts"): None,
    ("GET", "/api/v1/brands/{brand_id}/usage"): None,
    ("GET", "/api/v1/brands/{brand_id}/assets"): None,
    ("POST", "/api/v1/brands/{brand_id}/assets"): "upload",  # type: ignore[dict-item]
    ("GET", "/api/v1/assets/{asset_id}"): None,
    ("POST", "/api/v1/assets/{asset_id}/captions"): {"platforms": ["web"]},
    ("POST", "/api/v1/assets/{asset_id}/publish"): {"platforms": ["web"]},
    ("GET", "/api/v1/jobs/{job_id}"): None,
    ("POST", "/api/v1/targets/{target_id}/retry"): None,
    ("POST", "/api/v1/targets/{target_id}/mark-posted"): {"url": "https://example.com/p/1"},
}
MISSING_ID = 987654321


async def test_second_users_key_gets_404_on_every_route(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    photo = make_jpeg(tmp_path / "photo.jpg")
    async with live_app(settings) as base:
        from webapp.app import create_app

        _, key_a = await user_with_key("a@example.com")
        _, key_b = await user_with_key("b@example.com")
        async with client(base, key_a) as a, client(base, key_b) as b:
            brand = (await a.post("/api/v1/brands", json={"name": "Brand A"})).json()
            await b.post("/api/v1/brands", json={"name": "Brand B"})
            up = await a.post(
                f"/api/v1/brands/{brand['id']}/assets",
                files={"file": ("p.jpg", photo.read_bytes(), "image/jpeg")},
            )
            asset = up.json()
            job = (
                await a.post(f"/api/v1/assets/{asset['id']}/publish", json={"platforms": ["web"]})
            ).json()
            ids = {
                "brand_id": brand["id"],
                "asset_id": asset["id"],
                "job_id": job["id"],
                "target_id": job["targets"][0]["id"],
            }

            paths = create_app(settings).openapi()["paths"]
            routes = [
                (path, ops)
                for path, ops in paths.items()
                if path.startswith("/api/") and "{" in path
            ]
            walked = 0
            for path, operations in routes:
                for method in sorted(m.upper() for m in operations):
                    key = (method, path)
                    assert key in BODIES, f"add {key} to BODIES: every route is walked"
                    params = re.findall(r"{(\w+)}", path)
                    real = path.format(**{p: ids[p] for p in params})
                    missing = path.format(**dict.fromkeys(params, MISSING_ID))
                    body = BODIES[key]
                    kwargs: dict = {}
                    if body == "upload":
                        kwargs["files"] = {"file": ("p.jpg", photo.read_bytes(), "image/jpeg")}
                    elif body is not None:
                        kwargs["json"] = body
                    other = await b.request(method, real, **kwargs)
                    absent = await b.request(method, missing, **kwargs)
                    assert other.status_code == 404, (key, other.text)
                    assert absent.status_code == 404, (key, absent.text)
                    assert other.json() == absent.json(), key
                    walked += 1
            assert walked == len(BODIES)

            mine = (await a.get(f"/api/v1/brands/{brand['id']}")).json()
            assert mine["ai_system_prompt"] == ""
            assert len((await a.get(f"/api/v1/brands/{brand['id']}/assets")).json()) == 1
