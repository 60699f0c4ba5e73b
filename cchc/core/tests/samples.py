"""Files for upload tests, built in memory: small honest ones and the bombs of issue 9."""

import io
import os
import zipfile
from functools import lru_cache

MB = 1024 * 1024


def tiny_pdf(pages: int = 1) -> bytes:
    """A real PDF (Pillow writes one page per image)."""
    from PIL import Image

    images = [Image.new("RGB", (40, 40), "white") for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


def tiny_image(kind: str = "PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(out, kind)
    return out.getvalue()


def tiny_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả cải cách hành chính.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@lru_cache(maxsize=1)
def docx_bomb() -> bytes:
    """About 1 MB that inflates to 400 MB: a Word document whose body is one huge run of text."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", b"<w:t>" + b"A" * (400 * MB) + b"</w:t>")
        # Incompressible padding so the file itself weighs about a megabyte, like the one reported.
        archive.writestr("word/media/padding.bin", os.urandom(600 * 1024), zipfile.ZIP_STORED)
    return out.getvalue()


@lru_cache(maxsize=2)
def xlsx_rows(rows: int = 1_000_000, sheet: str = "Nhiệm vụ") -> bytes:
    """A workbook whose one sheet has ``rows`` numbered rows: the sheet XML is generated, compressed
    to a few megabytes; nothing close to the million rows is ever held in memory here."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = sheet
    workbook.active.append(["Lĩnh vực", "Số TT", "Nội dung công việc"])
    base = io.BytesIO()
    workbook.save(base)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
                continue
            with target.open("xl/worksheets/sheet1.xml", "w") as handle:
                handle.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org'
                    b'/spreadsheetml/2006/main"><sheetData>'
                    b'<row r="1"><c r="A1" t="inlineStr"><is><t>L\xc4\xa9nh v\xe1\xbb\xb1c</t></is></c></row>'
                )
                chunk = []
                for n in range(2, rows + 2):
                    chunk.append(b'<row r="%d"><c r="A%d"><v>9</v></c></row>' % (n, n))
                    if len(chunk) == 10000:
                        handle.write(b"".join(chunk))
                        chunk = []
                handle.write(b"".join(chunk) + b"</sheetData></worksheet>")
    return out.getvalue()


@lru_cache(maxsize=1)
def junk_pdf(size: int = 25 * MB) -> bytes:
    """A PDF header followed by 25 MB of random bytes (without "<", so no HTML marker turns up by chance
    and the refusal tested is the one meant)."""
    return b"%PDF-1.7\n" + os.urandom(size).replace(b"<", b"(")


def pdf_exe_polyglot() -> bytes:
    """A Windows program with a valid PDF after it: readers that hunt for %PDF open it as a PDF."""
    exe = (
        b"MZ\x90\x00\x03\x00\x00\x00"
        + b"\x00" * 56
        + b"This program cannot be run in DOS mode.\r\n"
        + b"\x00" * 200
    )
    return exe + tiny_pdf()


def html_behind_jpeg() -> bytes:
    """A JPEG header and a web page behind it: a browser that sniffs runs the script."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + (
        b"<html><body><script>alert(document.cookie)</script></body></html>"
    )


def jpeg_with_html_after_it() -> bytes:
    return tiny_image("JPEG") + b"<html><script>alert(1)</script></html>"


@lru_cache(maxsize=1)
def docx_heavy(paragraphs: int = 600_000) -> bytes:
    """A well-formed Word document of a few hundred thousand paragraphs: within the zip limits when
    the ratio limit is raised, but slow and memory-hungry to parse, to prove the child's limits."""
    document = tiny_docx()
    out = io.BytesIO()
    body = (
        b"<w:p><w:r><w:t>Nhi\xe1\xbb\x87m v\xe1\xbb\xa5 c\xe1\xba\xa3i c\xc3\xa1ch</w:t></w:r></w:p>"
        * paragraphs
    )
    with (
        zipfile.ZipFile(io.BytesIO(document)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + body, 1)
            target.writestr(info, data)
    return out.getvalue()


# A bomb refused by its directory or its first rows is refused in well under a second on a quiet machine;
# reading it through would take minutes. The tests assert the refusal came early with room for a loaded
# machine (two test processes and more on two cores); the figures themselves are printed and benchmarked
# in bench/upload_bombs.py.
EARLY_REFUSAL_SECONDS = 5
