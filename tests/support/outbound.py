"""The test-only outbound settings: let the guard reach exactly these loopback fakes."""

from __future__ import annotations

from core.safe_links import host_of


def loopback_outbound(*base_urls: str) -> dict[str, object]:
    """Settings overrides allowing plain http and these fakes' host:port (nothing else)."""
    return {
        "outbound_allow_http": True,
        "outbound_allow_hosts": ",".join(host_of(url) for url in base_urls),
    }
