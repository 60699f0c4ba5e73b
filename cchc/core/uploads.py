"""Bounded uploads: every file a user sends is measured before anything parses it.

One guard for every upload path (evidence, plan document, plan Excel, unit/user import, dossier
upload, and the later modules' imports). The checks are cheap on purpose and run in the request:

- the file size;
- for zip-based formats (.docx, .xlsx, .odt, .ods, .zip), the entry count, the total decompressed
  size and the compression ratio, read from the zip central directory only. Python's ``zipfile``
  (which openpyxl and python-docx use) never inflates an entry past the size its directory declares,
  so checking the declared sizes bounds the real work too;
- the page count of a PDF (pdfium reads the cross-reference table, not the pages);
- rows of a table (``cchc.core.tabular`` stops reading at the limit) and a deadline for reading.

What is heavy after the checks (text extraction, OCR) runs in a child process with a wall-clock
timeout and a memory cap: see ``run_bounded``. Every refusal is an ``UploadRefused`` (a
``ValidationError``) with a Vietnamese message, so pages show it as they show any bad input.
"""

from __future__ import annotations

import fcntl
import io
import os
import pickle
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

ZIP_FORMATS = (".docx", ".xlsx", ".xlsm", ".odt", ".ods", ".zip")

# Defaults when a setting is absent; settings.py documents and overrides them.
_DEFAULTS = {
    "UPLOAD_MAX_BYTES": 30 * 1024 * 1024,
    "UPLOAD_UNZIPPED_MAX_BYTES": 100 * 1024 * 1024,
    "UPLOAD_ZIP_MAX_ENTRIES": 2000,
    "UPLOAD_ZIP_MAX_RATIO": 100,
    "UPLOAD_PDF_MAX_PAGES": 300,
    "UPLOAD_IMAGE_MAX_PIXELS": 50_000_000,
    "IMPORT_MAX_ROWS": 20_000,
    "IMPORT_ERRORS_SHOWN": 50,
    "UPLOAD_PROCESS_SECONDS": 120,
    "UPLOAD_PROCESS_MEMORY_MB": 1536,
    "UPLOAD_PROCESS_CONCURRENCY": 2,
    "UPLOAD_PROCESS_WAIT_SECONDS": 5,
    "DOSSIER_UPLOAD_MAX_UNZIPPED_BYTES": 2048 * 1024 * 1024,
    "UPLOAD_REQUEST_MAX_BYTES": 210 * 1024 * 1024,
}


def limit(name: str) -> int:
    """One upload limit, from settings or its default."""
    return int(getattr(settings, name, _DEFAULTS[name]))


class UploadRefused(ValidationError):
    """An upload over a limit or not what it claims to be; nothing was kept or written."""

    def __init__(self, message: str):
        super().__init__(message, code="upload_refused")


# ---------------------------------------------------------------------------------- numbers in text


def vn_int(number: int) -> str:
    """1999950 → "1.999.950" (the Vietnamese thousands separator is a dot)."""
    return f"{int(number):,}".replace(",", ".")


def vn_size(size: int) -> str:
    """A byte count as people read it: "400,0 MB", "512 KB" (decimal comma)."""
    if size >= 1024 * 1024:
        megabytes = size / 1048576
        if megabytes == int(megabytes):
            return f"{vn_int(int(megabytes))} MB"
        return f"{megabytes:,.1f} MB".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} byte"


def capped(messages: Iterable[Any], shown: int | None = None) -> list[str]:
    """The first ``shown`` messages, then one line "và 1.999.950 lỗi khác" for the rest: a page of
    errors a person can read, however many the file had."""
    shown = limit("IMPORT_ERRORS_SHOWN") if shown is None else shown
    items = [str(m) for m in messages]
    if len(items) <= shown:
        return items
    return [*items[:shown], f"và {vn_int(len(items) - shown)} lỗi khác."]


# ---------------------------------------------------------------------------------- the checks


def _label(name: str) -> str:
    return f"«{os.path.basename(name)}»" if name else "tải lên"


def check_size(size: int, *, name: str = "", max_bytes: int | None = None) -> None:
    max_bytes = limit("UPLOAD_MAX_BYTES") if max_bytes is None else max_bytes
    if size > max_bytes:
        raise UploadRefused(
            f"Tệp {_label(name)} quá lớn ({vn_size(size)}), giới hạn là {vn_size(max_bytes)}."
        )
    if size == 0:
        raise UploadRefused(f"Tệp {_label(name)} rỗng.")


def read_upload(upload: Any, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file, refused by its declared size before it is read into memory."""
    max_bytes = limit("UPLOAD_MAX_BYTES") if max_bytes is None else max_bytes
    check_size(upload.size or 0, name=upload.name or "", max_bytes=max_bytes)
    data = upload.read(max_bytes + 1)
    check_size(len(data), name=upload.name or "", max_bytes=max_bytes)
    return data


def _source(data: bytes | IO[bytes] | str | os.PathLike) -> Any:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return io.BytesIO(data)
    return data


@dataclass(frozen=True)
class ZipSummary:
    entries: int
    unzipped: int
    names: frozenset[str]


def check_zip(
    data: bytes | IO[bytes] | str | os.PathLike,
    *,
    name: str = "",
    max_unzipped: int | None = None,
    max_entries: int | None = None,
    max_ratio: int | None = None,
) -> ZipSummary:
    """Refuse a zip bomb from its central directory alone, before any entry is inflated."""
    max_unzipped = limit("UPLOAD_UNZIPPED_MAX_BYTES") if max_unzipped is None else max_unzipped
    max_entries = limit("UPLOAD_ZIP_MAX_ENTRIES") if max_entries is None else max_entries
    max_ratio = limit("UPLOAD_ZIP_MAX_RATIO") if max_ratio is None else max_ratio
    source = _source(data)
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UploadRefused(f"Tệp {_label(name)} bị hỏng: không mở được như một tệp nén (zip).") from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if len(infos) > max_entries:
        raise UploadRefused(
            f"Tệp {_label(name)} có quá nhiều thành phần ({vn_int(len(infos))}), "
            f"giới hạn là {vn_int(max_entries)}."
        )
    unzipped = sum(info.file_size for info in infos)
    if unzipped > max_unzipped:
        raise UploadRefused(
            f"Tệp giải nén ra quá lớn ({vn_size(unzipped)}), giới hạn là {vn_size(max_unzipped)}."
        )
    for info in infos:
        # Small entries compress well for honest reasons (a blank sheet); only big ones are judged.
        if info.file_size > 1024 * 1024 and info.file_size > max_ratio * max(info.compress_size, 1):
            raise UploadRefused(
                f"Tệp {_label(name)} có thành phần nén bất thường ({info.filename}: "
                f"{vn_size(info.compress_size)} giải nén ra {vn_size(info.file_size)}, "
                f"gấp hơn {vn_int(max_ratio)} lần): có thể là tệp nén độc hại."
            )
    if infos and min(info.header_offset for info in infos) != 0:
        raise UploadRefused(f"Tệp {_label(name)} có dữ liệu lạ nằm trước nội dung nén: không nhận tệp ghép.")
    return ZipSummary(entries=len(infos), unzipped=unzipped, names=frozenset(info.filename for info in infos))


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def check_sheet_rows(data: bytes, *, name: str = "", max_rows: int | None = None) -> None:
    """Count the rows of every worksheet of an .xlsx by scanning its XML as it inflates, and stop at
    the limit: openpyxl parses a whole sheet just to learn that it has no size, so a million-row
    sheet must be refused before openpyxl sees it. Rows with only formatting count too."""
    max_rows = limit("IMPORT_MAX_ROWS") if max_rows is None else max_rows
    allowed = max_rows + 1000  # the header, a title above it and some formatted blank rows
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            rows, carry = 0, b""
            with archive.open(info) as sheet:
                while block := sheet.read(1 << 20):
                    # A tag cut by the block boundary is counted with the next block.
                    text = carry + block
                    cut = max(len(text) - 64, 0) if len(block) == 1 << 20 else len(text)
                    rows += len(_ROW_TAG.findall(text, 0, cut))
                    carry = text[cut:]
                    if rows > allowed:
                        raise UploadRefused(
                            f"Tệp {_label(name)} có trang tính hơn {vn_int(allowed)} dòng, giới hạn mỗi lần "
                            f"nhập là {vn_int(max_rows)} dòng dữ liệu. Hãy chia tệp thành nhiều lần nhập."
                        )


def pdf_page_count(data: bytes, *, name: str = "") -> int:
    """Pages of a PDF, from its page tree (pdfium reads the cross-reference table, not the pages)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except Exception as exc:  # noqa: BLE001 - pdfium raises PdfiumError and friends for any damage
        raise UploadRefused(
            f"Tệp {_label(name)} không phải PDF hợp lệ: tệp bị hỏng, có mật khẩu hoặc bị đổi đuôi."
        ) from exc
    try:
        return len(document)
    finally:
        document.close()


def check_pdf_pages(data: bytes, *, name: str = "", max_pages: int | None = None) -> int:
    max_pages = limit("UPLOAD_PDF_MAX_PAGES") if max_pages is None else max_pages
    pages = pdf_page_count(data, name=name)
    if pages > max_pages:
        raise UploadRefused(
            f"Tệp PDF {_label(name)} có quá nhiều trang ({vn_int(pages)}), giới hạn là {vn_int(max_pages)} trang."
        )
    if pages == 0:
        raise UploadRefused(f"Tệp PDF {_label(name)} không có trang nào.")
    return pages


def check_upload(
    data: bytes,
    *,
    name: str,
    max_bytes: int | None = None,
    max_unzipped: int | None = None,
    max_pages: int | None = None,
) -> None:
    """Every cheap check that fits the file's type: size, then zip directory or PDF page count."""
    check_size(len(data), name=name, max_bytes=max_bytes)
    # By content, not by name: a file renamed to .docx that is no zip gets its parser's own message.
    if data[:4] == b"PK\x03\x04":
        check_zip(data, name=name, max_unzipped=max_unzipped)
    if b"%PDF" in data[:1024]:
        check_pdf_pages(data, name=name, max_pages=max_pages)


class Deadline:
    """A processing time limit for work done in the request (reading rows): ``check()`` in the
    loop refuses the file once the time is up."""

    def __init__(self, seconds: float | None = None):
        self.seconds = float(limit("UPLOAD_PROCESS_SECONDS") if seconds is None else seconds)
        self.ends = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise UploadRefused(
                f"Xử lý tệp quá thời gian cho phép ({vn_int(round(self.seconds))} giây). "
                "Hãy chia nhỏ tệp rồi tải lên lại."
            )


class UploadCapHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: stops receiving a request body past UPLOAD_REQUEST_MAX_BYTES,
    so an upload of many gigabytes is never written to the temporary directory. The rest of the
    body is read and dropped (the page can still answer) and the person gets the reason."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.declared = content_length or 0

    def _stop(self, size: int):
        from django.contrib import messages

        cap = limit("UPLOAD_REQUEST_MAX_BYTES")
        if self.request is not None and hasattr(self.request, "_messages"):
            messages.error(
                self.request,
                f"Tệp tải lên quá lớn ({vn_size(size)}), giới hạn là {vn_size(cap)}. Tệp chưa được lưu.",
            )
        raise StopUpload(connection_reset=False)

    def new_file(self, *args, **kwargs):
        if getattr(self, "declared", 0) > limit("UPLOAD_REQUEST_MAX_BYTES"):
            self._stop(self.declared)

    def receive_data_chunk(self, raw_data, start):
        self.received = getattr(self, "received", 0) + len(raw_data)
        if self.received > limit("UPLOAD_REQUEST_MAX_BYTES"):
            self._stop(self.received)
        return raw_data

    def file_complete(self, file_size):
        return None


# ---------------------------------------------------------------------------------- child process

_WORKER = "cchc.core.bounded_worker"


class BoundedFailure(UploadRefused):
    """The child process ran out of time or memory, or died."""


@contextmanager
def _slot() -> Iterator[None]:
    """One of UPLOAD_PROCESS_CONCURRENCY places for a child, shared by every worker process of the
    site (a lock file each). Waiting on a child ties up a web worker, so only a few may wait at
    once: the others are told to come back, and the rest of the site keeps its workers."""
    directory = Path(
        getattr(settings, "UPLOAD_SLOT_DIR", "") or Path(settings.MEDIA_ROOT).parent / "upload-slots"
    )
    directory.mkdir(parents=True, exist_ok=True)
    gives_up = time.monotonic() + limit("UPLOAD_PROCESS_WAIT_SECONDS")
    while True:
        for number in range(max(limit("UPLOAD_PROCESS_CONCURRENCY"), 1)):
            handle = open(directory / f"slot-{number}", "a+b")  # noqa: SIM115 - held while the child runs
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if time.monotonic() > gives_up:
            raise BoundedFailure(
                "Máy chủ đang đọc nhiều tệp cùng lúc. Hãy thử lại sau ít phút; tệp của bạn chưa được lưu."
            )
        time.sleep(0.1)


def _run_child(payload: bytes, seconds: float, env: dict, root: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-m", _WORKER],
            input=payload,
            capture_output=True,
            timeout=seconds,
            env=env,
            cwd=root,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed the child already
        raise BoundedFailure(
            f"Xử lý tệp quá thời gian cho phép ({vn_int(round(seconds))} giây) nên đã dừng. "
            "Hãy tải lên tệp nhỏ hơn hoặc bản Word (.docx) của văn bản."
        ) from exc


def run_bounded(
    func_path: str,
    *args: Any,
    seconds: float | None = None,
    memory_mb: int | None = None,
    **kwargs: Any,
) -> Any:
    """``module:function`` called with the arguments in a child Python process, killed after
    ``seconds`` of wall-clock time, with its address space capped at ``memory_mb`` (RLIMIT_AS).

    The child does not load Django or touch the database, so it works the same under SQLite and
    PostgreSQL, inside a request or from a future task queue (the call site only needs picklable
    arguments and result). An exception raised by the function is raised again here."""
    seconds = float(limit("UPLOAD_PROCESS_SECONDS") if seconds is None else seconds)
    memory_mb = int(limit("UPLOAD_PROCESS_MEMORY_MB") if memory_mb is None else memory_mb)
    payload = pickle.dumps(
        {"func": func_path, "args": args, "kwargs": kwargs, "memory_mb": memory_mb, "seconds": seconds}
    )
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with _slot():
        completed = _run_child(payload, seconds, env, root)
    try:
        status, value = pickle.loads(completed.stdout) if completed.stdout else ("died", None)
    except Exception:  # noqa: BLE001 - a child killed mid-write leaves half a pickle
        status, value = "died", None
    if status == "ok":
        return value
    if status == "raised":
        raise value
    if status == "memory":
        raise BoundedFailure(
            f"Xử lý tệp cần quá nhiều bộ nhớ (giới hạn {vn_int(memory_mb)} MB) nên đã dừng. "
            "Hãy tải lên tệp nhỏ hơn hoặc bản Word (.docx) của văn bản."
        )
    raise BoundedFailure(
        "Xử lý tệp bị dừng bất thường trên máy chủ (tệp có thể bị hỏng hoặc quá lớn). "
        "Hãy thử lại với tệp khác."
    )


# ---------------------------------------------------------------------------------- content checks
# What is kept and served back (evidence) must be, all the way through, the type it claims: not a
# PDF with a program in front, not an image with a web page behind.

_MARKUP = (b"<html", b"<script", b"<!doctype html", b"<svg", b"<?php", b"<iframe")
_PROGRAM = (b"this program cannot be run in dos mode", b"this program must be run under win32")
_OFFICE_PARTS = {
    ".docx": ("word/document.xml", "văn bản Word (.docx)"),
    ".xlsx": ("xl/workbook.xml", "bảng tính Excel (.xlsx)"),
}
_ODF_TYPES = {
    ".odt": ("application/vnd.oasis.opendocument.text", "văn bản OpenDocument (.odt)"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "bảng tính OpenDocument (.ods)"),
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG_END = b"IEND\xaeB`\x82"


def _no_hidden_payload(data: bytes, name: str) -> None:
    lowered = data.lower()
    if data[:2] == b"MZ" or any(marker in lowered for marker in _PROGRAM):
        raise UploadRefused(f"Tệp {_label(name)} có chứa chương trình chạy được (EXE): không nhận.")
    if any(marker in lowered for marker in _MARKUP):
        raise UploadRefused(
            f"Tệp {_label(name)} có chứa mã trang web (HTML/script) ẩn bên trong: không nhận."
        )


def check_pdf_structure(data: bytes, *, name: str = "") -> None:
    """A PDF from its first byte to its last %%EOF, with nothing hidden before or after."""
    if not data.startswith(b"%PDF-"):
        what = "chương trình (EXE)" if data[:2] == b"MZ" else "dữ liệu lạ"
        raise UploadRefused(f"Tệp {_label(name)} không phải PDF hợp lệ: có {what} nằm trước phần đầu «%PDF».")
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise UploadRefused(f"Tệp {_label(name)} không phải PDF hợp lệ: thiếu phần kết thúc «%%EOF».")
    if data[end + 5 :].strip(b" \t\r\n\x00"):
        raise UploadRefused(
            f"Tệp {_label(name)} không phải PDF hợp lệ: có dữ liệu lạ nằm sau phần kết thúc của PDF."
        )
    # Every PDF has objects (a catalogue, a page tree, pages): a file without one is junk, refused
    # before pdfium spends its time rebuilding a cross-reference table from nothing.
    if b"endobj" not in data:
        raise UploadRefused(f"Tệp {_label(name)} không phải PDF hợp lệ: không có nội dung PDF nào.")
    _no_hidden_payload(data, name)


def pdfminer_page_count(data: bytes) -> int:
    """Pages as pdfminer reads them: the whole cross-reference table and page tree are parsed.
    Runs in the bounded child (``run_bounded``): pdfminer is pure Python."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    return sum(1 for _ in PDFPage.create_pages(document))


def check_pdf(data: bytes, *, name: str = "", max_pages: int | None = None, seconds: float = 20) -> int:
    """Structure, page count by pdfium (cheap) then a full parse by pdfminer in a bounded child."""
    check_pdf_structure(data, name=name)
    pages = check_pdf_pages(data, name=name, max_pages=max_pages)
    try:
        parsed = run_bounded("cchc.core.uploads:pdfminer_page_count", data, seconds=seconds, memory_mb=768)
    except BoundedFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - any pdfminer failure means the file is damaged
        raise UploadRefused(f"Tệp {_label(name)} không phải PDF hợp lệ: cấu trúc tệp bị hỏng.") from exc
    if parsed != pages:
        raise UploadRefused(f"Tệp {_label(name)} không phải PDF hợp lệ: cấu trúc tệp không nhất quán.")
    return pages


def check_image(data: bytes, *, name: str = "", kind: str) -> None:
    """A PNG or JPEG decoded whole by Pillow, ending where its format ends (IEND, EOI)."""
    from PIL import Image, UnidentifiedImageError

    expected = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}[kind]
    bad = UploadRefused(
        f"Tệp {_label(name)} không phải ảnh .{kind} hợp lệ: nội dung ảnh bị hỏng hoặc bị ghép."
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise bad
            width, height = image.size
            if width * height > limit("UPLOAD_IMAGE_MAX_PIXELS"):
                raise UploadRefused(
                    f"Ảnh {_label(name)} quá lớn ({vn_int(width)} × {vn_int(height)} điểm ảnh), giới hạn là "
                    f"{vn_int(limit('UPLOAD_IMAGE_MAX_PIXELS'))} điểm ảnh."
                )
            image.verify()  # PNG: every chunk's CRC
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # every pixel decoded: a truncated or spliced image fails here
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise bad from exc
    tail = data.rstrip(b"\x00")
    if (expected == "PNG" and not tail.endswith(_PNG_END)) or (
        expected == "JPEG" and not tail.endswith(b"\xff\xd9")
    ):
        # Phones' "motion photos" append a video the same way: the message says how to keep the photo.
        raise UploadRefused(
            f"Tệp {_label(name)} có dữ liệu lạ nằm sau phần kết thúc của ảnh: không nhận. Nếu là ảnh "
            "chụp bằng điện thoại (ảnh động), hãy lưu lại thành ảnh JPG thường rồi tải lên."
        )
    _no_hidden_payload(data, name)


def check_office(data: bytes, *, name: str = "", extension: str) -> None:
    """A zip within the bomb limits that holds the parts its format requires; an OLE file for the
    old .doc/.xls."""
    if extension in (".doc", ".xls"):
        if not data.startswith(_OLE):
            raise UploadRefused(f"Nội dung tệp {_label(name)} không đúng định dạng {extension}.")
        _no_hidden_payload(data, name)
        return
    summary = check_zip(data, name=name)
    if extension in _OFFICE_PARTS:
        part, label = _OFFICE_PARTS[extension]
        if part not in summary.names or "[Content_Types].xml" not in summary.names:
            raise UploadRefused(f"Tệp {_label(name)} không phải {label} hợp lệ: thiếu phần nội dung chính.")
    elif extension in _ODF_TYPES:
        mimetype, label = _ODF_TYPES[extension]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = archive.read("mimetype")[:200] if "mimetype" in summary.names else b""
        if declared.strip() != mimetype.encode() or "content.xml" not in summary.names:
            raise UploadRefused(f"Tệp {_label(name)} không phải {label} hợp lệ: thiếu phần nội dung chính.")


def check_evidence_content(data: bytes, *, name: str, extension: str) -> None:
    """The whole structure of a file kept as evidence, by its extension."""
    extension = "." + extension.lstrip(".").lower()
    if extension == ".pdf":
        check_pdf(data, name=name)
    elif extension in (".png", ".jpg", ".jpeg"):
        check_image(data, name=name, kind=extension[1:])
    elif extension in (".docx", ".xlsx", ".odt", ".ods", ".zip", ".doc", ".xls"):
        check_office(data, name=name, extension=extension)
    else:
        _no_hidden_payload(data, name)
