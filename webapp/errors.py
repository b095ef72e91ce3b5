"""The one place where errors become HTTP answers: JSON `{"detail", "code", "errors"?}`.

`detail` is for a person (plain words), `code` a stable identifier for programs, `errors`
(request validation only) names each field that did not fit. `ApiError` is that body in
the OpenAPI document (webapp/openapi.py declares it on every route).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.exceptions import HTTPException

from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    MediaRejected,
    NotFound,
    OneClickError,
    RateLimited,
    TooLarge,
)

STATUS = [
    (NotFound, 404),
    (Forbidden, 403),
    (TooLarge, 413),
    (InvalidInput, 422),
    (Conflict, 409),
    (RateLimited, 429),
]
# the `code` of an answer: by core error class first, else by HTTP status
CLASS_CODES = [
    (NotFound, "not_found"),
    (Forbidden, "forbidden"),
    (TooLarge, "too_large"),
    (MediaRejected, "media_rejected"),
    (InvalidInput, "invalid_input"),
    (Conflict, "conflict"),
    (RateLimited, "rate_limited"),
]
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    503: "unavailable",
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
INVALID_REQUEST = "invalid_request"  # the request does not fit the OpenAPI schema
ERROR_CODES = sorted(
    {*STATUS_CODES.values(), *(c for _, c in CLASS_CODES), INVALID_REQUEST, "error"}
)


class FieldError(BaseModel):
    """One part of a request that does not fit the schema."""

    loc: list[str | int] = Field(description='Where: e.g. ["body", "platforms", 0].')
    msg: str = Field(description="What is wrong with it.")


class ApiError(BaseModel):
    """Every error answer of the API."""

    detail: str = Field(description="What went wrong, in plain words for a person.")
    code: str = Field(
        description="A stable identifier of the kind of error, for programs.",
        json_schema_extra={"enum": [*ERROR_CODES]},
    )
    errors: list[FieldError] | SkipJsonSchema[None] = Field(
        default=None, description="Request validation only: each part that does not fit."
    )


def code_for_status(status: int) -> str:
    """The `code` of an error answer with this HTTP status."""
    return STATUS_CODES.get(status, "error")


def error_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error answer of the API: the one shape `ApiError`."""
    body = ApiError(detail=detail, code=code or code_for_status(status), errors=errors)
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status,
        headers=dict(headers) if headers else None,
    )


def status_for(exc: OneClickError) -> int:
    """The HTTP status of a core error."""
    for cls, code in STATUS:
        if isinstance(exc, cls):
            return code
    return 400


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists for this request's path (all its routes)."""
    methods: set[str] = set()
    for template, item in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in item if m in HTTP_METHODS}
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors everywhere: core errors, validation errors, HTTP errors (401, 404, 405…)."""

    @app.exception_handler(OneClickError)
    async def _core_error(request: Request, exc: OneClickError) -> JSONResponse:
        wait = exc.retry_after if isinstance(exc, RateLimited) else None
        headers = {"Retry-After": str(int(wait))} if wait else None
        status = status_for(exc)
        code = next((c for cls, c in CLASS_CODES if isinstance(exc, cls)), None)
        return error_response(status, exc.user_message, code=code, headers=headers)

    @app.exception_handler(OverflowError)
    async def _huge_id(request: Request, exc: OverflowError) -> JSONResponse:
        # an id beyond the database's integer range cannot exist
        return error_response(404, "Not found.")

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code < 400:
            return await http_exception_handler(request, exc)
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and (methods := allowed_methods(request)):
            headers["Allow"] = ", ".join(methods)  # every route of the path, not the first
        return error_response(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        fields = [
            FieldError(
                loc=[p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
                msg=str(e.get("msg")),
            )
            for e in exc.errors()
        ]
        return error_response(
            422, "Invalid request: " + "; ".join(problems), code=INVALID_REQUEST, errors=fields
        )
