"""The one place where core errors become HTTP answers with a human `detail`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    OneClickError,
    RateLimited,
    TooLarge,
)

STATUS = [(NotFound, 404), (Forbidden, 403), (TooLarge, 413), (InvalidInput, 422),
          (Conflict, 409), (RateLimited, 429)]


def status_for(exc: OneClickError) -> int:
    """The HTTP status of a core error."""
    for cls, code in STATUS:
        if isinstance(exc, cls):
            return code
    return 400


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors everywhere: core errors, validation errors."""

    @app.exception_handler(OneClickError)
    async def _core_error(request: Request, exc: OneClickError) -> JSONResponse:
        wait = exc.retry_after if isinstance(exc, RateLimited) else None
        headers = {"Retry-After": str(int(wait))} if wait else None
        return JSONResponse({"detail": exc.user_message}, status_code=status_for(exc),
                            headers=headers)

    @app.exception_handler(OverflowError)
    async def _huge_id(request: Request, exc: OverflowError) -> JSONResponse:
        # an id beyond the database's integer range cannot exist
        return JSONResponse({"detail": "Not found."}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse({"detail": "Invalid request: " + "; ".join(problems),
                             "errors": [{"loc": e.get("loc"), "msg": e.get("msg")}
                                        for e in exc.errors()]}, status_code=422)
