# Model docstrings become SQL table comments: tortoise splits migration SQL on ";", so
# a semicolon in a model docstring breaks SQLite migrations. Keep them out.
"""All database models of the product, in one tortoise app named `models`."""

from core.models.accounts import ApiKey, Brand, BrandMember, ChatLink, LinkCode, SocialAccount, User
from core.models.audit import AIUsage, AuditLog
from core.models.content import AdaptedCaption, MediaAsset, TranscodedMedia, WebPost
from core.models.enums import (
    AccountStatus,
    AssetKind,
    AssetSource,
    ChatKind,
    JobStatus,
    Role,
    TargetStatus,
)
from core.models.identities import ChatIdentity, ChatProvider, WebSession
from core.models.oauth_apps import OAuthClientApp
from core.models.publishing import PublishJob, PublishTarget
from core.models.slack import (
    SlackCard,
    SlackFile,
    SlackIdentity,
    SlackInstallation,
    SlackOAuthState,
)
from core.models.telegram import TelegramCard, TelegramChatState, TelegramIdentity

__all__ = [
    "AIUsage",
    "AccountStatus",
    "AdaptedCaption",
    "ApiKey",
    "AssetKind",
    "AssetSource",
    "AuditLog",
    "Brand",
    "BrandMember",
    "ChatIdentity",
    "ChatKind",
    "ChatLink",
    "ChatProvider",
    "JobStatus",
    "LinkCode",
    "MediaAsset",
    "OAuthClientApp",
    "PublishJob",
    "PublishTarget",
    "Role",
    "SlackCard",
    "SlackFile",
    "SlackIdentity",
    "SlackInstallation",
    "SlackOAuthState",
    "SocialAccount",
    "TargetStatus",
    "TelegramCard",
    "TelegramChatState",
    "TelegramIdentity",
    "TranscodedMedia",
    "User",
    "WebPost",
    "WebSession",
]
