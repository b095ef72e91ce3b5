"""Enumerations stored in the database."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role in a brand."""

    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    APPROVER = "approver"


class AccountStatus(StrEnum):
    """The health of a connected network account."""

    OK = "ok"
    NEEDS_RECONNECT = "needs_reconnect"
    DISCONNECTED = "disconnected"


class AssetSource(StrEnum):
    """Where a media asset came from."""

    UPLOAD = "upload"
    INSTAGRAM = "instagram"
    TELEGRAM = "telegram"
    SLACK = "slack"
    GENERATED = "generated"


class AssetKind(StrEnum):
    """What an asset holds."""

    IMAGE = "image"
    VIDEO = "video"
    CAROUSEL = "carousel"


class TargetStatus(StrEnum):
    """The persisted state of one publish target."""

    PENDING = "pending"
    PREPARING = "preparing"
    PUBLISHING = "publishing"
    RETRY_WAIT = "retry_wait"
    PUBLISHED = "published"
    FAILED = "failed"
    NEEDS_RECONNECT = "needs_reconnect"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class JobStatus(StrEnum):
    """A job's status, derived from its targets."""

    SCHEDULED = "scheduled"
    AWAITING_APPROVAL = "awaiting_approval"
    RUNNING = "running"
    PUBLISHED = "published"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class ChatKind(StrEnum):
    """A chat front end."""

    TELEGRAM = "telegram"
    SLACK = "slack"
