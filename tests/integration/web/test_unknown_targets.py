"""A target whose outcome is unknown: Mark as posted / Publish again on the web page and in
the REST API; both go through one core function (role, state check, audit)."""

from __future__ import annotations

import re

import httpx

from core.brands import create_brand
from core.config import Settings
from core.models import (
    AuditLog,
    BrandMember,
    PublishJob,
    PublishTarget,
    Role,
    TargetStatus,
    WebPost,
)
from core.target_states import refresh_job
from tests.integration.web.helpers import csrf_from, signup
from tests.support.asgi import api_client, running_app, web_client
from tests.support.media import make_jpeg
from tests.support.server import user_with_key
from tests.support.waiting import until

UNKNOWN_ERROR = (
    "Unknown: check the Web feed account. It answered with an error, and whether "
    "the post went out cannot be checked automatically: press Mark as posted if "
    "it is there, or Publish again."
)


async def _published_target(
    http: httpx.AsyncClient, brand_id: int, token: str, tmp_path
) -> tuple[str, int]:
    """Upload and publish a photo to the web feed; (job page URL, target id)."""
    image = make_jpeg(tmp_path / "a.jpg")
    uploaded = await http.post(
        f"/brands/{brand_id}/upload",
        files={"file": ("a.jpg", image.read_bytes())},
        data={"caption": "Rye day"},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    asset_url = uploaded.json()["url"]
    page = await http.get(asset_url)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    sent = await http.post(
        asset_url + "/publish", data={"csrf_token": token, "nonce": nonce, "platforms": "web"}
    )
    job_url = sent.headers["location"]
    data = await _wait(http, job_url, "published")
    return job_url, data["targets"][0]["id"]


async def _wait(http: httpx.AsyncClient, job_url: str, status: str) -> dict:
    async def reached() -> dict | None:
        data = (await http.get(job_url + ".json")).json()
        return data if data["status"] == status else None

    return await until(reached, f"the job to reach {status}")


async def _make_unknown(target_id: int) -> None:
    """As the runner leaves it when the platform cannot be asked."""
    await PublishTarget.filter(id=target_id).update(
        status=TargetStatus.UNKNOWN, error=UNKNOWN_ERROR, external_id=None, external_url=None
    )
    target = await PublishTarget.get(id=target_id)
    await WebPost.filter(target_id=target_id).delete()
    await refresh_job(target.job_id)


async def test_web_buttons_mark_posted_and_publish_again(settings: Settings, tmp_path) -> None:
    async with running_app(settings) as app, web_client(app) as ada:
        await signup(ada, "ada@example.com")
        page = await ada.get("/brands")
        made = await ada.post(
            "/brands", data={"csrf_token": csrf_from(page.text), "name": "Ada Bakes"}
        )
        brand_id = int(re.match(r"/brands/(\d+)/", made.headers["location"]).group(1))
        token = csrf_from((await ada.get(f"/brands/{brand_id}/inbox")).text)
        job_url, target_id = await _published_target(ada, brand_id, token, tmp_path)

        await _make_unknown(target_id)
        data = await _wait(ada, job_url, "failed")  # the job needs a person: not "published"
        (view,) = data["targets"]
        assert view["can_resolve"] and not view["can_retry"]
        assert view["words"] == "Unknown: check the account"
        page = await ada.get(job_url)
        assert "Mark as posted" in page.text and "Publish again" in page.text
        assert f"/targets/{target_id}/mark-posted" in page.text
        assert "<script>" not in page.text  # no inline script (the page's CSP)

        # Publish again: a fresh attempt (no lookup first), one new post
        again = await ada.post(
            f"/brands/{brand_id}/targets/{target_id}/retry", data={"csrf_token": token}
        )
        assert again.status_code == 303 and again.headers["location"] == job_url
        await _wait(ada, job_url, "published")
        assert await WebPost.filter(target_id=target_id).count() == 1

        # Mark as posted: published, audited with the person
        await _make_unknown(target_id)
        marked = await ada.post(
            f"/brands/{brand_id}/targets/{target_id}/mark-posted",
            data={"csrf_token": token, "url": "https://example.com/p/1"},
        )
        assert marked.status_code == 303
        target = await PublishTarget.get(id=target_id)
        assert target.status == TargetStatus.PUBLISHED and target.error == ""
        assert target.external_url == "https://example.com/p/1"
        assert (await PublishJob.get(id=target.job_id)).status == "published"
        row = await AuditLog.filter(action="target.marked_posted").order_by("-id").first()
        assert row is not None and row.actor_id is not None and row.brand_id == brand_id
        assert row.details["url"] == "https://example.com/p/1"

        # a second press: the page says why, nothing changes
        twice = await ada.post(
            f"/brands/{brand_id}/targets/{target_id}/mark-posted", data={"csrf_token": token}
        )
        assert twice.status_code in (303, 409)
        assert (await PublishTarget.get(id=target_id)).status == TargetStatus.PUBLISHED


async def test_api_mark_posted_and_retry(settings: Settings, tmp_path) -> None:
    async with running_app(settings) as app:
        owner, key = await user_with_key("owner@example.com")
        approver, approver_key = await user_with_key("approver@example.com")
        brand = await create_brand(owner, "Rye", origin="test")
        await BrandMember.create(brand=brand, user=approver, role=Role.APPROVER)
        async with api_client(app, key) as api, api_client(app, approver_key) as other:
            image = make_jpeg(tmp_path / "b.jpg")
            asset = (
                await api.post(
                    f"/api/v1/brands/{brand.id}/assets",
                    files={"file": ("b.jpg", image.read_bytes())},
                )
            ).json()
            job = (
                await api.post(f"/api/v1/assets/{asset['id']}/publish", json={"platforms": ["web"]})
            ).json()

            async def published() -> dict | None:
                shown = (await api.get(f"/api/v1/jobs/{job['id']}")).json()
                return shown if shown["status"] == "published" else None

            job = await until(published, "the job to be published")
            target_id = job["targets"][0]["id"]
            await _make_unknown(target_id)
            shown = (await api.get(f"/api/v1/jobs/{job['id']}")).json()
            assert shown["targets"][0]["status"] == "unknown"
            assert shown["targets"][0]["error"].startswith("Unknown: check the")

            refused = await other.post(f"/api/v1/targets/{target_id}/mark-posted")
            assert refused.status_code == 403 and refused.json()["detail"]
            bad = await api.post(
                f"/api/v1/targets/{target_id}/mark-posted", json={"url": "javascript:alert(1)"}
            )
            assert bad.status_code == 422 and bad.json()["detail"]
            done = await api.post(f"/api/v1/targets/{target_id}/mark-posted")
            assert done.status_code == 200 and done.json()["status"] == "published"
            again = await api.post(f"/api/v1/targets/{target_id}/mark-posted")
            assert again.status_code == 409 and "no longer waiting" in again.json()["detail"]

            await _make_unknown(target_id)
            retried = await api.post(f"/api/v1/targets/{target_id}/retry")
            assert retried.status_code == 202 and retried.json()["status"] == "pending"
            assert await AuditLog.filter(action="target.publish_again", actor_id=owner.id).exists()
