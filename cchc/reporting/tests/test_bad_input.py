"""A report or consolidation save never overwrites without a version, and never answers 500 to
numbers that are not numbers: the page comes back with a Vietnamese error and what was typed."""

import pytest
from django.urls import reverse

from cchc.reporting import services
from cchc.reporting.models import ConsolidatedReport, UnitReport


@pytest.fixture
def report(world, reporting, personas):
    _, periods = reporting
    return services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)


def _online(report):
    return report.target_values.get(target__text__startswith="Tỷ lệ hồ sơ")


@pytest.mark.parametrize("version", [None, "", "abc", "1.5", "-1", "0", "99999999999999999999", "١"])
def test_a_report_saved_without_a_usable_version_is_refused_and_the_input_kept(
    report, personas, login, version
):
    data = {"narrative_causes": "Thiếu nhân lực do nghỉ chế độ"} | (
        {} if version is None else {"version": version}
    )
    response = login(personas["officer"]).post(reverse("reporting:report_save", args=[report.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Không xác định được phiên bản" in page and "Thiếu nhân lực do nghỉ chế độ</textarea>" in page
    saved = UnitReport.objects.get(pk=report.pk)
    assert (saved.version, saved.narrative["causes"]) == (1, "")


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        ("NaN", "100", "không phải là số hữu hạn"),
        ("Infinity", "100", "không phải là số hữu hạn"),
        ("-Infinity", "100", "không phải là số hữu hạn"),
        ("1e400", "100", "quá lớn"),
        ("9" * 30, "100", "quá lớn"),
        ("5", "-10", "không được là số âm"),
        ("5", "0", "mẫu số phải lớn hơn 0"),
        ("abc", "100", "không phải là số"),
        ("150", "100", "tử số lớn hơn mẫu số"),
    ],
)
def test_figures_that_are_not_finite_or_too_large_are_refused_and_kept(
    report, personas, login, numerator, denominator, message
):
    value = _online(report)
    response = login(personas["officer"]).post(
        reverse("reporting:report_save", args=[report.pk]),
        {
            "version": "1",
            f"target_{value.target_id}_numerator": numerator,
            f"target_{value.target_id}_denominator": denominator,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'value="{numerator}"' in page
    assert UnitReport.objects.get(pk=report.pk).version == 1


def test_ids_in_field_names_that_overflow_are_ignored_not_a_500(report, personas, login):
    response = login(personas["officer"]).post(
        reverse("reporting:report_save", args=[report.pk]),
        {"version": "1", "task_99999999999999999999_progress": "5", "target_²_numerator": "1"},
    )
    assert response.status_code == 302


def test_the_consolidation_needs_a_version_and_a_page_read_before_it_existed_sends_version_one(
    world, reporting, personas, login
):
    _, periods = reporting
    url = reverse("reporting:consolidation", args=[periods["2026-Q1"].pk])
    client = login(personas["city_standing"])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    refused = client.post(url, {"narrative_causes": "Chưa đủ số liệu"})
    assert refused.status_code == 400 and "Chưa đủ số liệu</textarea>" in refused.content.decode()
    assert client.post(url, {"version": "1", "narrative_causes": "Lần một"}).status_code == 302
    stale = client.post(url, {"version": "1", "narrative_causes": "Lần hai"})
    assert stale.status_code == 409 and "Lần hai</textarea>" in stale.content.decode()
    assert ConsolidatedReport.objects.get().narrative["causes"] == "Lần một"
