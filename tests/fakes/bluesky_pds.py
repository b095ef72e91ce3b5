"""A loopback fake of a Bluesky PDS and the video service, speaking XRPC.

Sessions (`createSession` with an app password, `refreshSession` rotating both JWTs,
`deleteSession`), `getServiceAuth`, `uploadBlob`, `createRecord` validating an
`app.bsky.feed.post` (300 graphemes, facets on UTF-8 byte offsets that must slice the
text to the link or #tag, image blobs ≤ 1,000,000 bytes, known blobs), `getRecord`,
`listRecords`, and the video service's `uploadVideo` (service token audience and lxm
checked) and `getJobStatus`. Errors are XRPC `{"error", "message"}` bodies. Faults:
token_expired, rate_limited, server_error, invalid_record, video_failed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import quote, urlsplit

import regex
from aiohttp import web

from tests.fakes.loopback import LoopbackFake

HANDLE = "acme.bsky.social"
DID = "did:plc:acmecoffee1234567890ab"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
API_FAULTS = ("token_expired", "rate_limited", "server_error")


def xrpc_error(status: int, name: str, message: str, **headers: str) -> web.Response:
    """An XRPC error answer."""
    return web.json_response({"error": name, "message": message}, status=status, headers=headers)


def make_jwt(claims: dict[str, Any]) -> str:
    """A JWT-shaped token with real claims (the signature is random: nobody verifies it)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return ".".join(
        [part({"typ": "at+jwt", "alg": "ES256K"}), part(claims), secrets.token_urlsafe(32)]
    )


class FakeBluesky(LoopbackFake):
    """State: sessions, blobs, records, video jobs."""

    create_calls = (("POST", "/xrpc/com.atproto.repo.createRecord"),)

    def __init__(self) -> None:
        super().__init__()
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.blobs: dict[str, dict[str, Any]] = {}
        self.records: dict[str, dict[str, Any]] = {}  # rkey -> record
        self.jobs: dict[str, dict[str, Any]] = {}
        self.service_tokens: dict[str, dict[str, Any]] = {}

    def routes(self, app: web.Application) -> None:
        """PDS and video-service XRPC methods."""
        for nsid, handler in (
            ("com.atproto.server.createSession", self.create_session),
            ("com.atproto.server.refreshSession", self.refresh_session),
            ("com.atproto.server.deleteSession", self.delete_session),
            ("com.atproto.repo.uploadBlob", self.upload_blob),
            ("com.atproto.repo.createRecord", self.create_record),
            ("app.bsky.video.uploadVideo", self.upload_video),
        ):
            app.router.add_post(f"/xrpc/{nsid}", handler)
        for nsid, handler in (
            ("com.atproto.server.getServiceAuth", self.service_auth),
            ("com.atproto.repo.getRecord", self.get_record),
            ("com.atproto.repo.listRecords", self.list_records),
            ("app.bsky.video.getJobStatus", self.job_status),
        ):
            app.router.add_get(f"/xrpc/{nsid}", handler)

    def session(self) -> dict[str, Any]:
        """A fresh pair of session JWTs."""
        now = int(time.time())
        access = make_jwt(
            {
                "scope": "com.atproto.appPass",
                "sub": DID,
                "iat": now,
                "exp": now + 7200,
                "aud": "did:web:fake.pds",
            }
        )
        refresh = make_jwt(
            {
                "scope": "com.atproto.refresh",
                "sub": DID,
                "iat": now,
                "exp": now + 90 * 86400,
                "jti": secrets.token_hex(8),
            }
        )
        self.access.add(access)
        self.refresh.add(refresh)
        return {
            "did": DID,
            "handle": HANDLE,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
            "didDoc": {
                "id": DID,
                "service": [
                    {
                        "id": "#atproto_pds",
                        "type": "AtprotoPersonalDataServer",
                        "serviceEndpoint": self.base_url,
                    }
                ],
            },
        }

    def authed(self, request: web.Request) -> web.Response | None:
        """None for a good access JWT, else the XRPC error (faults apply)."""
        fault = self.take(*API_FAULTS)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if fault == "token_expired":
            self.access.discard(token)
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        if fault == "rate_limited":
            reset = str(int(time.time()) + 30)
            return xrpc_error(
                429,
                "RateLimitExceeded",
                "Rate Limit Exceeded",
                **{
                    "ratelimit-limit": "5000",
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": reset,
                    "ratelimit-policy": "5000;w=3600",
                },
            )
        if fault == "server_error":
            return xrpc_error(500, "InternalServerError", "Internal Server Error")
        if token not in self.access:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return None

    async def create_session(self, request: web.Request) -> web.Response:
        """Sign in with handle (or email) and app password."""
        body = await request.json()
        if (
            body.get("identifier") not in (HANDLE, "owner@acme.example")
            or body.get("password") != APP_PASSWORD
        ):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return web.json_response(self.session())

    async def refresh_session(self, request: web.Request) -> web.Response:
        """Rotate both JWTs; the old refresh JWT stops working."""
        self.counts["refresh"] += 1
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token not in self.refresh:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        self.refresh.discard(token)
        return web.json_response(self.session())

    async def delete_session(self, request: web.Request) -> web.Response:
        """Sign out."""
        self.refresh.discard(request.headers.get("Authorization", "")[7:])
        return web.Response(status=200)

    def store_blob(self, data: bytes, mime: str) -> dict[str, Any]:
        """A blob ref for the data."""
        cid = "bafkrei" + hashlib.sha256(data).hexdigest()[:52]
        ref = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        self.blobs[cid] = ref
        return ref

    async def upload_blob(self, request: web.Request) -> web.Response:
        """Raw bytes in, a blob ref out."""
        if (failed := self.authed(request)) is not None:
            return failed
        data = await request.read()
        return web.json_response({"blob": self.store_blob(data, request.content_type)})

    async def service_auth(self, request: web.Request) -> web.Response:
        """A service token for another service (the video service)."""
        if (failed := self.authed(request)) is not None:
            return failed
        token = secrets.token_urlsafe(24)
        self.service_tokens[token] = dict(request.query)
        return web.json_response({"token": token})

    def check_record(self, record: dict[str, Any]) -> str:
        """Why the PDS would refuse the post record ("" if valid)."""
        text = record.get("text", "")
        if record.get("$type") != "app.bsky.feed.post" or not record.get("createdAt"):
            return "Invalid app.bsky.feed.post record: Record must have the property createdAt"
        if len(regex.findall(r"\X", text)) > 300:
            return (
                "Invalid app.bsky.feed.post record: Record/text must not be longer than "
                "300 graphemes"
            )
        raw = text.encode()
        for facet in record.get("facets", []):
            index, feature = facet["index"], facet["features"][0]
            piece = raw[index["byteStart"] : index["byteEnd"]].decode(errors="replace")
            wanted = (
                feature.get("uri")
                if feature["$type"].endswith("#link")
                else "#" + feature.get("tag", "")
            )
            if piece != wanted:
                return (
                    f"Invalid facet: bytes {index['byteStart']}-{index['byteEnd']} are not {wanted}"
                )
        embed = record.get("embed") or {}
        blobs = (
            [i["image"] for i in embed.get("images", [])]
            if "images" in embed
            else [embed["video"]]
            if "video" in embed
            else []
        )
        for blob in blobs:
            if blob["ref"]["$link"] not in self.blobs:
                return "Invalid app.bsky.feed.post record: blob not found"
            if "images" in embed and blob["size"] > 1_000_000:
                return "Invalid app.bsky.feed.post record: image file size too large"
        return ""

    async def create_record(self, request: web.Request) -> web.Response:
        """Create a post in the repo."""
        if (failed := self.authed(request)) is not None:
            return failed
        body = await request.json()
        if self.take("invalid_record"):
            return xrpc_error(
                400,
                "InvalidRequest",
                "Invalid app.bsky.feed.post record: "
                "Record/embed/images/0/image file size too large",
            )
        problem = "" if body.get("repo") in (DID, HANDLE) else "Could not find repo"
        problem = problem or self.check_record(body.get("record") or {})
        if problem:
            return xrpc_error(400, "InvalidRequest", problem)
        rkey = f"3l{self.next_id():011d}"
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + secrets.token_hex(26)
        record = body["record"]
        self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
        self.published.append(
            {
                "id": rkey,
                "uri": uri,
                "text": record["text"],
                "facets": record.get("facets", []),
                "embed": record.get("embed"),
            }
        )
        return web.json_response(
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": "bafyrei" + secrets.token_hex(26), "rev": rkey},
            }
        )

    async def get_record(self, request: web.Request) -> web.Response:
        """One record by repo, collection and rkey."""
        if (failed := self.authed(request)) is not None:
            return failed
        found = self.records.get(request.query.get("rkey", ""))
        if found is None:
            return xrpc_error(400, "RecordNotFound", "Could not locate record")
        return web.json_response(found)

    async def list_records(self, request: web.Request) -> web.Response:
        """Newest records first."""
        if (failed := self.authed(request)) is not None:
            return failed
        limit = int(request.query.get("limit", "50"))
        return web.json_response({"records": list(reversed(self.records.values()))[:limit]})

    async def upload_video(self, request: web.Request) -> web.Response:
        """The video service: a service token for this PDS and uploadBlob, then a job."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        grant = self.service_tokens.get(token)
        audience = "did:web:" + quote(urlsplit(self.base_url).netloc, safe="")
        if (
            grant is None
            or grant.get("aud") != audience
            or grant.get("lxm") != "com.atproto.repo.uploadBlob"
        ):
            return xrpc_error(401, "Unauthorized", "Bad service token")
        if request.query.get("did") != DID or not request.query.get("name"):
            return xrpc_error(400, "InvalidRequest", "did and name are required")
        data = await request.read()
        job_id = secrets.token_hex(8)
        self.jobs[job_id] = {"data": data, "polls": 0}
        return web.json_response(
            {"jobStatus": {"jobId": job_id, "did": DID, "state": "JOB_STATE_CREATED"}}
        )

    async def job_status(self, request: web.Request) -> web.Response:
        """Encoding once, then completed with the blob (or failed)."""
        job_id = request.query.get("jobId", "")
        job = self.jobs.get(job_id)
        if job is None:
            return xrpc_error(400, "InvalidRequest", "job not found")
        job["polls"] += 1
        status: dict[str, Any] = {
            "jobId": job_id,
            "did": DID,
            "state": "JOB_STATE_ENCODING",
            "progress": 50,
        }
        if job["polls"] > 1:
            if job.get("failed") or self.take("video_failed"):
                job["failed"] = True
                status.update(
                    state="JOB_STATE_FAILED",
                    error="Video too long",
                    message="Video is longer than 3 minutes",
                )
            else:
                status.update(
                    state="JOB_STATE_COMPLETED",
                    progress=100,
                    blob=self.store_blob(job["data"], "video/mp4"),
                )
        return web.json_response({"jobStatus": status})
