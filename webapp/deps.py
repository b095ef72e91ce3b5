"""FastAPI dependency aliases: services, the API user and their brand scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.models import User
from core.tenancy import BrandScope
from core.users import user_for_api_key
from oneclick.services import Services

_bearer = HTTPBearer(auto_error=False, description="An API key from `oneclick apikey create`.")


def services_dep(request: Request) -> Services:
    """The services the app's lifespan opened (`app.state.services`)."""
    services: Services = request.app.state.services
    return services


async def api_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user behind the bearer API key; 401 otherwise."""
    user = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        user = await user_for_api_key(credentials.credentials)
    if user is None:
        raise HTTPException(
            401,
            "A valid API key is required (Authorization: Bearer <key>).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.user = user
    return user


def api_scope(user: Annotated[User, Depends(api_user)]) -> BrandScope:
    """The brand scope of the API user."""
    return BrandScope(user)


ServicesDep = Annotated[Services, Depends(services_dep)]
ApiUser = Annotated[User, Depends(api_user)]
ScopeDep = Annotated[BrandScope, Depends(api_scope)]
