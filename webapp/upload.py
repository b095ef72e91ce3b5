"""Streams a multipart upload straight to disk: one file part and a few small text fields.

Everything is bounded while it arrives: the body (by its Content-Length before a byte is
read, then as it streams), each text field, the number of fields and each part's headers.
A browser form proves it came from this site with its CSRF field, which must come before
the file: a body without it is refused before the file is read or written.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header

from core.config import Settings
from core.errors import Forbidden, InvalidInput, MediaRejected, TooLarge
from core.intake import Spool, Spooled

if TYPE_CHECKING:  # a typing-only name of python-multipart
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"
MAX_PART_HEADERS = 8 * 1024
ENVELOPE_BYTES = 64 * 1024  # boundaries and part headers around the file and fields
BODY_LIMIT_KEY = "oneclick.body_limit"  # read by webapp.limits.BodyLimit
NOT_FROM_HERE = "This upload did not come from this site. Reload the page and try again."


@dataclass
class UploadForm:
    """The parsed upload: the spooled file (if any) and the text fields."""

    file: Spooled | None = None
    file_name: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


def body_limit(settings: Settings) -> int:
    """The largest upload body: the largest file plus every text field and the envelope."""
    return (
        max(settings.max_video_bytes, settings.max_image_bytes)
        + settings.max_form_fields * settings.max_form_field_bytes
        + ENVELOPE_BYTES
    )


class _Collector:
    def __init__(self, settings: Settings, csrf: tuple[str, str] | None) -> None:
        self.settings = settings
        self.csrf = csrf  # (field name, expected token) when the form must prove its origin
        self.form = UploadForm()
        self.spool: Spool | None = None
        self._headers: dict[bytes, bytes] = {}
        self._header_bytes = 0
        self._header_name = b""
        self._name = ""
        self._value = bytearray()
        self._is_file = False

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_PART_HEADERS:
            raise InvalidInput("The upload's part headers are too long.")

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._headers[self._header_name.lower()] = (
            self._headers.get(self._header_name.lower(), b"") + data[start:end]
        )

    def on_header_end(self) -> None:
        self._header_name = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._is_file = b"filename" in options and self._name == FILE_FIELD
        if self.csrf is not None and self._name != self.csrf[0]:
            raise Forbidden(NOT_FROM_HERE)  # the token must come first: nothing else is read
        if self._is_file:
            if self.spool is not None:
                raise InvalidInput("Send one file per upload.")
            self.form.file_name = options[b"filename"].decode("utf-8", "replace")
            self.spool = Spool(self.settings)
        elif len(self.form.fields) >= self.settings.max_form_fields:
            raise InvalidInput(f"The upload has more than {self.settings.max_form_fields} fields.")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file and self.spool is not None:
            self.spool.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > self.settings.max_form_field_bytes:
            raise TooLarge(
                f"The field '{self._name[:40]}' is longer than "
                f"{self.settings.max_form_field_bytes // 1024} KB."
            )

    def on_part_end(self) -> None:
        if not self._is_file and self._name:
            try:
                value = self._value.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(f"The field '{self._name[:40]}' is not valid UTF-8.") from None
            if self.csrf is not None:
                if not hmac.compare_digest(value.encode(), self.csrf[1].encode()):
                    raise Forbidden(NOT_FROM_HERE)
                self.csrf = None
            self.form.fields[self._name] = value
        self._headers, self._value, self._is_file = {}, bytearray(), False
        self._header_bytes = 0

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise InvalidInput("The Content-Length header is not a number.")
    return int(raw)


def check_declared_size(request: Request, settings: Settings) -> int | None:
    """TooLarge before any byte is read when the declared body is over the upload limit."""
    declared = _declared_length(request)
    limit = body_limit(settings)
    if declared is not None and declared > limit:
        raise TooLarge(f"The upload is larger than the {limit // (1024 * 1024)} MB limit.")
    return declared


async def read_upload(
    request: Request, settings: Settings, *, csrf: tuple[str, str] | None = None
) -> UploadForm:
    """Parse a multipart/form-data body as it arrives; the file never sits in memory.

    With `csrf` (field name, expected token) the first part must be that field with that
    token; otherwise Forbidden is raised before the rest of the body is read."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise InvalidInput("Send the file as multipart/form-data with a 'file' field.")
    check_declared_size(request, settings)
    limit = body_limit(settings)
    request.scope[BODY_LIMIT_KEY] = limit
    collector = _Collector(settings, csrf)
    parser = MultipartParser(options[b"boundary"], collector.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise TooLarge(f"The upload is larger than the {limit // (1024 * 1024)} MB limit.")
            parser.write(chunk)
        parser.finalize()
    except (MultipartParseError, ValueError) as exc:
        if collector.spool is not None:
            collector.spool.abort()
        raise InvalidInput("The upload is not well-formed multipart/form-data.") from exc
    except BaseException:
        if collector.spool is not None:
            collector.spool.abort()
        raise
    if collector.csrf is not None:
        raise Forbidden(NOT_FROM_HERE)
    if collector.spool is None:
        raise MediaRejected("No file was sent: attach it in the 'file' field.")
    collector.form.file = collector.spool.finish()
    return collector.form
