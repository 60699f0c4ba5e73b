"""The upload bombs of issue 9, each sent as the commune officer through the real page and through
the service: refused in under a second, with a Vietnamese message, and nothing kept."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.core.tabular import ImportFileError
from cchc.core.tests import samples
from cchc.docimport import services as docimport
from cchc.docimport.models import ImportDraft
from cchc.plans import excel
from cchc.plans import services as plans


def _timed(label: str, func):
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    print(f"\n{label}: {seconds:.3f} s")
    return result, seconds


def _upload_document(client, world, name: str, data: bytes):
    return client.post(
        reverse("docimport:upload"),
        {"file": SimpleUploadedFile(name, data), "issuer": world.mao_dien.pk, "parent": ""},
    )


def _upload_evidence(client, world, name: str, data: bytes, label: str = "") -> tuple[str, float]:
    """The refusal is timed up to the redirect; the task page it leads to shows the message."""
    response, seconds = _timed(
        label or f"{name}, evidence page",
        lambda: client.post(
            reverse("plans:evidence_upload", args=[world.task.pk]),
            {"file": SimpleUploadedFile(name, data), "kind": "document", "note": ""},
        ),
    )
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode(), seconds


# ---------------------------------------------------------------------------------- through the pages


def test_the_400_mb_docx_is_refused_by_the_plan_document_page(world, personas, login):
    client, bomb = login(personas["officer"]), samples.docx_bomb()
    response, seconds = _timed(
        "docx bomb, plan document page",
        lambda: _upload_document(client, world, "ke-hoach.docx", bomb),
    )
    assert response.status_code == 200
    assert "Tệp giải nén ra quá lớn (400,6 MB), giới hạn là 100 MB" in response.content.decode()
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    assert ImportDraft.objects.count() == 0


def test_the_million_row_xlsx_is_refused_by_the_plan_excel_page(world, personas, login):
    client, bomb = login(personas["officer"]), samples.xlsx_rows(1_000_000)
    tasks_before = world.plan.tasks.count()
    response, seconds = _timed(
        "xlsx of 1.000.000 rows, plan Excel page",
        lambda: client.post(
            reverse("plans:plan_import", args=[world.plan.pk]),
            {"file": SimpleUploadedFile("ke-hoach.xlsx", bomb)},
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "giới hạn mỗi lần nhập là 20.000 dòng dữ liệu" in page
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    assert world.plan.tasks.count() == tasks_before


def test_the_25_mb_junk_pdf_is_refused_by_the_plan_document_page_and_the_evidence_page(
    world, personas, login
):
    client, junk = login(personas["officer"]), samples.junk_pdf()
    response, seconds = _timed(
        "junk PDF of 25 MB, plan document page",
        lambda: _upload_document(client, world, "ke-hoach.pdf", junk),
    )
    assert "không phải PDF hợp lệ" in response.content.decode()
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    page, seconds = _upload_evidence(client, world, "bao-cao.pdf", junk, "junk PDF of 25 MB, evidence page")
    assert "quá lớn (25,0 MB), giới hạn là 20 MB" in page
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    assert world.task.evidence.count() == 0


@pytest.mark.parametrize(
    ("name", "sample", "message"),
    [
        ("bao-cao.pdf", "pdf_exe_polyglot", "có chương trình (EXE) nằm trước phần đầu «%PDF»"),
        ("anh-chup.jpg", "html_behind_jpeg", "không phải ảnh .jpg hợp lệ"),
        ("anh-chup.jpg", "jpeg_with_html_after_it", "có dữ liệu lạ nằm sau phần kết thúc của ảnh"),
    ],
)
def test_polyglots_are_refused_by_the_evidence_page(world, personas, login, name, sample, message):
    client = login(personas["officer"])
    data = getattr(samples, sample)()
    page, seconds = _upload_evidence(client, world, name, data, f"{sample}, evidence page")
    assert message in page
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    assert world.task.evidence.count() == 0


def test_a_real_pdf_is_kept_and_served_only_as_a_download_the_browser_must_not_sniff(world, personas, login):
    client = login(personas["officer"])
    page, _ = _upload_evidence(client, world, "bao-cao.pdf", samples.tiny_pdf())
    assert "Đã đính kèm tài liệu kiểm chứng." in page
    evidence = world.task.evidence.get()
    response = client.get(reverse("plans:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_plan_excel_with_thousands_of_errors_lists_the_first_and_counts_the_rest(
    world, personas, login, settings
):
    from openpyxl import load_workbook

    settings.IMPORT_ERRORS_SHOWN = 5
    workbook = load_workbook(io.BytesIO(excel.export_template()))
    sheet = workbook[excel.TASK_SHEET]
    for n in range(1200):
        sheet.append(["", "", "lĩnh vực lạ", str(n), ""])  # two errors a row: area and content
    out = io.BytesIO()
    workbook.save(out)
    response = login(personas["officer"]).post(
        reverse("plans:plan_import", args=[world.plan.pk]),
        {"file": SimpleUploadedFile("ke-hoach.xlsx", out.getvalue())},
    )
    page = response.content.decode()
    assert "Chưa nhập được tệp: 2.400 lỗi" in page
    assert page.count("<li>Trang tính «Nhiệm vụ»") == 5
    assert "và 2.395 lỗi khác." in page


# ---------------------------------------------------------------------------------- through the services


def test_the_services_refuse_the_same_bombs(world, personas):
    officer = personas["officer"]
    with pytest.raises(ValidationError, match="Tệp giải nén ra quá lớn"):
        docimport.draft_create(
            actor=officer, data=samples.docx_bomb(), filename="ke-hoach.docx", issuer=world.mao_dien
        )
    with pytest.raises(ValidationError, match="thiếu phần kết thúc"):
        docimport.draft_create(
            actor=officer, data=samples.junk_pdf(), filename="rac.pdf", issuer=world.mao_dien
        )
    with pytest.raises(ImportFileError) as caught:
        excel.import_plan(
            actor=officer, plan=world.plan, data=samples.xlsx_rows(1_000_000), filename="a.xlsx"
        )
    assert "20.000 dòng" in caught.value.shown[0]
    for name, data in [
        ("bao-cao.pdf", samples.pdf_exe_polyglot()),
        ("anh.jpg", samples.html_behind_jpeg()),
        ("bom.docx", samples.docx_bomb()),
    ]:
        with pytest.raises(ValidationError):
            plans.evidence_attach(actor=officer, task=world.task, upload=SimpleUploadedFile(name, data))
    assert world.task.evidence.count() == 0
    assert ImportDraft.objects.count() == 0


def test_a_unit_import_of_a_million_rows_is_refused_by_the_service(world, personas):
    from cchc.org import services as org

    with pytest.raises(ImportFileError, match="20.000 dòng"):
        org.units_import(
            actor=personas["admin"], data=samples.xlsx_rows(1_000_000, "Đơn vị"), filename="dv.xlsx"
        )


def test_a_dossier_workbook_bomb_is_refused_before_a_batch_is_even_recorded(world, personas, login, settings):
    from cchc.delivery.models import DossierImport

    settings.DOSSIER_UPLOAD_MAX_UNZIPPED_BYTES = 100 * samples.MB
    bomb, client = samples.docx_bomb(), login(personas["admin"])
    assert client.get(reverse("delivery:imports")).status_code == 200  # modules loaded, DuckDB warm
    response, seconds = _timed(
        "zip bomb as a dossier .xlsx, dossier import page",
        lambda: client.post(reverse("delivery:imports"), {"file": SimpleUploadedFile("ho-so.xlsx", bomb)}),
    )
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Tệp giải nén ra quá lớn (400,6 MB), giới hạn là 100 MB" in page
    assert DossierImport.objects.count() == 0


def test_a_document_that_passes_the_checks_but_reads_forever_is_stopped_by_the_child_time_limit(
    world, personas, login, settings
):
    """A dense Word file an attacker tuned to pass the zip limits: the child is killed at the time
    limit, the page answers with the Vietnamese message, and nothing is kept."""
    settings.UPLOAD_ZIP_MAX_RATIO = 10_000
    settings.UPLOAD_PROCESS_SECONDS = 2
    heavy, client = samples.docx_heavy(), login(personas["officer"])
    response, seconds = _timed(
        "dense docx (35 MB of XML), plan document page",
        lambda: _upload_document(client, world, "ke-hoach.docx", heavy),
    )
    # It passes the page's instant checks, so it is read on the queue (inline in tests): the job's page
    # tells the person, the job is failed and nothing is kept.
    assert response.status_code == 302 and response["Location"].startswith("/cong-viec/")
    job_page = client.get(response["Location"]).content.decode()
    assert "Xử lý tệp quá thời gian cho phép (2 giây) nên đã dừng" in job_page and "Thất bại" in job_page
    assert seconds < 2 + samples.EARLY_REFUSAL_SECONDS  # the 2-second limit, then the refusal
    assert ImportDraft.objects.count() == 0


def test_a_request_body_over_the_cap_is_not_even_received_and_the_person_is_told(
    world, personas, login, settings
):
    settings.UPLOAD_REQUEST_MAX_BYTES = samples.MB
    officer = login(personas["officer"])
    page, _ = _upload_evidence(officer, world, "bao-cao.pdf", b"%PDF-1.7\n" + b"0" * 2 * samples.MB)
    assert "Tệp tải lên quá lớn" in page
    assert "giới hạn là 1 MB. Tệp chưa được lưu." in page
    assert world.task.evidence.count() == 0
