"""Assets: upload, inbox, one asset, caption previews and publishing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from core.app.roles import Action
from core.intake import EXTENSIONS, MAX_CAPTION
from core.models import AdaptedCaption, PublishTarget, TranscodedMedia
from webapp.actors import ApiActor
from webapp.api.schemas import AssetOut, CaptionOut, CaptionsIn, JobOut, PublishIn
from webapp.deps import ScopeDep, ServicesDep
from webapp.errors import error_response
from webapp.openapi import refusals
from webapp.upload import check_declared_size, read_upload

router = APIRouter(tags=["assets"])
MAX_IDEMPOTENCY_KEY = 128
BAD_KEY = (
    f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters "
    "(a UUID is a good choice)."
)


JOB_LINKS = {  # OpenAPI links: where a job's ids lead
    "GetJob": {
        "operationRef": "#/paths/~1api~1v1~1jobs~1{job_id}/get",
        "parameters": {"job_id": "$response.body#/id"},
    },
    "RetryTarget": {
        "operationRef": "#/paths/~1api~1v1~1targets~1{target_id}~1retry/post",
        "parameters": {"target_id": "$response.body#/targets/0/id"},
    },
    "MarkTargetPosted": {
        "operationRef": "#/paths/~1api~1v1~1targets~1{target_id}~1mark-posted/post",
        "parameters": {"target_id": "$response.body#/targets/0/id"},
    },
}


def valid_idempotency_key(key: str) -> bool:
    """Whether a client's Idempotency-Key is usable: short, visible ASCII, not blank."""
    return 0 < len(key) <= MAX_IDEMPOTENCY_KEY and all(33 <= ord(c) < 127 for c in key)


@router.post(
    "/api/v1/brands/{brand_id}/assets",
    response_model=AssetOut,
    status_code=201,
    responses=refusals(403),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "caption": {"type": "string", "maxLength": MAX_CAPTION},
                        },
                    },
                    "encoding": {"file": {"contentType": ", ".join(EXTENSIONS)}},
                }
            },
        }
    },
)
async def upload_asset(
    brand_id: int, request: Request, actor: ApiActor, services: ServicesDep
) -> AssetOut:
    """Upload a photo or video (multipart `file`, optional `caption`) into the inbox."""
    await actor.may(brand_id, Action.UPLOAD)
    declared = check_declared_size(request, services.settings)
    await services.assets.check_room(actor, brand_id=brand_id, incoming=declared or 0)
    form = await read_upload(request, services.settings)
    assert form.file is not None
    asset = await services.assets.upload(
        actor,
        brand_id=brand_id,
        chunks=form.file,
        file_name=form.file_name,
        caption=form.fields.get("caption", ""),
    )
    return AssetOut.of(asset)


@router.get("/api/v1/brands/{brand_id}/assets", response_model=list[AssetOut])
async def list_assets(
    brand_id: int, scope: ScopeDep, limit: int = 50, offset: int = 0
) -> list[AssetOut]:
    """The brand's inbox, newest first."""
    brand = await scope.brand(brand_id)
    limit = max(1, min(limit, 200))
    assets = (
        await scope.assets(brand).order_by("-created_at", "-id").offset(max(offset, 0)).limit(limit)
    )
    return [AssetOut.of(a) for a in assets]


@router.get("/api/v1/assets/{asset_id}", response_model=AssetOut)
async def get_asset(asset_id: int, scope: ScopeDep) -> AssetOut:
    """One asset with its captions and transcodes."""
    asset = await scope.asset(asset_id)
    captions = await AdaptedCaption.filter(asset_id=asset.id).order_by("platform")
    transcodes = await TranscodedMedia.filter(asset_id=asset.id).order_by("profile")
    return AssetOut.of(asset, captions, transcodes)


@router.post(
    "/api/v1/assets/{asset_id}/captions",
    response_model=list[CaptionOut],
    responses=refusals(403, 429),
)
async def adapt_captions(
    asset_id: int, body: CaptionsIn, actor: ApiActor, services: ServicesDep
) -> list[CaptionOut]:
    """The adapted caption per platform (a preview; stored for publishing)."""
    captions = await services.assets.adapt(
        actor,
        asset_id=asset_id,
        platforms=body.platforms,
        hint=body.hint,
        regenerate=body.regenerate,
    )
    return [CaptionOut.of(captions[p]) for p in body.platforms if p in captions]


@router.post(
    "/api/v1/assets/{asset_id}/publish",
    response_model=JobOut,
    status_code=202,
    responses={
        202: {"links": JOB_LINKS},
        200: {
            "model": JobOut,
            "links": JOB_LINKS,
            "description": "The job this Idempotency-Key already made (nothing new is published).",
        },
        **refusals(400, 403),
    },
)
async def publish_asset(
    asset_id: int,
    body: PublishIn,
    actor: ApiActor,
    services: ServicesDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Any 1 to 128 visible ASCII characters; a repeat returns the same job.",
            json_schema_extra={"pattern": f"^[!-~]{{1,{MAX_IDEMPOTENCY_KEY}}}$"},
        ),
    ] = None,
) -> JSONResponse:
    """Publish the asset to the platforms: 202 with the job (same key, same job)."""
    if idempotency_key is not None and not valid_idempotency_key(idempotency_key):
        return error_response(400, BAD_KEY)
    result = await services.publishing.publish(
        actor,
        asset_id=asset_id,
        platforms=body.platforms,
        captions=body.captions,
        publish_at=body.publish_at,
        idempotency_key=f"api:{actor.user.id}:{idempotency_key}" if idempotency_key else None,
    )
    targets = await PublishTarget.filter(job_id=result.job.id).order_by("id")
    out = JobOut.of(result.job, targets)
    return JSONResponse(out.model_dump(mode="json"), status_code=202 if result.created else 200)
