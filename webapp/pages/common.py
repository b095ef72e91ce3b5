"""Shared bits of the server-rendered pages: templates, HTML error pages, brand lookup."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from core.app.actor import Actor
from core.app.roles import Action
from core.errors import OneClickError
from core.models import Brand
from webapp.errors import status_for
from webapp.session import csrf_token
from webapp.throttle import TooManyAttempts

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

STATUS_TITLES = {
    400: "Something is not right",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    422: "Please check the form",
    429: "Slow down",
}


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the signed-in user, CSRF token and flash message filled in."""
    flash = request.session.pop("flash", None) if "flash" in request.session else None
    base = {
        "user": getattr(request.state, "web_user", None),
        "csrf": csrf_token(request),
        "flash": flash,
        "path": request.url.path,
    }
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A one-time message shown on the next page."""
    request.session["flash"] = {"message": message, "kind": kind}


def redirect(url: str) -> RedirectResponse:
    """A POST-redirect-GET answer."""
    return RedirectResponse(url, status_code=303)


def wants_json(request: Request) -> bool:
    """Whether the caller is a fetch() wanting JSON rather than a page."""
    return "application/json" in request.headers.get("accept", "") or request.url.path.endswith(
        ".json"
    )


def error_page(request: Request, status: int, message: str) -> Response:
    """An HTML (or JSON, for fetch calls) error answer."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(
        request,
        "pages/error.html",
        status_code=status,
        status=status,
        title=STATUS_TITLES.get(status, "Something went wrong"),
        message=message,
    )


class WebRoute(APIRoute):
    """A page route: core errors and bad input become HTML error pages, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except OneClickError as exc:
                status = 429 if isinstance(exc, TooManyAttempts) else status_for(exc)
                return error_page(request, status, exc.user_message)
            except RequestValidationError as exc:
                fields = sorted({str(e.get("loc", ("", ""))[-1]) for e in exc.errors()})
                return error_page(
                    request, 422, "Please check these fields: " + ", ".join(fields) + "."
                )

        return page_handler


async def brand_view(actor: Actor, brand_id: int) -> tuple[Brand, frozenset[Action]]:
    """One of the person's brands (404 otherwise) and what the role table lets them do in it."""
    brand = await actor.may(brand_id, Action.VIEW)
    return brand, await actor.actions(brand_id)
