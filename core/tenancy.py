"""The one scoping layer: every read and write of brand data goes through a `BrandScope`.

A scope is keyed by the acting user. Anything outside the user's brands is
reported exactly like something that does not exist (`NotFound`).
"""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.columns import column
from core.errors import Forbidden, NotFound
from core.models import (
    Brand,
    BrandMember,
    MediaAsset,
    PublishJob,
    PublishTarget,
    Role,
    SocialAccount,
    User,
)

M = TypeVar("M", bound=Model)

_RANK = {Role.APPROVER: 0, Role.EDITOR: 1, Role.ADMIN: 2, Role.OWNER: 3}


class BrandScope:
    """What one user may see and change."""

    def __init__(self, user: User) -> None:
        self.user = user

    def _member_brand_ids(self) -> QuerySet[BrandMember]:
        return BrandMember.filter(user_id=self.user.id)

    async def brand_ids(self) -> list[int]:
        """Ids of every brand the user belongs to."""
        return await column(self._member_brand_ids().values_list("brand_id", flat=True), int)

    def brands(self) -> QuerySet[Brand]:
        """The user's brands, as a query."""
        return Brand.filter(members__user_id=self.user.id)

    async def role(self, brand_id: int) -> Role:
        """The user's role in a brand; NotFound when not a member."""
        member = await BrandMember.get_or_none(brand_id=brand_id, user_id=self.user.id)
        if member is None:
            raise NotFound("Brand not found.")
        return Role(member.role)

    async def brand(self, brand_id: int, *, min_role: Role = Role.APPROVER) -> Brand:
        """One brand of the user, checked against the role the action needs."""
        role = await self.role(brand_id)
        if _RANK[role] < _RANK[min_role]:
            raise Forbidden(f"This needs the {min_role.value} role in the brand.")
        return await Brand.get(id=brand_id)

    async def brand_by_slug(self, slug: str, *, min_role: Role = Role.APPROVER) -> Brand:
        """One brand of the user by its slug."""
        brand = await self.brands().get_or_none(slug=slug)
        if brand is None:
            raise NotFound("Brand not found.")
        return await self.brand(brand.id, min_role=min_role)

    async def _owned(self, query: QuerySet[M], label: str) -> M:
        obj = await query.filter(brand_id__in=await self.brand_ids()).first()
        if obj is None:
            raise NotFound(f"{label} not found.")
        return obj

    async def asset(self, asset_id: int) -> MediaAsset:
        """One live asset of one of the user's brands."""
        return await self._owned(MediaAsset.filter(id=asset_id, deleted_at__isnull=True), "Asset")

    def assets(self, brand: Brand) -> QuerySet[MediaAsset]:
        """The top-level live assets of a brand already resolved through this scope."""
        return MediaAsset.filter(brand_id=brand.id, parent_id__isnull=True, deleted_at__isnull=True)

    async def job(self, job_id: int) -> PublishJob:
        """One publish job of one of the user's brands."""
        return await self._owned(PublishJob.filter(id=job_id), "Job")

    async def target(self, target_id: int) -> PublishTarget:
        """One publish target of one of the user's brands."""
        return await self._owned(PublishTarget.filter(id=target_id), "Target")

    async def account(self, account_id: int) -> SocialAccount:
        """One connected account of one of the user's brands."""
        return await self._owned(SocialAccount.filter(id=account_id), "Account")


def can_approve(role: Role) -> bool:
    """Whether a role may approve publishing."""
    return role in (Role.OWNER, Role.ADMIN, Role.APPROVER)
