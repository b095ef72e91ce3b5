"""Who is acting, and through which front end: the first argument of every use case."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.app.roles import Action, allowed_actions, require
from core.models import Brand, Role, User
from core.tenancy import BrandScope


@dataclass(frozen=True)
class Actor:
    """A person acting through one front end (`origin`: web, api, telegram, slack, cli, promo)."""

    user: User
    origin: str
    scope: BrandScope = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scope", BrandScope(self.user))

    async def role(self, brand_id: int) -> Role:
        """The person's role in the brand (`NotFound` when not a member)."""
        return await self.scope.role(brand_id)

    async def may(self, brand_id: int, action: Action) -> Brand:
        """The brand, when the person may take `action` in it; `NotFound`/`Forbidden` otherwise."""
        require(await self.role(brand_id), action)
        return await Brand.get(id=brand_id)

    async def actions(self, brand_id: int) -> frozenset[Action]:
        """What the person may do in the brand (for showing only usable buttons)."""
        return allowed_actions(await self.role(brand_id))
