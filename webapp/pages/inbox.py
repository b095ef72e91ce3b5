"""The inbox: a brand's assets, uploading from a browser, and one asset's page."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from core.app.actor import Actor
from core.app.roles import Action
from core.columns import column
from core.errors import NotFound
from core.models import AccountStatus, AdaptedCaption, Brand, MediaAsset, SocialAccount
from core.ports.media_store import kept_file
from core.publishing import default_platforms
from webapp.actors import WebActor
from webapp.deps import ServicesDep
from webapp.pages.common import WebRoute, brand_view, flash, redirect, render, wants_json
from webapp.session import CSRF_FIELD, CSRF_HEADER, csrf_token, require_csrf, require_csrf_header
from webapp.upload import check_declared_size, read_upload

router = APIRouter(route_class=WebRoute, include_in_schema=False)
INBOX_SIZE = 100


async def usable_platforms(brand_id: int, services: ServicesDep) -> list[tuple[str, str]]:
    """(platform, label) of the brand's connected networks, in registry order."""
    connected = set(
        await column(
            SocialAccount.filter(brand_id=brand_id)
            .exclude(status=AccountStatus.DISCONNECTED)
            .values_list("platform", flat=True),
            str,
        )
    )
    return [
        (p, services.connectors.get(p).label)
        for p in services.connectors.platforms()
        if p in connected
    ]


async def scoped_asset(
    actor: Actor, brand_id: int, asset_id: int
) -> tuple[Brand, frozenset[Action], MediaAsset]:
    """The brand, what the person may do in it and one of its assets; NotFound for anything
    outside the person's brands."""
    brand, actions = await brand_view(actor, brand_id)
    asset = await actor.scope.asset(asset_id)
    if asset.brand_id != brand.id:
        raise NotFound("Asset not found.")
    return brand, actions, asset


async def _preview_source(asset: MediaAsset) -> MediaAsset:
    if asset.file_path:
        return asset
    child = (
        await MediaAsset.filter(parent_id=asset.id, deleted_at__isnull=True)
        .order_by("position", "id")
        .first()
    )
    return child or asset


@router.get("/brands/{brand_id}/inbox")
async def inbox_page(request: Request, brand_id: int, actor: WebActor) -> Response:
    """The brand's assets, newest first, and the upload area."""
    brand, actions = await brand_view(actor, brand_id)
    assets = await actor.scope.assets(brand).order_by("-created_at", "-id").limit(INBOX_SIZE)
    previews = {a.id: await _preview_source(a) for a in assets}
    return render(
        request, "pages/inbox.html", brand=brand, assets=assets, previews=previews, actions=actions
    )


@router.post("/brands/{brand_id}/upload")
async def upload(
    request: Request, brand_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """A browser upload (streamed to disk). Its origin is proved before the body is read: by
    the X-CSRF-Token header, or by the CSRF field as the form's first part."""
    await actor.may(brand_id, Action.UPLOAD)
    csrf = None
    if request.headers.get(CSRF_HEADER) is not None:
        await require_csrf_header(request)
    else:
        csrf = (CSRF_FIELD, csrf_token(request))
    declared = check_declared_size(request, services.settings)
    await services.assets.check_room(actor, brand_id=brand_id, incoming=declared or 0)
    form = await read_upload(request, services.settings, csrf=csrf)
    assert form.file is not None
    asset = await services.assets.upload(
        actor,
        brand_id=brand_id,
        chunks=form.file,
        file_name=form.file_name,
        caption=form.fields.get("caption", ""),
    )
    url = f"/brands/{asset.brand_id}/assets/{asset.id}"
    if request.headers.get(CSRF_HEADER) or wants_json(request):
        return JSONResponse({"id": asset.id, "kind": asset.kind.value, "url": url}, status_code=201)
    return Response(status_code=303, headers={"location": url})


@router.get("/brands/{brand_id}/assets/{asset_id}/file")
async def asset_file(
    brand_id: int, asset_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """The original file of an asset (the first item of a carousel), for previews."""
    _, _, asset = await scoped_asset(actor, brand_id, asset_id)
    source = await _preview_source(asset)
    path = await kept_file(services.media, source.file_path)
    if path is None:
        raise NotFound("The file of this asset is gone.")
    return FileResponse(
        path,
        media_type=source.mime_type or None,
        headers={"Cache-Control": "private, max-age=3600"},
    )


@router.get("/brands/{brand_id}/assets/{asset_id}")
async def asset_page(
    request: Request, brand_id: int, asset_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """One asset: preview, captions per network, network choice and Publish."""
    brand, actions, asset = await scoped_asset(actor, brand_id, asset_id)
    platforms = await usable_platforms(brand.id, services)
    captions = {c.platform: c for c in await AdaptedCaption.filter(asset_id=asset.id)}
    rules = services.captions.rules
    limits = {p: rules[p].caption_max for p, _ in platforms if p in rules}
    selected = default_platforms(asset, [p for p, _ in platforms])
    return render(
        request,
        "pages/asset.html",
        brand=brand,
        asset=asset,
        preview=await _preview_source(asset),
        platforms=platforms,
        captions=captions,
        selected=selected,
        limits=limits,
        nonce=secrets.token_urlsafe(16),
        actions=actions,
        error=None,
    )


class CaptionsIn(BaseModel):
    """Which networks to make captions for; `regenerate` remakes them, with a hint."""

    platforms: list[str] = Field(min_length=1, max_length=20)
    hint: str | None = Field(default=None, max_length=500)
    regenerate: bool = False


@router.post(
    "/brands/{brand_id}/assets/{asset_id}/captions.json",
    dependencies=[Depends(require_csrf_header)],
)
async def asset_captions(
    brand_id: int, asset_id: int, body: CaptionsIn, actor: WebActor, services: ServicesDep
) -> dict[str, Any]:
    """The caption per network (made once and stored; a preview until published)."""
    _, _, asset = await scoped_asset(actor, brand_id, asset_id)
    made = await services.assets.adapt(
        actor,
        asset_id=asset.id,
        platforms=body.platforms,
        hint=body.hint,
        regenerate=body.regenerate,
    )
    rules = services.captions.rules
    return {
        "captions": [
            {
                "platform": p,
                "label": rules[p].label,
                "text": c.text,
                "max": rules[p].caption_max,
                "is_fallback": c.is_fallback,
                "is_override": c.is_override,
                "adapter": c.adapter,
                "note": getattr(c, "note", None) or "",
            }
            for p, c in made.items()
        ]
    }


@router.post("/brands/{brand_id}/assets/{asset_id}/publish", dependencies=[Depends(require_csrf)])
async def publish(
    request: Request, brand_id: int, asset_id: int, actor: WebActor, services: ServicesDep
) -> Response:
    """Publish to the ticked networks with the captions as edited; one job per form nonce."""
    brand, _, asset = await scoped_asset(actor, brand_id, asset_id)
    form = await request.form()
    nonce = str(form.get("nonce") or "")[:64]
    chosen = [str(p) for p in form.getlist("platforms")]
    result = await services.publishing.publish(
        actor,
        asset_id=asset.id,
        platforms=chosen,
        captions={p: str(form.get(f"caption_{p}") or "").strip() for p in chosen},
        keep_edits=True,
        idempotency_key=f"web:{actor.user.id}:{nonce}" if nonce else None,
    )
    if result.created and result.awaiting_approval:
        flash(request, "Sent for approval: an approver of the brand must OK it first.")
    return redirect(f"/brands/{brand.id}/jobs/{result.job.id}")
