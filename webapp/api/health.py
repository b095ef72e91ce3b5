"""`/healthz`: liveness, database and queue reachability."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from core.db import ping
from webapp.deps import ServicesDep

router = APIRouter(tags=["health"])


class Queue(BaseModel):
    """The job queue: in this process, or Redis."""

    kind: Literal["in-process", "redis"]
    status: Literal["ok", "unreachable"]


class Health(BaseModel):
    """Whether the database and the queue answer."""

    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
    queue: Queue


async def _queue_ok(redis_url: str | None) -> tuple[bool, str]:
    if not redis_url:
        return True, "in-process"
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False, "redis"
    finally:
        await client.aclose()
    return True, "redis"


@router.get(
    "/healthz",
    responses={
        200: {"model": Health, "description": "The database and the queue answer."},
        503: {"model": Health, "description": "The database or the queue does not answer."},
    },
)
async def healthz(services: ServicesDep) -> JSONResponse:
    """200 when the database and the queue answer, 503 otherwise."""
    db_ok = await ping()
    queue_ok, queue_kind = await _queue_ok(services.settings.redis_url)
    body = {
        "status": "ok" if db_ok and queue_ok else "degraded",
        "database": "ok" if db_ok else "unreachable",
        "queue": {"kind": queue_kind, "status": "ok" if queue_ok else "unreachable"},
    }
    return JSONResponse(body, status_code=200 if db_ok and queue_ok else 503)
