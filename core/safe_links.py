"""Links that came from outside (post URLs, permalinks, profile URLs): kept and shown only
when they are plain web links.

A network's answer is not trusted: a user-chosen Mastodon server can answer a post URL of
`javascript:…`, which a page would happily render as a link. `web_link` keeps a URL only if
it is an absolute https URL (http where the caller allows it) with a plain host, no user
part, no spaces, control characters or backslashes, and (when `hosts` is given) on one of
the expected hosts. Anything else becomes "" and is neither stored nor rendered as a link.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

MAX_LINK_LENGTH = 2048
INSTAGRAM_HOSTS = ("www.instagram.com", "instagram.com", "m.instagram.com")


def host_of(url: str) -> str:
    """ "host" or "host:port" (lower case) of a URL; "" if it has none."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if host and port else host


def web_link(
    url: str | None, *, hosts: Collection[str] | None = None, allow_http: bool = False
) -> str:
    """The URL if it is a plain https (or allowed http) link to one of `hosts`, else ""."""
    if not url or not isinstance(url, str) or len(url) > MAX_LINK_LENGTH:
        return ""
    if any(ord(ch) < 0x21 or ch in "\\\x7f" for ch in url):
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return ""
    if parts.scheme not in (("https", "http") if allow_http else ("https",)):
        return ""
    if not parts.hostname or "@" in parts.netloc:
        return ""
    if hosts is not None and host_of(url) not in {h.lower() for h in hosts if h}:
        return ""
    return url


def shown_link(url: str | None) -> str:
    """A stored link as a page or chat may render it (http or https, plain shape), else ""."""
    return web_link(url, allow_http=True)
