"""Plain text out of an uploaded plan document: Word (.docx), PDF (text layer or scanned), plain text.

``extract_text(data, filename)`` returns the text line by line in reading order. Tables come out as
one line per row with cells separated by " | " (a vertically merged cell repeats as "〃" in the
text, and with its text in ``tables``), so the plan parser sees the task table's columns. A scanned
PDF is read with Tesseract (``-l vie``). Anything that is not a plan document raises
``ExtractError`` with a message for the user, in Vietnamese; nothing half-read is returned.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

CELL_SEP = " | "
PARA_SEP = " ¶ "  # paragraphs inside one table cell
DITTO = "〃"  # a cell merged with the one above it
OCR_DPI = 300
MIN_PAGE_CHARS = 25  # a page with fewer characters in its text layer is treated as scanned

SUPPORTED = (".docx", ".pdf", ".txt", ".text", ".md")

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


class ExtractError(Exception):
    """The upload cannot be read as a plan document; ``message`` says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Extracted:
    text: str
    source_kind: str  # "docx" | "pdf" | "pdf-ocr" | "text"
    pages: int
    tables: list[list[list[str]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def extract_text(data: bytes, filename: str) -> Extracted:
    """Read an uploaded plan document; raises ExtractError for anything that is not one."""
    name = (filename or "").strip()
    ext = Path(name).suffix.lower()
    if not data or not data.strip():
        raise ExtractError("Tệp rỗng: tệp tải lên không có nội dung. Hãy chọn lại tệp văn bản kế hoạch.")
    image = _image_kind(data)
    if image:
        raise ExtractError(
            f"Tệp là hình ảnh, không phải văn bản kế hoạch ({image}). Hãy tải lên bản Word (.docx) "
            "hoặc PDF của kế hoạch; nếu chỉ có bản chụp, hãy ghép các trang thành một tệp PDF."
        )
    if data[:1024].lstrip().startswith(b"%PDF") or (ext == ".pdf" and b"%PDF" in data[:1024]):
        return _extract_pdf(data)
    if ext == ".pdf":
        raise ExtractError(
            "Tệp không phải PDF hợp lệ: nội dung tệp không đúng định dạng PDF (tệp hỏng hoặc bị đổi đuôi)."
        )
    if ext == ".docx":
        return _extract_docx(data)
    if ext == ".doc":
        raise ExtractError(
            "Định dạng Word cũ (.doc) chưa được hỗ trợ. Hãy mở tệp bằng Word và lưu lại thành .docx hoặc PDF."
        )
    if ext in (".xlsx", ".xls", ".ods", ".csv"):
        raise ExtractError(
            "Tệp là bảng tính, không phải văn bản kế hoạch. Nhiệm vụ từ Excel được nhập ở chức năng "
            "“Nhập từ Excel” của kế hoạch; ở đây hãy tải lên văn bản kế hoạch (.docx, PDF)."
        )
    if ext in (".txt", ".text", ".md"):
        return _extract_plain(data)
    if data[:4] == b"PK\x03\x04":
        raise ExtractError(
            f"Định dạng tệp “{ext or name}” không được hỗ trợ. Hãy tải lên tệp Word (.docx), PDF hoặc văn bản (.txt)."
        )
    raise ExtractError(
        f"Định dạng tệp “{ext or 'không có đuôi'}” không được hỗ trợ. "
        "Hãy tải lên tệp Word (.docx), PDF hoặc văn bản (.txt)."
    )


def _image_kind(data: bytes) -> str | None:
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", " ")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff\x0c]", "", text)
    return text


# ---------------------------------------------------------------------------------------------- text


def _extract_plain(data: bytes) -> Extracted:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        for encoding in ("utf-8-sig", "cp1258", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\x0c")
    if controls > max(5, len(text) // 100):
        raise ExtractError("Tệp không phải văn bản: nội dung là dữ liệu nhị phân, không đọc được thành chữ.")
    text = _clean(text)
    if not text.strip():
        raise ExtractError("Tệp rỗng: tệp tải lên không có nội dung. Hãy chọn lại tệp văn bản kế hoạch.")
    return Extracted(text=text, source_kind="text", pages=max(1, text.count("\x0c") + 1))


# ---------------------------------------------------------------------------------------------- docx


def _extract_docx(data: bytes) -> Extracted:
    if data[:4] != b"PK\x03\x04":
        raise ExtractError(
            "Tệp không phải văn bản Word (.docx) hợp lệ: nội dung tệp không đúng định dạng Word "
            "(có thể là tệp .doc cũ hoặc tệp khác bị đổi đuôi). Hãy lưu lại thành .docx hoặc PDF."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise ExtractError("Tệp không phải văn bản Word (.docx) hợp lệ: tệp bị hỏng, không mở được.") from exc
    if "word/document.xml" not in names:
        what = " (đây là bảng tính Excel bị đổi đuôi)" if "xl/workbook.xml" in names else ""
        raise ExtractError(
            f"Tệp không phải văn bản Word (.docx) hợp lệ{what}: không có phần nội dung văn bản Word. "
            "Hãy tải lên đúng tệp kế hoạch (.docx hoặc PDF)."
        )
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any parser failure means a damaged file
        raise ExtractError(
            "Tệp không phải văn bản Word (.docx) hợp lệ: tệp bị hỏng, không đọc được."
        ) from exc
    numbering = _Numbering(document)
    lines: list[str] = []
    tables: list[list[list[str]]] = []

    def walk(parent):
        for child in parent.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                paragraph = Paragraph(child, document)
                text = paragraph.text
                label = numbering.label(child)
                if label and text.strip():
                    text = f"{label} {text.strip()}"
                lines.append(text)
            elif tag == "tbl":
                table = Table(child, document)
                rows_text, row_lines = _docx_table(table)
                tables.append(rows_text)
                lines.extend(row_lines)
            elif tag == "sdt":
                content = child.find(
                    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sdtContent"
                )
                if content is not None:
                    walk(content)

    walk(document.element.body)
    text = _clean("\n".join(lines))
    if not text.strip():
        raise ExtractError(
            "Tệp Word không có nội dung chữ (có thể chỉ chứa hình ảnh). Hãy tải lên bản có chữ hoặc PDF."
        )
    pages = 1 + len(document.element.body.findall(".//{*}br[@{*}type='page']"))
    return Extracted(text=text, source_kind="docx", pages=pages, tables=tables)


def _cell_text(cell) -> str:
    parts = [p.text.strip() for p in cell.paragraphs if p.text.strip()]
    for inner in cell.tables:
        for row in inner.rows:
            parts.append(" ".join(c.text.strip() for c in row.cells if c.text.strip()))
    return PARA_SEP.join(parts)


def _docx_table(table) -> tuple[list[list[str]], list[str]]:
    """Rows of cell texts (merged cells once) and the " | " lines for the text."""
    rows_text: list[list[str]] = []
    lines: list[str] = []
    above: list[int] = []
    for row in table.rows:
        try:
            cells = row.cells
        except Exception:  # noqa: BLE001 - malformed grid: fall back to the raw cells
            cells = []
        ids = [id(c._tc) for c in cells]
        texts: list[str] = []
        line_cells: list[str] = []
        previous = None
        for index, cell in enumerate(cells):
            if cell._tc is previous:
                continue  # horizontally merged: once
            previous = cell._tc
            text = _cell_text(cell)
            texts.append(text.replace(PARA_SEP, "\n"))
            continued = index < len(above) and above[index] == ids[index] and text
            line_cells.append(DITTO if continued else text)
        above = ids
        rows_text.append(texts)
        if any(t.strip() for t in line_cells):
            lines.append(CELL_SEP.join(line_cells).strip())
    return rows_text, lines


class _Numbering:
    """Labels of Word's automatic numbering ("I.", "1.", "a)", "-"), which are not in the text."""

    _W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def __init__(self, document):
        self.formats: dict[tuple[str, str], tuple[str, str]] = {}
        self.counters: dict[tuple[str, str], int] = {}
        self.style_numbering: dict[str, object] = {}  # paragraph styles that number ("List Number")
        try:
            styles = document.styles.element
        except Exception:  # noqa: BLE001
            styles = None
        if styles is not None:
            by_id = {st.get(f"{self._W}styleId"): st for st in styles.findall(f"{self._W}style")}
            for style_id, st in by_id.items():
                node, depth = st, 0
                while node is not None and depth < 4:
                    num_pr = node.find(f"{self._W}pPr/{self._W}numPr")
                    if num_pr is not None:
                        self.style_numbering[style_id] = num_pr
                        break
                    based = node.find(f"{self._W}basedOn")
                    node = by_id.get(based.get(f"{self._W}val")) if based is not None else None
                    depth += 1
        try:
            part = document.part.numbering_part
        except Exception:  # noqa: BLE001 - no numbering part
            return
        root = part.element
        abstract: dict[str, dict[str, tuple[str, str]]] = {}
        for node in root.findall(f"{self._W}abstractNum"):
            levels = {}
            for lvl in node.findall(f"{self._W}lvl"):
                fmt = lvl.find(f"{self._W}numFmt")
                text = lvl.find(f"{self._W}lvlText")
                levels[lvl.get(f"{self._W}ilvl")] = (
                    fmt.get(f"{self._W}val") if fmt is not None else "decimal",
                    text.get(f"{self._W}val") if text is not None else "%1.",
                )
            abstract[node.get(f"{self._W}abstractNumId")] = levels
        for num in root.findall(f"{self._W}num"):
            ref = num.find(f"{self._W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{self._W}val"), {}).items():
                self.formats[(num.get(f"{self._W}numId"), ilvl)] = spec

    def label(self, paragraph) -> str:
        if not self.formats:
            return ""
        num_pr = paragraph.find(f"{self._W}pPr/{self._W}numPr")
        if num_pr is None:
            style = paragraph.find(f"{self._W}pPr/{self._W}pStyle")
            num_pr = self.style_numbering.get(style.get(f"{self._W}val")) if style is not None else None
        if num_pr is None:
            return ""
        num_id = num_pr.find(f"{self._W}numId")
        ilvl = num_pr.find(f"{self._W}ilvl")
        key = (
            num_id.get(f"{self._W}val") if num_id is not None else "",
            ilvl.get(f"{self._W}val") if ilvl is not None else "0",
        )
        fmt, pattern = self.formats.get(key, ("", ""))
        if not fmt:
            return ""
        if fmt == "bullet":
            return "-"
        count = self.counters.get(key, 0) + 1
        self.counters[key] = count
        for other in list(self.counters):  # deeper levels restart
            if other[0] == key[0] and other[1] > key[1]:
                del self.counters[other]
        value = _format_number(count, fmt)
        label = re.sub(r"%\d", value, pattern, count=1)
        return re.sub(r"%\d", "", label).strip() or value


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        out = ""
        for value, numeral in numerals:
            while n >= value:
                out += numeral
                n -= value
        return out if fmt == "upperRoman" else out.lower()
    if fmt in ("lowerLetter", "upperLetter"):
        letter = "abcdđeghiklmnopqrstuvxy"[(n - 1) % 23]
        return letter if fmt == "lowerLetter" else letter.upper()
    return str(n)


# ---------------------------------------------------------------------------------------------- PDF


def _extract_pdf(data: bytes) -> Extracted:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds
        raise ExtractError(
            "Không đọc được tệp PDF: tệp bị hỏng, có mật khẩu hoặc không đúng định dạng PDF."
        ) from exc
    texts: list[str | None] = []
    scanned: list[int] = []
    try:
        for index, page in enumerate(pages):
            chars = sum(1 for ch in page.chars if ch.get("text", "").strip())
            if chars < MIN_PAGE_CHARS:
                texts.append(None)
                scanned.append(index)
            else:
                texts.append(_pdf_page_text(page))
    except Exception as exc:  # noqa: BLE001
        raise ExtractError("Không đọc được nội dung tệp PDF (tệp bị hỏng).") from exc
    finally:
        pdf.close()
    if not pages:
        raise ExtractError("Tệp PDF không có trang nào.")
    warnings: list[str] = []
    kind = "pdf"
    if scanned:
        ocr = _ocr_pdf_pages(data, scanned)
        for index, text in zip(scanned, ocr, strict=True):
            texts[index] = text
        kind = "pdf-ocr"
        warnings.append(
            f"{len(scanned)}/{len(pages)} trang là ảnh quét, đã nhận dạng chữ (OCR): cần soát lại nội dung."
        )
    text = _clean("\n".join(t or "" for t in texts))
    if len(re.sub(r"\W", "", text)) < 20:
        raise ExtractError(
            "Không đọc được chữ nào trong tệp PDF, kể cả sau khi nhận dạng chữ (OCR): bản quét quá mờ "
            "hoặc tệp không chứa văn bản. Hãy tải lên bản rõ hơn hoặc bản Word (.docx)."
        )
    return Extracted(text=text, source_kind=kind, pages=len(pages), warnings=warnings)


def _pdf_page_text(page) -> str:
    """Text of one PDF page; ruled tables come out as " | " rows in their place."""
    try:
        found = [t for t in page.find_tables() if len(t.rows) >= 2 and len(t.columns) >= 3]
    except Exception:  # noqa: BLE001 - table finding is best effort
        found = []
    if not found:
        return page.extract_text() or ""
    boxes = [t.bbox for t in found]

    def outside(obj) -> bool:
        x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    items: list[tuple[float, str]] = []
    rest = page.filter(outside)
    for line in rest.extract_text_lines():
        items.append((line["top"], line["text"]))
    for table in found:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            values = [_flatten_cell(c) for c in cells]
            if any(values):
                items.append((row.bbox[1], CELL_SEP.join(values).strip()))
    items.sort(key=lambda item: item[0])
    return "\n".join(text for _, text in items)


def _flatten_cell(value) -> str:
    if value is None:
        return ""
    lines = [ln.strip() for ln in str(value).split("\n") if ln.strip()]
    out: list[str] = []
    for ln in lines:
        if out and re.match(r"^[-+•]\s", ln):
            out.append(PARA_SEP.strip() + " " + ln)
        else:
            out.append(ln)
    return " ".join(out)


def tesseract_languages() -> list[str]:
    exe = shutil.which("tesseract")
    if not exe:
        return []
    try:
        result = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [ln.strip() for ln in (result.stdout + result.stderr).splitlines()[1:] if ln.strip()]


def _ocr_pdf_pages(data: bytes, indexes: list[int]) -> list[str]:
    exe = shutil.which("tesseract")
    if not exe:
        raise ExtractError(
            "Máy chủ chưa cài Tesseract nên chưa đọc được PDF dạng ảnh quét. Hãy tải lên bản Word (.docx) "
            "hoặc PDF có chữ, hoặc đề nghị quản trị cài gói tesseract-ocr và tesseract-ocr-vie."
        )
    if "vie" not in tesseract_languages():
        raise ExtractError(
            "Máy chủ chưa cài dữ liệu tiếng Việt cho Tesseract (gói tesseract-ocr-vie) nên chưa đọc được "
            "PDF dạng ảnh quét. Hãy tải lên bản Word (.docx) hoặc PDF có chữ."
        )
    import pypdfium2 as pdfium

    with tempfile.TemporaryDirectory(prefix="cchc-ocr-") as tmp:
        try:
            document = pdfium.PdfDocument(data)
        except Exception as exc:  # noqa: BLE001
            raise ExtractError("Không đọc được tệp PDF để nhận dạng chữ (tệp bị hỏng).") from exc
        images = []
        try:
            for index in indexes:
                page = document[index]
                bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
                path = Path(tmp) / f"page-{index:04d}.png"
                bitmap.to_pil().save(path)
                images.append(path)
        finally:
            document.close()
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        workers = max(1, min(len(images), os.cpu_count() or 1, 4))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda p: _tesseract(exe, p, env), images))


def _tesseract(exe: str, image: Path, env: dict) -> str:
    """OCR of one page image. Ruled tables are found in the image first: their lines are erased (which
    helps Tesseract) and every word is put into its cell, so each table row comes out as one " | " line
    instead of the cells' lines interleaved."""
    from PIL import Image

    with Image.open(image) as opened:
        page = opened.convert("L")
    grids = _find_grids(page)
    if grids:
        page = _erase_lines(page, grids)
        page.save(image)
    try:
        result = subprocess.run(
            [exe, str(image), "stdout", "-l", "vie", "--psm", "6", "tsv"],
            capture_output=True,
            timeout=300,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExtractError(
            "Nhận dạng chữ (OCR) thất bại trên máy chủ. Hãy thử lại hoặc tải lên bản Word."
        ) from exc
    if result.returncode != 0:
        raise ExtractError("Nhận dạng chữ (OCR) thất bại trên máy chủ. Hãy thử lại hoặc tải lên bản Word.")
    from cchc.docimport.restore import split_glued

    return split_glued(_compose_page(result.stdout.decode("utf-8", errors="replace"), grids))


@dataclass
class _Grid:
    """A ruled table on a page image: the y of its horizontal lines, the x of its vertical lines, and
    for each band between two horizontal lines the vertical lines that really cross it (merged cells)."""

    ys: list[int]
    xs: list[int]
    bands: list[list[int]]


def _runs(values: list[float], threshold: float) -> list[tuple[int, int]]:
    out, start = [], None
    for i, value in enumerate(values):
        if value >= threshold and start is None:
            start = i
        elif value < threshold and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(values) - 1))
    return out


def _find_grids(page) -> list[_Grid]:
    """Ruled tables in a grayscale page image (Pillow only: row and column darkness profiles)."""
    from PIL import Image

    width, height = page.size
    dark = page.point(lambda v: 255 if v < 150 else 0)
    rows = list(dark.resize((1, height), Image.Resampling.BOX).tobytes())
    h_lines = [((a + b) // 2, b - a + 1) for a, b in _runs([v / 255 for v in rows], 0.45) if b - a < 12]
    if len(h_lines) < 3:
        return []
    grids: list[_Grid] = []
    ys = [y for y, _ in h_lines]
    # consecutive horizontal lines closer than a page-third belong to one table
    groups: list[list[int]] = [[ys[0]]]
    for y in ys[1:]:
        if y - groups[-1][-1] < height // 3:
            groups[-1].append(y)
        else:
            groups.append([y])
    for group in groups:
        if len(group) < 3:
            continue
        top, bottom = group[0], group[-1]
        band = dark.crop((0, top, width, bottom + 1))
        cols = list(band.resize((width, 1), Image.Resampling.BOX).tobytes())
        x_lines = [(a + b) // 2 for a, b in _runs([v / 255 for v in cols], 0.5) if b - a < 12]
        if len(x_lines) < 3:
            continue
        bands: list[list[int]] = []
        for y0, y1 in zip(group, group[1:], strict=False):
            present = []
            for x in x_lines:
                strip = dark.crop((max(0, x - 3), y0 + 3, min(width, x + 4), max(y0 + 4, y1 - 2)))
                profile = list(strip.resize((1, max(1, strip.size[1])), Image.Resampling.BOX).tobytes())
                covered = sum(1 for v in profile if v > 60) / max(1, len(profile))
                if covered >= 0.7:
                    present.append(x)
            bands.append(present)
        grids.append(_Grid(group, x_lines, bands))
    return grids


def _erase_lines(page, grids: list[_Grid]):
    from PIL import ImageDraw

    page = page.copy()
    draw = ImageDraw.Draw(page)
    width, _height = page.size
    for grid in grids:
        left, right = min(grid.xs), max(grid.xs)
        for y in grid.ys:
            draw.rectangle((left - 4, y - 6, right + 4, y + 6), fill=255)
        for x in grid.xs:
            draw.rectangle((x - 6, grid.ys[0] - 4, x + 6, grid.ys[-1] + 4), fill=255)
    _ = width
    return page


def _compose_page(tsv: str, grids: list[_Grid]) -> str:
    """Lines of an OCR'd page from Tesseract's TSV: words in a ruled table go into their cells."""
    words = []
    for row in tsv.splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        text = parts[11].strip()
        if not text or (set(text) <= set("|!l[]_—-–") and text not in ("-", "–", "+")):
            continue  # nothing, or a table rule read as "|"
        left, top, w, h = (int(v) for v in parts[6:10])
        words.append(
            {
                "key": (int(parts[2]), int(parts[3]), int(parts[4])),
                "x": left,
                "y": top,
                "w": w,
                "h": h,
                "text": text,
            }
        )
    items: list[tuple[float, str]] = []
    cells: dict[tuple[int, int, int], list[dict]] = {}
    free: dict[tuple[int, int, int], list[dict]] = {}
    for word in words:
        cx, cy = word["x"] + word["w"] / 2, word["y"] + word["h"] / 2
        placed = False
        for g, grid in enumerate(grids):
            if not (grid.ys[0] <= cy <= grid.ys[-1] and min(grid.xs) <= cx <= max(grid.xs)):
                continue
            for b, (y0, y1) in enumerate(zip(grid.ys, grid.ys[1:], strict=False)):
                if y0 <= cy <= y1:
                    edges = sorted(set(grid.bands[b]) | {min(grid.xs), max(grid.xs)})
                    column = sum(1 for x in edges[1:-1] if x < cx)
                    cells.setdefault((g, b, column), []).append(word)
                    placed = True
                    break
            break
        if not placed:
            free.setdefault(word["key"], []).append(word)
    for line_words in free.values():
        line_words.sort(key=lambda w: w["x"])
        items.append((min(w["y"] for w in line_words), " ".join(w["text"] for w in line_words)))
    for g, grid in enumerate(grids):
        for b in range(len(grid.ys) - 1):
            edges = sorted(set(grid.bands[b]) | {min(grid.xs), max(grid.xs)})
            texts = [_cell_words(cells.get((g, b, c), [])) for c in range(len(edges) - 1)]
            if any(texts):
                items.append((grid.ys[b] + 1, CELL_SEP.join(texts).strip()))
    items.sort(key=lambda item: item[0])
    return "\n".join(text for _, text in items)


def _cell_words(words: list[dict]) -> str:
    """Text of one table cell: its words in lines, top to bottom; "-" items keep their own line."""
    if not words:
        return ""
    words = sorted(words, key=lambda w: w["y"] + w["h"] / 2)
    heights = sorted(w["h"] for w in words)
    tolerance = heights[len(heights) // 2] * 0.6
    lines: list[list[dict]] = []
    for word in words:
        center = word["y"] + word["h"] / 2
        if lines and abs(center - (lines[-1][0]["y"] + lines[-1][0]["h"] / 2)) <= tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    out: list[str] = []
    for line in lines:
        text = " ".join(w["text"] for w in sorted(line, key=lambda w: w["x"]))
        if out and re.match(r"^[-+•]\s", text):
            out.append(PARA_SEP.strip())
        out.append(text)
    return re.sub(r"\s+", " ", " ".join(out)).strip()
