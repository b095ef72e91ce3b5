"""Every page against the real app with httpx: renders, acts, and stays inside the tenant."""

from __future__ import annotations

import re

import httpx

from core.config import Settings
from core.models import (
    AccountStatus,
    AuditLog,
    Brand,
    PublishJob,
    PublishTarget,
    SocialAccount,
    TargetStatus,
    WebPost,
)
from core.target_states import refresh_job
from tests.integration.web.helpers import csrf_from, signup
from tests.support.asgi import running_app, web_client
from tests.support.media import make_fake_mp4, make_jpeg
from tests.support.waiting import until


async def _brand(http: httpx.AsyncClient, name: str) -> int:
    page = await http.get("/brands")
    answer = await http.post("/brands", data={"csrf_token": csrf_from(page.text), "name": name})
    assert answer.status_code == 303, answer.text
    match = re.match(r"/brands/(\d+)/inbox", answer.headers["location"])
    assert match
    return int(match.group(1))


async def test_pages_render_act_and_are_scoped(settings: Settings, tmp_path) -> None:
    settings.telegram_bot_username = "OneClickTestBot"
    async with running_app(settings) as app, web_client(app) as ada, web_client(app) as eve:
        await signup(ada, "ada@example.com")
        brand_id = await _brand(ada, "Ada Bakes")
        token = csrf_from((await ada.get(f"/brands/{brand_id}/inbox")).text)

        # settings: save with hashtags, phrases, fit; preview via JSON with the header token
        saved = await ada.post(
            f"/brands/{brand_id}/settings",
            data={
                "csrf_token": token,
                "name": "Ada Bakes",
                "ai_system_prompt": "Warm, short.",
                "default_hashtags": "bakery, #bread",
                "forbidden_phrases": "cheap\nbest ever",
                "timezone": "Europe/Berlin",
                "approval_required": "",
                "fit_square_1x1": "crop",
                "duration_policy": "refuse",
            },
        )
        assert saved.status_code == 303
        brand = await Brand.get(id=brand_id)
        assert brand.default_hashtags == ["#bakery", "#bread"]
        assert brand.forbidden_phrases == ["cheap", "best ever"]
        assert brand.timezone == "Europe/Berlin"
        assert brand.settings["media"]["fit"]["square_1x1"] == "crop"
        assert brand.settings["media"]["duration_policy"] == "refuse"
        bad = await ada.post(
            f"/brands/{brand_id}/settings",
            data={"csrf_token": token, "name": "Ada Bakes", "timezone": "Mars/Olympus"},
        )
        assert bad.status_code == 400 and "not a known time zone" in bad.text
        preview = await ada.post(
            f"/brands/{brand_id}/settings/preview.json",
            json={"text": "Fresh sourdough today", "default_hashtags": "#loaf"},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        )
        assert preview.status_code == 200, preview.text
        by_platform = {p["platform"]: p for p in preview.json()["platforms"]}
        assert "web" in by_platform and "Fresh sourdough" in by_platform["web"]["text"]
        no_header = await ada.post(f"/brands/{brand_id}/settings/preview.json", json={"text": "x"})
        assert no_header.status_code == 403

        # upload without JS (form field token) → asset page
        image = make_jpeg(tmp_path / "a.jpg")
        answer = await ada.post(
            f"/brands/{brand_id}/upload",
            data={"csrf_token": token, "caption": "Morning bake"},
            files={"file": ("a.jpg", image.read_bytes(), "image/jpeg")},
        )
        assert answer.status_code == 303, answer.text
        asset_url = answer.headers["location"]
        asset_page = await ada.get(asset_url)
        assert asset_page.status_code == 200 and 'name="nonce"' in asset_page.text
        assert (await ada.get(asset_url + "/file")).content == image.read_bytes()
        forged = await ada.post(
            f"/brands/{brand_id}/upload",
            data={"csrf_token": "nope"},
            files={"file": ("a.jpg", image.read_bytes(), "image/jpeg")},
        )
        assert forged.status_code == 403

        # connections: cards, link codes with the t.me deep link, disconnect/turn on web
        conn = await ada.get(f"/brands/{brand_id}/connections")
        assert conn.status_code == 200
        assert f'href="/brands/{brand_id}/connect/instagram"' in conn.text
        code_page = await ada.post(
            f"/brands/{brand_id}/link-codes", data={"csrf_token": token, "kind": "telegram"}
        )
        code = re.search(
            r'id="code-telegram" class="code"[^>]*>([A-Z0-9]+)<', code_page.text
        ).group(1)
        assert f"https://t.me/OneClickTestBot?start={code}" in code_page.text

        for path in (
            "/brands",
            "/profile",
            f"/brands/{brand_id}/inbox",
            f"/brands/{brand_id}/jobs",
            f"/brands/{brand_id}/audit",
            f"/brands/{brand_id}/audit?action=brand.updated&since=2020-01-01",
            f"/brands/{brand_id}/usage",
            f"/brands/{brand_id}/settings",
        ):
            page = await ada.get(path)
            assert page.status_code == 200, (path, page.text)
        audit = await ada.get(f"/brands/{brand_id}/audit?action=linkcode.issued")
        assert "linkcode.issued" in audit.text and "brand.updated</code>" not in audit.text
        assert await AuditLog.filter(
            brand_id=brand_id, action="brand.updated", origin="web"
        ).exists()

        # API keys from the profile page
        prof = await ada.post("/profile/api-keys", data={"csrf_token": token, "name": "ci"})
        key = re.search(r'id="new-key" class="code">(ocs_[^<]+)<', prof.text).group(1)
        api = await ada.get("/api/v1/brands", headers={"Authorization": f"Bearer {key}"})
        assert api.status_code == 200 and api.json()[0]["id"] == brand_id
        key_id = re.search(r"/profile/api-keys/(\d+)/revoke", prof.text).group(1)
        await ada.post(f"/profile/api-keys/{key_id}/revoke", data={"csrf_token": token})
        api = await ada.get("/api/v1/brands", headers={"Authorization": f"Bearer {key}"})
        assert api.status_code == 401

        # another user: every page of Ada's brand is a 404 page, POSTs too
        await signup(eve, "eve@example.com")
        eve_token = csrf_from((await eve.get("/brands")).text)
        asset_id = asset_url.rsplit("/", 1)[1]
        for path in (
            f"/brands/{brand_id}/inbox",
            f"/brands/{brand_id}/settings",
            f"/brands/{brand_id}/connections",
            f"/brands/{brand_id}/jobs",
            f"/brands/{brand_id}/audit",
            f"/brands/{brand_id}/usage",
            f"/brands/{brand_id}/assets/{asset_id}",
            f"/brands/{brand_id}/assets/{asset_id}/file",
        ):
            page = await eve.get(path)
            assert page.status_code == 404, path
            assert "Not found" in page.text
        for path, data in (
            (f"/brands/{brand_id}/settings", {"name": "Mine"}),
            (f"/brands/{brand_id}/link-codes", {"kind": "telegram"}),
            (f"/brands/{brand_id}/assets/{asset_id}/publish", {"platforms": "web", "nonce": "x"}),
        ):
            answer = await eve.post(path, data={"csrf_token": eve_token, **data})
            assert answer.status_code == 404, path
        assert (await Brand.get(id=brand_id)).name == "Ada Bakes"


async def _wait_job(http: httpx.AsyncClient, url: str, status: str) -> dict:
    async def reached() -> dict | None:
        data = (await http.get(url + ".json", headers={"Accept": "application/json"})).json()
        return data if data["status"] == status else None

    return await until(reached, f"the job to reach {status}")


async def test_publish_twice_is_one_job_and_retry_republishes(settings: Settings, tmp_path) -> None:
    async with running_app(settings) as app, web_client(app) as ada:
        await signup(ada, "ada@example.com")
        brand_id = await _brand(ada, "Ada Bakes")
        token = csrf_from((await ada.get(f"/brands/{brand_id}/inbox")).text)
        fake = make_fake_mp4(tmp_path / "fake.mp4")
        refused = await ada.post(
            f"/brands/{brand_id}/upload",
            files={"file": ("fake.mp4", fake.read_bytes())},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        )
        assert refused.status_code == 422 and refused.json()["detail"]
        image = make_jpeg(tmp_path / "a.jpg")
        uploaded = await ada.post(
            f"/brands/{brand_id}/upload",
            files={"file": ("a.jpg", image.read_bytes())},
            data={"caption": "Rye day"},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        )
        assert uploaded.status_code == 201, uploaded.text
        asset_url = uploaded.json()["url"]
        page = await ada.get(asset_url)
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
        form = {
            "csrf_token": token,
            "nonce": nonce,
            "platforms": "web",
            "caption_web": "Rye day, edited on the page",
        }
        first = await ada.post(asset_url + "/publish", data=form)
        second = await ada.post(asset_url + "/publish", data=form)  # a double click
        assert first.status_code == second.status_code == 303
        assert first.headers["location"] == second.headers["location"]
        job_url = first.headers["location"]
        assert await PublishJob.filter(brand_id=brand_id).count() == 1
        data = await _wait_job(ada, job_url, "published")
        (target,) = data["targets"]
        assert target["icon"] == "✅" and "/b/ada-bakes/p/" in target["url"]
        assert (await WebPost.get(target_id=target["id"])).caption == "Rye day, edited on the page"

        # a failure is shown in plain words with Retry; Retry publishes again
        await PublishTarget.filter(id=target["id"]).update(
            status=TargetStatus.FAILED, error="The network refused the post (test)."
        )
        await refresh_job(data["id"])
        page = await ada.get(job_url)
        assert "The network refused the post (test)." in page.text and "Retry Web feed" in page.text
        retry = await ada.post(
            f"/brands/{brand_id}/targets/{target['id']}/retry", data={"csrf_token": token}
        )
        assert retry.status_code == 303 and retry.headers["location"] == job_url
        data = await _wait_job(ada, job_url, "published")
        assert data["targets"][0]["error"] == ""
        jobs = await ada.get(f"/brands/{brand_id}/jobs")
        assert f'href="{job_url}"' in jobs.text

        # web feed off → publishing to it is refused plainly; on again → allowed
        account = await SocialAccount.get(brand_id=brand_id, platform="web")
        off = await ada.post(
            f"/brands/{brand_id}/accounts/{account.id}/disconnect", data={"csrf_token": token}
        )
        assert off.status_code == 303
        assert (await SocialAccount.get(id=account.id)).status == AccountStatus.DISCONNECTED
        page = await ada.get(asset_url)
        assert "No network is connected" in page.text
        on = await ada.post(
            f"/brands/{brand_id}/connections/web/enable", data={"csrf_token": token}
        )
        assert on.status_code == 303
        assert (await SocialAccount.get(id=account.id)).status == AccountStatus.OK
