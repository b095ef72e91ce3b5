"""Maps a platform name to its connector: every module in `connectors/` with a `CONNECTOR`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import connectors
from connectors.base import Connector, ConnectorContext
from core.columns import column
from core.errors import InvalidInput
from core.models import AccountStatus, AssetKind, Brand, MediaAsset, SocialAccount
from core.platform_rules import PlatformRules

_NOT_CONNECTORS = {"base", "registry"}


@cache
def connector_classes() -> dict[str, type[Connector]]:
    """Every connector class, keyed by platform, found by scanning the package."""
    found: dict[str, type[Connector]] = {}
    for module_info in pkgutil.iter_modules(connectors.__path__):
        if module_info.name in _NOT_CONNECTORS or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"connectors.{module_info.name}")
        cls = getattr(module, "CONNECTOR", None)
        if cls is not None:
            found[cls.platform] = cls
    return dict(sorted(found.items()))


class ConnectorRegistry:
    """The connectors of one running process, built with its context."""

    def __init__(self, ctx: ConnectorContext) -> None:
        self.ctx = ctx
        self._connectors = {name: cls(ctx) for name, cls in connector_classes().items()}

    def get(self, platform: str) -> Connector:
        """The connector of a platform; a clear error for an unknown name."""
        try:
            return self._connectors[platform]
        except KeyError:
            known = ", ".join(self._connectors)
            raise InvalidInput(f"Unknown platform '{platform}'. Known: {known}.") from None

    def platforms(self) -> list[str]:
        """The names of all platforms."""
        return list(self._connectors)

    def labels(self) -> dict[str, str]:
        """Platform name → human label."""
        return {name: c.label for name, c in self._connectors.items()}

    async def platforms_for(self, brand: Brand, asset: MediaAsset) -> list[str]:
        """The brand's connected platforms that can take this asset, in connection order."""
        accounts = await column(
            SocialAccount.filter(brand_id=brand.id)
            .exclude(status=AccountStatus.DISCONNECTED)
            .order_by("id")
            .values_list("platform", flat=True),
            str,
        )
        out = [p for p in dict.fromkeys(accounts) if p in self._connectors]
        if asset.kind == AssetKind.CAROUSEL:
            out = [p for p in out if self._connectors[p].supports_carousel]
        return out

    def rules(self) -> dict[str, PlatformRules]:
        """Each platform's text rules."""
        return {name: c.rules for name, c in self._connectors.items()}
