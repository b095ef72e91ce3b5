"""The inbox: a brand's assets, uploading from a browser, and one asset's page."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from core import notify, quota
from core.errors import InvalidInput, NotFound
from core.intake import ingest_media
from core.models import (
    AccountStatus,
    AdaptedCaption,
    Brand,
    JobStatus,
    MediaAsset,
    Role,
    SocialAccount,
    User,
)
from core.publishing import create_job, default_platforms, existing_job
from core.tenancy import BrandScope
from tasks.publish import start_job
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, brand_and_role, flash, redirect, render, wants_json
from webapp.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    WebUser,
    csrf_token,
    require_csrf,
    require_csrf_header,
)
from webapp.upload import check_declared_size, read_upload

router = APIRouter(route_class=WebRoute, include_in_schema=False)
INBOX_SIZE = 100


async def usable_platforms(brand_id: int, services: ServicesDep) -> list[tuple[str, str]]:
    """(platform, label) of the brand's connected networks, in registry order."""
    connected = set(await SocialAccount.filter(brand_id=brand_id).exclude(
        status=AccountStatus.DISCONNECTED).values_list("platform", flat=True))
    return [(p, services.connectors.get(p).label) for p in services.connectors.platforms()
            if p in connected]


async def scoped_asset(user: User, brand_id: int, asset_id: int
                       ) -> tuple[BrandScope, Brand, Role, MediaAsset]:
    """The brand and one of its assets; NotFound for anything outside the user's brands."""
    scope, brand, role = await brand_and_role(user, brand_id)
    asset = await scope.asset(asset_id)
    if asset.brand_id != brand.id:
        raise NotFound("Asset not found.")
    return scope, brand, role, asset


async def _preview_source(asset: MediaAsset) -> MediaAsset:
    if asset.file_path:
        return asset
    child = await MediaAsset.filter(parent_id=asset.id, deleted_at__isnull=True).order_by(
        "position", "id").first()
    return child or asset


@router.get("/brands/{brand_id}/inbox")
async def inbox_page(request: Request, brand_id: int, user: WebUser) -> Response:
    """The brand's assets, newest first, and the upload area."""
    scope, brand, role = await brand_and_role(user, brand_id)
    assets = await scope.assets(brand).order_by("-created_at", "-id").limit(INBOX_SIZE)
    previews = {a.id: await _preview_source(a) for a in assets}
    return render(request, "pages/inbox.html", brand=brand, assets=assets, previews=previews,
                  can_upload=role != Role.APPROVER)


@router.post("/brands/{brand_id}/upload")
async def upload(request: Request, brand_id: int, user: WebUser,
                 services: ServicesDep) -> Response:
    """A browser upload (streamed to disk). Its origin is proved before the body is read: by
    the X-CSRF-Token header, or by the CSRF field as the form's first part."""
    _, brand, _ = await brand_and_role(user, brand_id, Role.EDITOR)
    csrf = None
    if request.headers.get(CSRF_HEADER) is not None:
        await require_csrf_header(request)
    else:
        csrf = (CSRF_FIELD, csrf_token(request))
    declared = check_declared_size(request, services.settings)
    await quota.check_quota(services.settings, brand_id=brand.id, incoming=declared or 0)
    form = await read_upload(request, services.settings, csrf=csrf)
    assert form.file is not None
    asset = await ingest_media(services.settings, brand=brand, chunks=form.file,
                               file_name=form.file_name, caption=form.fields.get("caption", ""),
                               actor=user, origin="web")
    await notify.inbox_item(asset)
    url = f"/brands/{brand.id}/assets/{asset.id}"
    if request.headers.get(CSRF_HEADER) or wants_json(request):
        return JSONResponse({"id": asset.id, "kind": asset.kind.value, "url": url},
                            status_code=201)
    return Response(status_code=303, headers={"location": url})


@router.get("/brands/{brand_id}/assets/{asset_id}/file")
async def asset_file(brand_id: int, asset_id: int, user: WebUser) -> Response:
    """The original file of an asset (the first item of a carousel), for previews."""
    _, _, _, asset = await scoped_asset(user, brand_id, asset_id)
    source = await _preview_source(asset)
    if not source.file_path or not await asyncio.to_thread(Path(source.file_path).is_file):
        raise NotFound("The file of this asset is gone.")
    return FileResponse(source.file_path, media_type=source.mime_type or None,
                        headers={"Cache-Control": "private, max-age=3600"})


@router.get("/brands/{brand_id}/assets/{asset_id}")
async def asset_page(request: Request, brand_id: int, asset_id: int, user: WebUser,
                     services: ServicesDep) -> Response:
    """One asset: preview, captions per network, network choice and Publish."""
    _, brand, role, asset = await scoped_asset(user, brand_id, asset_id)
    platforms = await usable_platforms(brand.id, services)
    captions = {c.platform: c for c in await AdaptedCaption.filter(asset_id=asset.id)}
    rules = services.captions.rules
    limits = {p: rules[p].caption_max for p, _ in platforms if p in rules}
    selected = default_platforms(asset, [p for p, _ in platforms])
    return render(request, "pages/asset.html", brand=brand, asset=asset,
                  preview=await _preview_source(asset), platforms=platforms, captions=captions,
                  selected=selected,
                  limits=limits, nonce=secrets.token_urlsafe(16),
                  can_publish=role != Role.APPROVER, error=None)


class CaptionsIn(BaseModel):
    """Which networks to make captions for; `regenerate` remakes them, with a hint."""

    platforms: list[str] = Field(min_length=1, max_length=20)
    hint: str | None = Field(default=None, max_length=500)
    regenerate: bool = False


@router.post("/brands/{brand_id}/assets/{asset_id}/captions.json",
             dependencies=[Depends(require_csrf_header)])
async def asset_captions(brand_id: int, asset_id: int, body: CaptionsIn, user: WebUser,
                         services: ServicesDep) -> dict[str, Any]:
    """The caption per network (made once and stored; a preview until published)."""
    _, brand, _, asset = await scoped_asset(user, brand_id, asset_id)
    await BrandScope(user).brand(brand.id, min_role=Role.EDITOR)
    for platform in body.platforms:
        services.connectors.get(platform)
    made = await services.captions.adapt(asset, body.platforms, hint=body.hint,
                                         regenerate=body.regenerate, actor=user, origin="web")
    rules = services.captions.rules
    return {"captions": [
        {"platform": p, "label": rules[p].label, "text": c.text, "max": rules[p].caption_max,
         "is_fallback": c.is_fallback, "is_override": c.is_override, "adapter": c.adapter,
         "note": getattr(c, "note", None) or ""}
        for p, c in made.items()]}


@router.post("/brands/{brand_id}/assets/{asset_id}/publish", dependencies=[Depends(require_csrf)])
async def publish(request: Request, brand_id: int, asset_id: int, user: WebUser,
                  services: ServicesDep) -> Response:
    """Publish to the ticked networks with the captions as edited; one job per form nonce."""
    scope, brand, _, asset = await scoped_asset(user, brand_id, asset_id)
    await scope.brand(brand.id, min_role=Role.EDITOR)
    form = await request.form()
    nonce = str(form.get("nonce") or "")[:64]
    key = f"web:{user.id}:{nonce}" if nonce else None
    job = await existing_job(key, brand_id=brand.id)
    if job is None:
        chosen = [str(p) for p in form.getlist("platforms")]
        if not chosen:
            raise InvalidInput("Tick at least one network to publish to.")
        for platform in chosen:
            services.connectors.get(platform)
        stored = {c.platform: c.text for c in await AdaptedCaption.filter(
            asset_id=asset.id, platform__in=chosen)}
        overrides: dict[str, str] = {}
        for platform in chosen:
            text = str(form.get(f"caption_{platform}") or "").strip()
            if text and text != stored.get(platform, "").strip():
                await services.captions.set_override(asset, platform, text, actor=user,
                                                     origin="web")
                overrides[platform] = text
        captions = await services.captions.captions_for_publish(asset, chosen, overrides)
        job, created = await create_job(
            scope, asset=asset, platforms=chosen, known_platforms=services.connectors.platforms(),
            captions=captions, origin="web", idempotency_key=key)
        if created and job.status == JobStatus.RUNNING:
            await start_job(job.id)
        if created and job.status == JobStatus.AWAITING_APPROVAL:
            flash(request, "Sent for approval: an approver of the brand must OK it first.")
    return redirect(f"/brands/{brand.id}/jobs/{job.id}")
