"""The one role table: which brand roles may take which action, in every front end."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from core.errors import Forbidden
from core.models import Role


class Action(StrEnum):
    """Something a member of a brand may be allowed to do."""

    VIEW = "view"
    UPLOAD = "upload"
    EDIT = "edit"
    PUBLISH = "publish"
    RETRY = "retry"
    APPROVE = "approve"
    SYNC = "sync"
    CONNECT = "connect"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_MEMBERS = "manage_members"
    LINK_CHAT = "link_chat"  # issue a link code; unlinking a chat is MANAGE_MEMBERS
    DELETE_BRAND = "delete_brand"


_EVERYONE = frozenset(Role)
_EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
_APPROVERS = frozenset({Role.OWNER, Role.ADMIN, Role.APPROVER})
_ADMINS = frozenset({Role.OWNER, Role.ADMIN})

#: owner: everything; admin: members, connections, settings and all an editor may;
#: editor: upload, edit captions, publish or schedule (a request when the brand requires
#: approval); approver: read, approve or reject — no upload, no publish.
ROLE_TABLE: Mapping[Action, frozenset[Role]] = {
    Action.VIEW: _EVERYONE,
    Action.UPLOAD: _EDITORS,
    Action.EDIT: _EDITORS,
    Action.PUBLISH: _EDITORS,
    Action.RETRY: _EDITORS,
    Action.APPROVE: _APPROVERS,
    Action.SYNC: _EDITORS,
    Action.CONNECT: _ADMINS,
    Action.MANAGE_SETTINGS: _ADMINS,
    Action.MANAGE_MEMBERS: _ADMINS,
    Action.LINK_CHAT: _EDITORS,
    Action.DELETE_BRAND: frozenset({Role.OWNER}),
}

_REFUSALS: Mapping[Action, str] = {
    Action.UPLOAD: "Only the brand's editors can add media.",
    Action.EDIT: "Only the brand's editors can change captions.",
    Action.PUBLISH: "Only the brand's editors can publish.",
    Action.RETRY: "Only the brand's editors can retry or re-publish a post.",
    Action.APPROVE: "Only the brand's approvers can approve or reject.",
    Action.SYNC: "Only the brand's editors can sync a connected account.",
    Action.CONNECT: "Only the brand's owner or admins can change its connections.",
    Action.MANAGE_SETTINGS: "Only the brand's owner or admins can change its settings.",
    Action.MANAGE_MEMBERS: "Only the brand's owner or admins can manage its members.",
    Action.LINK_CHAT: "Only the brand's editors can link a chat (admins unlink them).",
    Action.DELETE_BRAND: "Only the brand's owner can delete it.",
}


def allows(role: Role | str, action: Action) -> bool:
    """Whether a member with `role` may take `action`."""
    return Role(role) in ROLE_TABLE[action]


def require(role: Role | str, action: Action) -> None:
    """`Forbidden` (with the reason in plain words) unless `role` may take `action`."""
    if not allows(role, action):
        raise Forbidden(_REFUSALS.get(action, "You are not allowed to do that."))


def allowed_actions(role: Role | str) -> frozenset[Action]:
    """Every action `role` may take (front ends show only these buttons)."""
    return frozenset(a for a in Action if allows(role, a))
