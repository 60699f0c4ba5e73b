"""Reporting pages for every persona, and the fill → submit → return → resubmit → accept flow over HTTP."""

import io

import pytest
from django.urls import reverse

from cchc.reporting import services
from cchc.reporting.models import UnitReport
from cchc.testing import check_matrix

#                  anon off  offi head cstd sib  city dept lead admin
MAO_DIEN_REPORT = "302  200  200  200  200  404  200  404  200  200"
CITY_LEVEL = "302  404  404  404  404  404  200  404  200  200"
EVERYONE = "302  200  200  200  200  200  200  200  200  200"


@pytest.fixture
def report(world, reporting, personas):
    _, periods = reporting
    return services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)


def test_every_reporting_page_answers_each_persona_as_its_scope_allows(
    world, reporting, personas, report, login
):
    _, periods = reporting
    q1 = periods["2026-Q1"]
    pages = [
        (reverse("reporting:period_list"), EVERYONE),
        (reverse("notices:list"), EVERYONE),
        (reverse("reporting:report_detail", args=[report.pk]), MAO_DIEN_REPORT),
        (reverse("reporting:report_export", args=[report.pk, "docx"]), MAO_DIEN_REPORT),
        (reverse("reporting:report_export", args=[report.pk, "xlsx"]), MAO_DIEN_REPORT),
        (reverse("object_history", args=["reporting.unitreport", report.pk]), MAO_DIEN_REPORT),
        (reverse("reporting:period_detail", args=[q1.pk]), CITY_LEVEL),
        (reverse("reporting:consolidation", args=[q1.pk]), CITY_LEVEL),
        (reverse("reporting:consolidation_export", args=[q1.pk, "docx"]), CITY_LEVEL),
    ]
    failures = check_matrix(login, personas, pages)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", ["sibling", "leader", "department_officer", "office_officer"])
def test_posts_outside_scope_change_nothing(world, reporting, personas, report, login, persona):
    client = login(personas[persona])
    client.post(reverse("reporting:report_save", args=[report.pk]), {"version": 1, "narrative_causes": "x"})
    client.post(reverse("reporting:report_submit", args=[report.pk]), _version_of(report))
    report.refresh_from_db()
    assert (report.status, report.narrative["causes"], report.version) == ("draft", "", 1)


def test_fill_submit_return_resubmit_accept_over_http(world, reporting, personas, report, login):
    value = report.target_values.first()
    client = login(personas["officer"])
    response = client.post(
        reverse("reporting:report_save", args=[report.pk]),
        {
            "version": report.version,
            "narrative_area_1": "Đã rà soát 46 văn bản",
            f"task_{world.task.pk}_status": "in_progress",
            f"task_{world.task.pk}_progress": "40",
            f"task_{world.task.pk}_result": "Đang rà soát",
            f"target_{value.target_id}_numerator": "45",
            f"target_{value.target_id}_denominator": "50",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.target_values.get(pk=value.pk).actual == 90
    assert (
        login(personas["officer"])
        .post(reverse("reporting:report_submit", args=[report.pk]), _version_of(report))
        .status_code
        == 302
    )
    assert UnitReport.objects.get(pk=report.pk).status == "draft"  # an officer cannot send it
    login(personas["head"]).post(reverse("reporting:report_submit", args=[report.pk]), _version_of(report))
    assert UnitReport.objects.get(pk=report.pk).status == "submitted"
    login(personas["city_standing"]).post(
        reverse("reporting:report_review", args=[report.pk, "return"]), {"reason": "Bổ sung số liệu"}
    )
    assert UnitReport.objects.get(pk=report.pk).status == "returned"
    report.refresh_from_db()
    login(personas["head"]).post(
        reverse("reporting:report_save", args=[report.pk]),
        {"version": report.version, "narrative_area_1": "Đã bổ sung", "then": "submit"},
    )
    login(personas["city_standing"]).post(reverse("reporting:report_review", args=[report.pk, "accept"]))
    report.refresh_from_db()
    assert (report.status, report.revision, report.revisions.count()) == ("accepted", 2, 2)


def test_a_stale_save_over_http_answers_409_and_keeps_the_first_text(
    world, reporting, personas, report, login
):
    url = reverse("reporting:report_save", args=[report.pk])
    login(personas["officer"]).post(url, {"version": 1, "narrative_causes": "Người thứ nhất"})
    response = login(personas["commune_standing"]).post(
        url, {"version": 1, "narrative_causes": "Người thứ hai"}
    )
    assert response.status_code == 409
    assert "vừa được người khác cập nhật" in response.content.decode()
    report.refresh_from_db()
    assert report.narrative["causes"] == "Người thứ nhất"


def test_the_docx_export_opens_and_reads_as_an_official_report(world, reporting, personas, report, login):
    from docx import Document

    data = (
        login(personas["officer"]).get(reverse("reporting:report_export", args=[report.pk, "docx"])).content
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    document = Document(io.BytesIO(data))
    cells = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells + text
    assert "XÃ MAO ĐIỀN" in cells + text and "ỦY BAN NHÂN DÂN" in cells + text
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2026" in text
    assert "Rà soát danh mục văn bản quy phạm pháp luật" in cells


def test_the_chase_page_counts_and_lets_the_agency_mark_a_unit_missing(world, reporting, personas, login):
    from datetime import date
    from unittest import mock

    _, periods = reporting
    q1 = periods["2026-Q1"]
    client = login(personas["city_standing"])
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 3, 20)):
        html = client.get(reverse("reporting:period_detail", args=[q1.pk])).content.decode()
        assert 'data-count="expected">4<' in html and 'data-count="missing">4<' in html
        client.post(
            reverse("reporting:mark_missing", args=[q1.pk, world.nam_sach.pk]), {"reason": "Không gửi"}
        )
    assert UnitReport.objects.get(period=q1, unit=world.nam_sach).status == "missing"


def test_chase_and_consolidation_pages_query_counts_do_not_grow_with_units(world, reporting, personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cchc.org import services as org

    _, periods = reporting
    q1 = periods["2026-Q1"]
    client = login(personas["city_standing"])
    urls = [
        reverse("reporting:period_detail", args=[q1.pk]),
        reverse("reporting:consolidation", args=[q1.pk]),
        reverse("reporting:period_list"),
    ]

    def counts():
        result = []
        for url in urls:
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    first = services.report_start(actor=None, period=q1, unit=world.mao_dien)
    services.report_submit(expected_version=first.version, actor=None, report=first)
    before = counts()
    for i in range(25):
        unit = org.unit_create(
            actor=None, code=f"8800{i}", name=f"Phường Thử {i}", kind="ward", parent=world.city
        )
        report = services.report_start(actor=None, period=q1, unit=unit)
        services.report_submit(expected_version=report.version, actor=None, report=report)
    assert counts() == before


def test_rule_sets_are_edited_in_the_admin_by_administrators_only(world, reporting, personas, login):
    rule_set, _ = reporting
    url = reverse("admin:reporting_reportingruleset_change", args=[rule_set.pk])
    assert login(personas["admin"]).get(url).status_code == 200
    assert login(personas["city_standing"]).get(url).status_code == 302


def _version_of(report) -> dict:
    """The submit button's form: the version of the report as the page shows it now."""
    report.refresh_from_db()
    return {"version": report.version}
