"""One error tree for the product; front ends translate these in one place each."""

from __future__ import annotations


class OneClickError(Exception):
    """Base of every error the product raises on purpose."""

    user_message: str = "Something went wrong."

    def __init__(self, user_message: str | None = None) -> None:
        if user_message is not None:
            self.user_message = user_message
        super().__init__(self.user_message)


class NotFound(OneClickError):
    """The object does not exist or belongs to a brand the actor cannot see."""

    user_message = "Not found."


class Forbidden(OneClickError):
    """The actor may see the object but may not do this to it."""

    user_message = "You are not allowed to do that."


class InvalidInput(OneClickError):
    """The user's input cannot be used; the message says why."""


class MediaRejected(InvalidInput):
    """An uploaded file is not usable media."""


class TooLarge(InvalidInput):
    """An upload is over the configured size limit."""


class Conflict(OneClickError):
    """The request conflicts with the current state (double publish, used code…)."""


class ConnectorError(OneClickError):
    """A network refused or failed a call; fields say whether to retry."""

    def __init__(
        self,
        user_message: str,
        *,
        platform: str,
        retryable: bool = False,
        retry_after: float | None = None,
        code: str | None = None,
        needs_reconnect: bool = False,
    ) -> None:
        super().__init__(user_message)
        self.platform = platform
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code
        self.needs_reconnect = needs_reconnect


class AuthExpired(ConnectorError):
    """The account's token is no longer accepted; a refresh or reconnect is needed."""

    def __init__(self, user_message: str, *, platform: str, code: str | None = None) -> None:
        super().__init__(
            user_message, platform=platform, retryable=False, code=code, needs_reconnect=True
        )


class PublishOutcomeUnknown(ConnectorError):
    """A publish may or may not have reached the platform and cannot be checked."""


class OutboundRefused(ConnectorError):
    """An address a user or a remote server chose may not be called (not public https)."""

    user_message = "That server address cannot be used: only public https:// servers are allowed."

    def __init__(self, detail: str, *, platform: str = "outbound") -> None:
        super().__init__(type(self).user_message, platform=platform, code="address_refused")
        self.detail = detail  # for the log only: the user sees `user_message`


class RateLimited(OneClickError):
    """The actor asked too often; `retry_after` says in how many seconds to try again."""

    def __init__(self, user_message: str, *, retry_after: float | None = None) -> None:
        super().__init__(user_message)
        self.retry_after = retry_after


class MaybeApplied(PublishOutcomeUnknown):
    """A call that creates a post failed after it may have acted (5xx, timeout, cut off).

    Never publish again blindly: the runner looks for the post first (`find_published`).
    """

    def __init__(
        self,
        user_message: str,
        *,
        platform: str,
        retryable: bool = True,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(
            user_message, platform=platform, retryable=retryable, retry_after=retry_after, code=code
        )
