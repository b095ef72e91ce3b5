"""Assets: upload, inbox, one asset, caption previews and publishing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from core import notify
from core.intake import ingest_media
from core.models import AdaptedCaption, PublishTarget, Role, TranscodedMedia
from core.publishing import create_job, existing_job
from core.quota import check_quota
from tasks.publish import start_job
from webapp.api.schemas import AssetOut, CaptionOut, CaptionsIn, JobOut, PublishIn
from webapp.deps import ScopeDep, ServicesDep
from webapp.upload import check_declared_size, read_upload

router = APIRouter(tags=["assets"])
MAX_IDEMPOTENCY_KEY = 128
BAD_KEY = (f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters "
           "(a UUID is a good choice).")


def valid_idempotency_key(key: str) -> bool:
    """Whether a client's Idempotency-Key is usable: short, visible ASCII, not blank."""
    return 0 < len(key) <= MAX_IDEMPOTENCY_KEY and all(33 <= ord(c) < 127 for c in key)


@router.post("/api/v1/brands/{brand_id}/assets", response_model=AssetOut, status_code=201,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": {
                     "type": "object", "required": ["file"],
                     "properties": {"file": {"type": "string", "format": "binary"},
                                    "caption": {"type": "string"}}}}}}})
async def upload_asset(brand_id: int, request: Request, scope: ScopeDep,
                       services: ServicesDep) -> AssetOut:
    """Upload a photo or video (multipart `file`, optional `caption`) into the inbox."""
    brand = await scope.brand(brand_id, min_role=Role.EDITOR)
    declared = check_declared_size(request, services.settings)
    await check_quota(services.settings, brand_id=brand.id, incoming=declared or 0)
    form = await read_upload(request, services.settings)
    assert form.file is not None
    asset = await ingest_media(services.settings, brand=brand, chunks=form.file,
                               file_name=form.file_name, caption=form.fields.get("caption", ""),
                               actor=scope.user, origin="api")
    await notify.inbox_item(asset)
    return AssetOut.of(asset)


@router.get("/api/v1/brands/{brand_id}/assets", response_model=list[AssetOut])
async def list_assets(brand_id: int, scope: ScopeDep, limit: int = 50,
                      offset: int = 0) -> list[AssetOut]:
    """The brand's inbox, newest first."""
    brand = await scope.brand(brand_id)
    limit = max(1, min(limit, 200))
    assets = await scope.assets(brand).order_by("-created_at", "-id").offset(
        max(offset, 0)).limit(limit)
    return [AssetOut.of(a) for a in assets]


@router.get("/api/v1/assets/{asset_id}", response_model=AssetOut)
async def get_asset(asset_id: int, scope: ScopeDep) -> AssetOut:
    """One asset with its captions and transcodes."""
    asset = await scope.asset(asset_id)
    captions = await AdaptedCaption.filter(asset_id=asset.id).order_by("platform")
    transcodes = await TranscodedMedia.filter(asset_id=asset.id).order_by("profile")
    return AssetOut.of(asset, captions, transcodes)


@router.post("/api/v1/assets/{asset_id}/captions", response_model=list[CaptionOut])
async def adapt_captions(asset_id: int, body: CaptionsIn, scope: ScopeDep,
                         services: ServicesDep) -> list[CaptionOut]:
    """The adapted caption per platform (a preview; stored for publishing)."""
    asset = await scope.asset(asset_id)
    await scope.brand(asset.brand_id, min_role=Role.EDITOR)
    for platform in body.platforms:
        services.connectors.get(platform)
    captions = await services.captions.adapt(asset, body.platforms, hint=body.hint,
                                             regenerate=body.regenerate, actor=scope.user,
                                             origin="api")
    return [CaptionOut.of(captions[p]) for p in body.platforms if p in captions]


@router.post("/api/v1/assets/{asset_id}/publish", response_model=JobOut, status_code=202)
async def publish_asset(
    asset_id: int, body: PublishIn, scope: ScopeDep, services: ServicesDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Publish the asset to the platforms: 202 with the job (same key, same job)."""
    if idempotency_key is not None and not valid_idempotency_key(idempotency_key):
        return JSONResponse({"detail": BAD_KEY}, status_code=400)
    asset = await scope.asset(asset_id)
    await scope.brand(asset.brand_id, min_role=Role.EDITOR)
    known = services.connectors.platforms()
    for platform in body.platforms:
        services.connectors.get(platform)
    key = f"api:{scope.user.id}:{idempotency_key}" if idempotency_key else None
    job = await existing_job(key, brand_id=asset.brand_id)
    created = False
    if job is None:
        captions = await services.captions.captions_for_publish(asset, body.platforms,
                                                                body.captions)
        job, created = await create_job(
            scope, asset=asset, platforms=body.platforms, known_platforms=known,
            captions=captions, origin="api", publish_at=body.publish_at, idempotency_key=key)
    if created and job.status == "running":
        await start_job(job.id)
    targets = await PublishTarget.filter(job_id=job.id).order_by("id")
    out = JobOut.of(job, targets)
    return JSONResponse(out.model_dump(mode="json"), status_code=202 if created else 200)
