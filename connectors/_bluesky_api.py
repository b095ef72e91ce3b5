"""Bluesky's rich text, session helpers and error answers (the connector is bluesky.py)."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import regex

from connectors._http import json_body, retry_after_seconds
from core.errors import AuthExpired, ConnectorError

log = logging.getLogger(__name__)
PLATFORM = "bluesky"
LABEL = "Bluesky"
POST = "app.bsky.feed.post"
TEXT_MAX_GRAPHEMES = 300
TEXT_MAX_BYTES = 3000
IMAGES_MAX = 4
TAG_MAX = 64
# the patterns of Bluesky's own rich-text detection (links, then #hashtags)
_LINK = regex.compile(r"(?:^|\s|\()(https?://[\S]+)")
_TAG = regex.compile(
    r"(?:^|\s)([#＃])((?!\ufe0f)[^\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]*"
    r"[^\d\s\p{P}\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]+"
    r"[^\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2]*)?"
)
_TRAILING = regex.compile(r"\p{P}+$")
HANDLE = regex.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}")
DID = regex.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}")
UNREACHABLE = (
    "We could not sign in on that Bluesky server. Check the server address "
    "(leave it empty for bsky.social): only public https:// servers can be used."
)


def grapheme_len(text: str) -> int:
    """Length in user-perceived characters (grapheme clusters), Bluesky's text unit."""
    return len(regex.findall(r"\X", text))


def _byte_index(text: str, char_index: int) -> int:
    return len(text[:char_index].encode("utf-8"))


def facets(text: str) -> list[dict[str, Any]]:
    """Link and hashtag facets of the text, with UTF-8 byte offsets as the lexicon wants."""
    out: list[dict[str, Any]] = []
    for match in _LINK.finditer(text):
        uri = match.group(1)
        start = match.start(1)
        # a sentence's closing punctuation is not part of the link (Bluesky's own rule)
        if uri[-1] in ".,;:!?":
            uri = uri[:-1]
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1]
        out.append(
            {
                "index": {
                    "byteStart": _byte_index(text, start),
                    "byteEnd": _byte_index(text, start + len(uri)),
                },
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
            }
        )
    for match in _TAG.finditer(text):
        if match.group(2) is None:
            continue
        tag = _TRAILING.sub("", match.group(2))
        if not tag or grapheme_len(tag) > TAG_MAX:
            continue
        start = match.start(1)
        end = match.start(2) + len(tag)
        out.append(
            {
                "index": {"byteStart": _byte_index(text, start), "byteEnd": _byte_index(text, end)},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return sorted(out, key=lambda f: f["index"]["byteStart"])


def jwt_expiry_seconds(token: str) -> float | None:
    """Seconds until a JWT's `exp` (read, not verified: only to schedule renewal)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return max(float(data["exp"]) - time.time(), 1.0)
    except (IndexError, KeyError, TypeError, ValueError):
        return None


def post_url(web_base: str, handle: str, uri: str) -> str:
    """https://bsky.app/profile/<handle>/post/<rkey> for an at:// post URI."""
    rkey = uri.rsplit("/", 1)[-1]
    return f"{web_base.rstrip('/')}/profile/{quote(handle, safe='')}/post/{quote(rkey, safe='')}"


def service_did(pds: str) -> str:
    """did:web of a PDS (its host, the port percent-encoded), the audience of service auth."""
    return "did:web:" + quote(urlsplit(pds).netloc, safe="")


def map_error(response: httpx.Response) -> ConnectorError | None:
    """XRPC errors (`{"error": Name, "message": ...}`) as typed errors."""
    body = json_body(response)
    name = str(body.get("error") or "")
    message = str(body.get("message") or "")
    status = response.status_code
    if name in ("ExpiredToken", "InvalidToken") or status == 401:
        if name in ("AccountTakedown", "AccountDeactivated"):
            return ConnectorError(
                "This Bluesky account is suspended or deactivated; it cannot post.",
                platform=PLATFORM,
                needs_reconnect=True,
                code=name,
            )
        return AuthExpired(
            "Bluesky no longer accepts this session; it will be renewed, or "
            "reconnect Bluesky with an app password.",
            platform=PLATFORM,
            code=name or "AuthenticationRequired",
        )
    if name == "RateLimitExceeded" or status == 429:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        reset = response.headers.get("ratelimit-reset")
        if wait is None and reset and reset.isdigit():
            wait = max(float(reset) - time.time(), 1.0)
        return ConnectorError(
            "Bluesky is limiting how often we may post; it will be retried later.",
            platform=PLATFORM,
            retryable=True,
            retry_after=wait or 60.0,
            code="RateLimitExceeded",
        )
    if name in ("BlobTooLarge", "PayloadTooLarge") or status == 413:
        return ConnectorError(
            "The media is larger than Bluesky accepts.",
            platform=PLATFORM,
            code=name or "BlobTooLarge",
        )
    if status >= 500:
        return ConnectorError(
            "Bluesky had a temporary problem; it will be retried.",
            platform=PLATFORM,
            retryable=True,
            code=name or f"http_{status}",
        )
    if name:
        log.info("bluesky refused a call: %.60r %.300r", name, message)
        return ConnectorError(
            "Bluesky refused the post as invalid (its text, links or media).",
            platform=PLATFORM,
            code=name[:60],
        )
    return None
