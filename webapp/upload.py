"""Streams a multipart upload straight to disk: one file part and small text fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header

from core.config import Settings
from core.errors import InvalidInput, MediaRejected
from core.intake import Spool, Spooled

MAX_FIELD_BYTES = 64 * 1024
FILE_FIELD = "file"


@dataclass
class UploadForm:
    """The parsed upload: the spooled file (if any) and the text fields."""

    file: Spooled | None = None
    file_name: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


class _Collector:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.form = UploadForm()
        self.spool: Spool | None = None
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._name = ""
        self._value = bytearray()
        self._is_file = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._headers[self._header_name.lower()] = (
            self._headers.get(self._header_name.lower(), b"") + data[start:end])

    def on_header_end(self) -> None:
        self._header_name = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._is_file = b"filename" in options and self._name == FILE_FIELD
        if self._is_file:
            if self.spool is not None:
                raise InvalidInput("Send one file per upload.")
            self.form.file_name = options[b"filename"].decode("utf-8", "replace")
            self.spool = Spool(self.settings)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file and self.spool is not None:
            self.spool.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise InvalidInput(f"The field '{self._name}' is too long.")

    def on_part_end(self) -> None:
        if not self._is_file and self._name:
            try:
                self.form.fields[self._name] = self._value.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(f"The field '{self._name}' is not valid UTF-8.") from None
        self._headers, self._value, self._is_file = {}, bytearray(), False

    def callbacks(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in (
            "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
            "on_part_data", "on_part_end")}


async def read_upload(request: Request, settings: Settings) -> UploadForm:
    """Parse a multipart/form-data body as it arrives; the file never sits in memory."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise InvalidInput("Send the file as multipart/form-data with a 'file' field.")
    collector = _Collector(settings)
    parser = MultipartParser(options[b"boundary"], collector.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
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
    if collector.spool is None:
        raise MediaRejected("No file was sent: attach it in the 'file' field.")
    collector.form.file = collector.spool.finish()
    return collector.form
