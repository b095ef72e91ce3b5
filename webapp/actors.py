"""FastAPI dependency aliases for the acting person: `WebActor` (pages), `ApiActor` (REST)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from core.app.actor import Actor
from webapp.deps import ApiUser
from webapp.session import WebUser


def web_actor(user: WebUser) -> Actor:
    """The signed-in person acting through the web pages."""
    return Actor(user, "web")


def api_actor(user: ApiUser) -> Actor:
    """The API key's owner acting through the REST API."""
    return Actor(user, "api")


WebActor = Annotated[Actor, Depends(web_actor)]
ApiActor = Annotated[Actor, Depends(api_actor)]
