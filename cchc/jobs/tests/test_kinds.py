"""The other long jobs, asked from their pages: report documents, KPI recomputation, plan documents."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document

from cchc.jobs import services
from cchc.jobs.models import Job


def test_the_city_standing_agency_gets_the_consolidated_report_as_a_job_file(
    world, reporting, personas, login
):
    _, periods = reporting
    client = login(personas["city_standing"])
    response = client.post(f"/cong-viec/bao-cao-tong-hop/{periods['2026-Q1'].pk}/docx/", follow=True)
    job = Job.objects.get()
    assert response.redirect_chain[-1][0] == f"/cong-viec/{job.pk}/"
    assert job.status == "succeeded" and job.result_name == "bao-cao-tong-hop-2026-Q1.docx"
    assert "Tải tệp kết quả" in response.content.decode()
    download = client.get(f"/cong-viec/{job.pk}/tai-ve/")
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs)
    assert "BÁO CÁO" in text.upper()
    assert login(personas["sibling"]).get(f"/cong-viec/{job.pk}/tai-ve/").status_code == 404


@pytest.mark.parametrize("persona", ["officer", "sibling", "commune_standing"])
def test_a_commune_cannot_ask_for_the_citys_consolidated_report(world, reporting, personas, login, persona):
    _, periods = reporting
    response = login(personas[persona]).post(f"/cong-viec/bao-cao-tong-hop/{periods['2026-Q1'].pk}/docx/")
    assert response.status_code == 404 and not Job.objects.exists()


def test_a_bad_format_is_refused_before_the_queue(world, reporting, personas):
    _, periods = reporting
    with pytest.raises(Exception, match="docx hoặc xlsx"):
        services.enqueue(
            "consolidated_document",
            user=personas["city_standing"],
            params={"period_id": periods["2026-Q1"].pk, "format": "pdf"},
        )


def test_a_unit_report_document_is_made_for_its_reader_only(world, reporting, personas):
    from cchc.reporting import services as reports

    _, periods = reporting
    report = reports.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    job = services.enqueue(
        "report_document",
        user=personas["officer"],
        unit=world.mao_dien,
        params={"report_id": report.pk, "format": "xlsx"},
    )
    assert job.status == "succeeded" and job.result_name.endswith(".xlsx") and job.result_file
    with pytest.raises(PermissionDenied):
        services.enqueue(
            "report_document", user=personas["sibling"], params={"report_id": report.pk, "format": "xlsx"}
        )


def test_kpi_recomputation_is_a_button_for_the_data_managers_only(world, personas, login):
    assert login(personas["officer"]).post("/cong-viec/tinh-lai-chi-so/").status_code == 404
    response = login(personas["city_standing"]).post("/cong-viec/tinh-lai-chi-so/", follow=True)
    assert Job.objects.get().status == "succeeded" and "Đã tính lại" in response.content.decode()


def test_a_plan_document_is_read_into_a_draft_as_a_job(world, personas, tmp_path):
    from docx import Document as NewDocument

    document = NewDocument()
    for line in (
        "KẾ HOẠCH Cải cách hành chính năm 2026",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NHIỆM VỤ",
        "1. Rà soát, đơn giản hóa thủ tục hành chính. Cơ quan chủ trì: Văn phòng. Thời gian: Quý I/2026.",
        "2. Số hóa hồ sơ một cửa đạt 100%. Cơ quan chủ trì: Văn phòng. Thời gian: năm 2026.",
    ):
        document.add_paragraph(line)
    path = services.upload_dir() / "ke-hoach.docx"
    document.save(path)
    job = services.enqueue(
        "plan_document",
        user=personas["commune_standing"],
        unit=world.mao_dien,
        params={"path": str(path), "filename": "ke-hoach.docx", "issuer_id": world.mao_dien.pk},
    )
    assert job.max_attempts == 1  # a second run could save a second draft: never retried by itself
    assert job.status in ("succeeded", "failed"), job.message
    if job.status == "succeeded":
        assert job.result["draft_id"]
    else:
        assert "Không nhận ra" in job.message  # the parser's own refusal, shown on the job page
    assert not path.exists()
    with pytest.raises(PermissionDenied):
        services.enqueue(
            "plan_document",
            user=personas["sibling"],
            params={"path": str(path), "filename": "x.docx", "issuer_id": world.mao_dien.pk},
        )
