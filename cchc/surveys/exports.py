"""Result and answer exports (.csv streamed, .xlsx through core.xlsx) and the desk poster (.docx)."""

import io
from collections.abc import Iterable, Iterator

import segno
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook

from cchc.core.numbers import format_percent
from cchc.core.xlsx import put, workbook_bytes
from cchc.surveys.models import Answer, Question, Response, Round

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def csv_safe(value):
    """Text a spreadsheet would evaluate is prefixed with a quote, as core.xlsx does for cells."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def result_rows(data: dict, by_unit) -> Iterator[list]:
    aspects = data["aspects"]
    yield (
        ["Đơn vị", "Số phiếu", "Chỉ số chung (%)", "Cận dưới 95%", "Cận trên 95%"]
        + [a["title"] + " (%)" for a in aspects]
    )
    for unit, results in by_unit:
        o = results.overall
        yield ([unit.name, results.responses, o.value, o.low, o.high] + [v.value for _, v in results.aspects])


def result_xlsx(rows: Iterable[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if r > 1 and isinstance(value, float):
                put(ws.cell(r, c), value / 100, percent=True, digits=2)
            else:
                put(ws.cell(r, c), value)
    ws.column_dimensions["A"].width = 40
    return workbook_bytes(wb)


def answer_rows(round_: Round) -> Iterator[list]:
    """One line per response, read in chunks so a round of any size streams in bounded memory."""
    questions = list(
        Question.objects.filter(section__version=round_.version).order_by("section__order", "order", "pk")
    )
    yield ["Phiếu", "Đơn vị", "Lĩnh vực", "Nguồn", "Giờ nhận (làm tròn)"] + [q.code for q in questions]
    responses = Response.objects.filter(round=round_).select_related("unit").order_by("pk")
    last = 0
    while True:
        batch = list(responses.filter(pk__gt=last)[:1000])
        if not batch:
            return
        answers: dict[int, dict[int, Answer]] = {}
        for a in Answer.objects.filter(response__in=batch):
            answers.setdefault(a.response_id, {})[a.question_id] = a
        for response in batch:
            own = answers.get(response.pk, {})
            values = []
            for q in questions:
                a = own.get(q.pk)
                if a is None:
                    values.append("")
                elif q.kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
                    values.append(a.value_int)
                elif q.kind == Question.Kind.MULTIPLE:
                    values.append("; ".join(a.values))
                else:
                    values.append(a.value_text)
            yield [
                response.pk,
                response.unit.name,
                response.field,
                response.get_source_display(),
                response.submitted_hour.strftime("%d/%m/%Y %H:00"),
                *values,
            ]
        last = batch[-1].pk


def poster_docx(channel, url: str) -> bytes:
    """An A4 poster for the desk: the question, the QR code, the link spelt out."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))

    def centred(text: str, size: int, bold: bool = False):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.font.size, run.bold = Pt(size), bold
        return paragraph

    centred(channel.unit.name.upper(), 16, True)
    if channel.desk:
        centred(channel.desk, 14)
    centred("Ông/Bà hài lòng với việc giải quyết thủ tục hành chính?", 22, True)
    centred("Quét mã QR bằng điện thoại để đánh giá — chỉ mất khoảng 2 phút, không cần đăng nhập.", 14)
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=12, border=2)
    image.seek(0)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run().add_picture(image, width=Cm(11))
    centred(url, 12)
    centred(
        "Phiếu không ghi tên, số điện thoại hay mã hồ sơ. Ý kiến của Ông/Bà giúp cơ quan phục vụ tốt hơn.",
        12,
    )
    centred(f"{channel.round.title}", 11)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def percent(value) -> str:
    return format_percent(value, 2, empty="—")


# The poster as PDF -----------------------------------------------------------------------------

POSTER_LAYOUT = 1  # bump when poster_docx changes what it draws: cached PDFs are then redrawn
POSTER_TIMEOUT_SECONDS = 90
NO_OFFICE = (
    "Máy chủ chưa cài LibreOffice nên chưa tạo được áp phích dạng PDF. Anh/Chị vui lòng tải bản .docx "
    "để in, hoặc đề nghị quản trị hệ thống cài LibreOffice."
)
OFFICE_FAILED = (
    "Chưa chuyển được áp phích sang PDF (LibreOffice không trả kết quả kịp). Anh/Chị vui lòng thử lại "
    "sau ít phút hoặc tải bản .docx để in."
)


class PosterUnavailable(Exception):
    """The PDF cannot be made here and now; the message says so in Vietnamese."""


def _poster_key(channel, url: str) -> str:
    """The hash of everything the poster shows: the same content is converted once."""
    import hashlib
    import json

    content = [POSTER_LAYOUT, channel.unit.name, channel.desk, channel.round.title, url]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def poster_pdf(channel, url: str) -> bytes:
    """The A4 poster as PDF: the .docx converted by LibreOffice headless, on demand with a timeout,
    kept under MEDIA_ROOT/cache/ap-phich by the hash of its content."""
    import os
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from django.conf import settings

    cache_dir = Path(settings.MEDIA_ROOT) / "cache" / "ap-phich"
    cached = cache_dir / f"{_poster_key(channel, url)}.pdf"
    if cached.exists():
        return cached.read_bytes()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise PosterUnavailable(NO_OFFICE)
    with tempfile.TemporaryDirectory(prefix="ap-phich-") as work:
        source = Path(work, "ap-phich.docx")
        source.write_bytes(poster_docx(channel, url))
        try:
            # A profile of its own per call: two conversions at once would otherwise share one lock.
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{work}/profile",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    work,
                    str(source),
                ],
                capture_output=True,
                timeout=POSTER_TIMEOUT_SECONDS,
                check=True,
                env={**os.environ, "HOME": work},
            )
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as exc:
            raise PosterUnavailable(OFFICE_FAILED) from exc
        produced = Path(work, "ap-phich.pdf")
        if not produced.exists():
            raise PosterUnavailable(OFFICE_FAILED)
        content = produced.read_bytes()
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(content)
    partial.replace(cached)  # atomic: a parallel reader sees the whole file or none
    return content
