"""The connector interface, as every connector imports it (defined in core.ports.connector)."""

from core.ports.connector import (
    AuthKind,
    ConnectChoice,
    ConnectOption,
    Connector,
    ConnectorContext,
    PublishState,
    PublishStatus,
)

__all__ = [
    "AuthKind",
    "ConnectChoice",
    "ConnectOption",
    "Connector",
    "ConnectorContext",
    "PublishState",
    "PublishStatus",
]
