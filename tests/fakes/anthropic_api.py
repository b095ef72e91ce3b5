"""A loopback fake of the Anthropic Messages API for the real `anthropic` SDK.

It records every request, answers with the real response shape (usage fields included),
can inject 429/529/5xx faults with retry-after headers or slow answers, refuses what
current Sonnet models refuse (sampling parameters, a forced tool_choice), and applies
the prompt-caching rules: prefixes are cached at `cache_control` breakpoints (at most
four; order tools, system, messages; the output format is part of every prefix), only
when the prefix reaches the model's minimum length (tokens estimated at ~4 characters
each), with a 5-minute or 1-hour TTL refreshed on every hit, on a clock tests advance.
Usage follows the API: `input_tokens` excludes cache reads and writes.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MIN_CACHEABLE_TOKENS = {"claude-sonnet-5-5": 512, "claude-sonnet-4-6": 1024}
DEFAULT_MIN_CACHEABLE = 1024
STRICT_MODELS = ("claude-sonnet-5",)  # refuse sampling params and a forced tool_choice
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

Responder = Callable[[dict[str, Any]], str]


def estimate_tokens(text: str) -> int:
    """About four characters per token, as the fake's tokenizer."""
    return math.ceil(len(text) / 4)


@dataclass
class Recorded:
    """One request as received: headers, raw body bytes and the parsed body."""

    headers: dict[str, str]
    raw: bytes
    body: dict[str, Any]
    status: int = 200
    usage: dict[str, Any] | None = None


@dataclass
class Fault:
    """Answer the next `times` requests (None: all) with `status`."""

    status: int
    times: int | None = 1
    retry_after: float | None = None
    delay: float = 0.0


@dataclass
class _Segment:
    digest: str
    tokens: int
    ttl: str | None  # set on a breakpoint


@dataclass
class FakeMessagesAPI:
    """Start with `with FakeMessagesAPI() as api:`; point the SDK at `api.base_url`."""

    responder: Responder | None = None
    requests: list[Recorded] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    clock_offset: float = 0.0

    def __post_init__(self) -> None:
        self._cache: dict[str, tuple[float, float]] = {}  # key -> (expires_at, ttl)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> FakeMessagesAPI:
        """Serve on 127.0.0.1, a free port, in a daemon thread."""
        api = self

        class Handler(_Handler):
            fake = api

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeMessagesAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The URL to pass as the SDK's `base_url`."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- controls ------------------------------------------------------------------
    def fail(
        self,
        status: int,
        *,
        times: int | None = 1,
        retry_after: float | None = None,
        delay: float = 0.0,
    ) -> None:
        """Queue a fault for the next request(s)."""
        self.faults.append(Fault(status, times, retry_after, delay))

    def advance(self, seconds: float) -> None:
        """Move the cache clock forward."""
        self.clock_offset += seconds

    def now(self) -> float:
        """The cache clock."""
        return time.monotonic() + self.clock_offset

    @property
    def ok_requests(self) -> list[Recorded]:
        """Requests answered with 200."""
        return [r for r in self.requests if r.status == 200]

    # -- the API -------------------------------------------------------------------
    def handle(self, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one POST /v1/messages."""
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        record = Recorded(headers=headers, raw=raw, body=body)
        with self._lock:
            self.requests.append(record)
            fault = self.faults[0] if self.faults else None
            if fault is not None and fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.pop(0)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status == 200:  # a slow but good answer
                fault = None
            else:
                record.status = fault.status
                extra = {}
                if fault.retry_after is not None:
                    extra = {
                        "retry-after-ms": str(int(fault.retry_after * 1000)),
                        "retry-after": str(math.ceil(fault.retry_after)),
                    }
                return _error(fault.status, "injected fault", extra)
        problem = self._validate(headers, body)
        if problem:
            record.status = problem[0]
            return _error(*problem)
        with self._lock:
            usage = self._apply_cache(body)
        text = (self.responder or default_responder)(body)
        usage["output_tokens"] = estimate_tokens(text)
        record.usage = usage
        message = {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": usage,
        }
        return 200, {"request-id": f"req_{uuid.uuid4().hex[:16]}"}, json.dumps(message).encode()

    def _validate(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, str] | None:
        if not headers.get("x-api-key") and not headers.get("authorization"):
            return 401, "missing API key"
        for key in ("model", "max_tokens", "messages"):
            if key not in body:
                return 400, f"{key}: Field required"
        if str(body["model"]).startswith(STRICT_MODELS):
            for key in ("temperature", "top_p", "top_k"):
                if key in body:
                    return 400, f"{key} is not supported on this model"
            if (body.get("tool_choice") or {}).get("type") in ("any", "tool"):
                return 400, "forced tool_choice is not supported on this model"
        fmt = (body.get("output_config") or {}).get("format")
        if fmt is not None and (
            fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict)
        ):
            return 400, "output_config.format: expected json_schema with a schema"
        segments = _segments(body)
        ttls = [s.ttl for s in segments if s.ttl]
        if len(ttls) > 4:
            return 400, "A maximum of 4 blocks with cache_control may be provided."
        if "5m" in ttls and "1h" in ttls[ttls.index("5m") :]:
            return 400, "a ttl='1h' cache_control block must come before ttl='5m' ones"
        return None

    def _apply_cache(self, body: dict[str, Any]) -> dict[str, Any]:
        model = str(body["model"])
        minimum = next(
            (v for k, v in MIN_CACHEABLE_TOKENS.items() if model.startswith(k)),
            DEFAULT_MIN_CACHEABLE,
        )
        segments = _segments(body)
        now = self.now()
        self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        running = hashlib.sha256(model.encode())
        total = 0
        points: list[tuple[str, int, str]] = []  # (key, cumulative tokens, ttl)
        for seg in segments:
            running.update(seg.digest.encode())
            total += seg.tokens
            if seg.ttl:
                points.append((running.hexdigest(), total, seg.ttl))
        hit = max((i for i, p in enumerate(points) if p[0] in self._cache), default=-1)
        read = points[hit][1] if hit >= 0 else 0
        for key, _, _ in points[: hit + 1]:
            if key in self._cache:
                ttl = self._cache[key][1]
                self._cache[key] = (now + ttl, ttl)
        written = {"5m": 0, "1h": 0}
        mark = read
        for key, cumulative, ttl in points[hit + 1 :]:
            if cumulative >= minimum:
                self._cache[key] = (now + TTL_SECONDS[ttl], TTL_SECONDS[ttl])
                written[ttl] += cumulative - mark
                mark = cumulative
        creation = written["5m"] + written["1h"]
        return {
            "input_tokens": total - read - creation,
            "cache_creation_input_tokens": creation,
            "cache_read_input_tokens": read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": written["5m"],
                "ephemeral_1h_input_tokens": written["1h"],
            },
            "output_tokens": 0,
            "service_tier": "standard",
        }


def _segments(body: dict[str, Any]) -> list[_Segment]:
    """Every cacheable unit in API order; the output format leads every prefix."""
    out: list[_Segment] = []

    def add(block: Any, text: str | None = None) -> None:
        cc = block.get("cache_control") if isinstance(block, dict) else None
        content = (
            {k: v for k, v in block.items() if k != "cache_control"}
            if isinstance(block, dict)
            else block
        )
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        tokens = estimate_tokens(text if text is not None else canonical)
        ttl = (cc.get("ttl") or "5m") if isinstance(cc, dict) else None
        out.append(_Segment(hashlib.sha256(canonical.encode()).hexdigest(), tokens, ttl))

    fmt = (body.get("output_config") or {}).get("format")
    if fmt:
        add({"output_format": fmt})
    for tool in body.get("tools") or []:
        add(tool)
    system = body.get("system")
    if isinstance(system, str):
        add({"type": "text", "text": system}, system)
    for block in system or [] if not isinstance(system, str) else []:
        add(block, block.get("text"))
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            add({"role": message.get("role"), "text": content}, content)
        else:
            for block in content or []:
                add({"role": message.get("role"), **block}, block.get("text"))
    return out


def user_text(body: dict[str, Any]) -> str:
    """The text of the last user message."""
    content = body["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content)


def requested_platforms(body: dict[str, Any]) -> list[str]:
    """The platforms listed in the user message (our prompt's <platforms> tag)."""
    match = re.search(r"<platforms>(.*?)</platforms>", user_text(body))
    return [p.strip() for p in match.group(1).split(",")] if match else []


def original_caption(body: dict[str, Any]) -> str:
    """The asset caption inside the user message."""
    match = re.search(r"<original_caption>\n(.*?)\n</original_caption>", user_text(body), re.S)
    return match.group(1) if match else ""


def captions_json(captions: dict[str, str]) -> str:
    """An answer in the adapter's structured-output shape."""
    return json.dumps({"captions": [{"platform": p, "text": t} for p, t in captions.items()]})


def default_responder(body: dict[str, Any]) -> str:
    """A plausible caption per requested platform."""
    base = original_caption(body)[:160] or "A new post"
    return captions_json({p: f"{base} (for {p})" for p in requested_platforms(body)})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    fake: FakeMessagesAPI

    def do_POST(self) -> None:  # http.server naming
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        if self.path.split("?")[0] != "/v1/messages":
            status, headers, payload = _error(404, f"no route {self.path}")
        else:
            headers_in = {k.lower(): v for k, v in self.headers.items()}
            status, headers, payload = self.fake.handle(headers_in, raw)
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return


def _error(
    status: int, message: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    kind = ERROR_TYPES.get(status, "api_error")
    payload = {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": f"req_{uuid.uuid4().hex[:16]}",
    }
    return (
        status,
        {**(headers or {}), "x-should-retry": "true" if status in (429, 500, 529) else "false"},
        json.dumps(payload).encode(),
    )
