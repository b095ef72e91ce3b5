"""The OpenAPI document tells the truth: one error body (`ApiError`) and every status a
route can answer, so a client generated from `/openapi.json` handles every refusal.

Routes declare what only they answer with `responses=refusals(403, 409)`; what follows
from a route's shape is added here, in one place, for all of them:
- a security requirement (the API key) → 401;
- a path parameter → 404 (no such object, or another brand's);
- any parameter or body → 422, FastAPI's own list-shaped 422 replaced by ours;
- a JSON body → 400 (not readable as JSON text); any body → 413 (over the body cap).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from webapp.errors import HTTP_METHODS, ApiError

ERROR_REF = {"$ref": "#/components/schemas/ApiError"}
DESCRIPTIONS = {
    400: "The request cannot be read (a body that is not well-formed, a header out of range).",
    401: "No valid API key: send `Authorization: Bearer <key>`.",
    403: "The key's user lacks the role this needs in the brand.",
    404: "No such object, or it belongs to a brand the user is not a member of.",
    409: "The request conflicts with the current state (the detail says which).",
    413: "The request or the file is larger than its limit, or the brand's storage is full.",
    422: "The request does not fit the schema (`code` `invalid_request`, with `errors`), or "
    "its content cannot be used (the detail says why).",
    429: "Too many requests: try again after `Retry-After` seconds.",
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for the error statuses a route answers beyond the automatic ones."""
    return {status: {"description": DESCRIPTIONS[status]} for status in statuses}


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document at `/openapi.json` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def complete(doc: dict[str, Any]) -> dict[str, Any]:
    """Add `ApiError` and the automatic statuses to FastAPI's document; drop its 422 body."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    error = ApiError.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error.pop("$defs", {}))
    schemas["ApiError"] = error
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for item in doc.get("paths", {}).values():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                _complete_operation(operation)
    return doc


def _automatic(operation: dict[str, Any]) -> set[int]:
    params = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    statuses = set()
    if operation.get("security"):
        statuses.add(401)
    if any(p.get("in") == "path" for p in params):
        statuses.add(404)
    if params or body:
        statuses.add(422)
    if body:
        statuses.add(413)
    if "application/json" in body:
        statuses.add(400)
    return statuses


def _complete_operation(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status in _automatic(operation):
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
    for status, response in responses.items():
        if not str(status).startswith("4"):
            continue
        content = response.get("content")
        if not content or _fastapi_default(content):
            response["content"] = {"application/json": {"schema": ERROR_REF}}
            if response.get("description") == "Validation Error":
                response["description"] = DESCRIPTIONS[422]


def _fastapi_default(content: dict[str, Any]) -> bool:
    """FastAPI's own error body (HTTPValidationError) or an empty placeholder schema."""
    schema = content.get("application/json", {}).get("schema")
    return list(content) == ["application/json"] and (
        not schema or schema.get("$ref", "").endswith("/HTTPValidationError")
    )
