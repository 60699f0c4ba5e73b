"""KPI pages, drill-down, exports and targets fed by the dossiers, for every persona."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cchc.delivery import selectors, services
from cchc.delivery.models import DossierImport
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.plans import services as plan_services
from cchc.testing import check_matrix


def _import(tmp_path, rows, name="mot-cua.csv"):
    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / name, rows))
    assert batch.status == "succeeded", batch.errors
    return batch


def _mao_dien_january(online: int, total: int = 20) -> list[dict]:
    """Mao Điền's dossiers received in the January period (15/12/2025–14/01/2026), ``online`` of
    ``total`` online; two finished late, one still open and late at the period's end."""
    rows = [
        dossier("10930", i, f"2026-01-{5 + i % 5:02d} 09:00", online=i <= online) for i in range(1, total + 1)
    ]
    rows[0] = dossier("10930", 1, "2026-01-06 09:00", online=True, done_days=5)  # late, 11/01 > 09/01
    rows[1] = dossier("10930", 2, "2026-01-07 09:00", online=True, done_days=6, apology=True)  # late
    rows[2] = dossier("10930", 3, "2026-01-08 09:00", online=True, done_days=None)  # open, due 11/01
    return rows


@pytest.fixture
def dossiers(world, tmp_path):
    rows = _mao_dien_january(online=17)
    rows += [dossier("10606", i, "2026-01-05 10:00", online=i <= 2) for i in range(1, 11)]
    rows += [dossier("SGDDT", i, "2026-02-03 10:00", field="Giáo dục", done_days=2) for i in range(1, 6)]
    return _import(tmp_path, rows)


@pytest.fixture
def online_target(world):
    """Mao Điền's own "≥ 85%" target, linked to the online-share KPI."""
    target = plan_services.target_create(
        actor=None,
        plan=world.plan,
        area=2,
        text="Tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ đạt tối thiểu 85%",
        metric="Tỷ lệ hồ sơ TTHC giải quyết trực tuyến",
        comparator="gte",
        threshold=85,
        unit_of_measure="%",
    )
    services.target_link_set(actor=None, target=target, kpi="online_share", expected_version=0)
    return target


def test_a_communes_online_target_shows_its_computed_value_and_status(
    dossiers, online_target, personas, login
):
    page = login(personas["officer"]).get("/chi-tieu/")
    html = page.content.decode()
    row = html[html.index(online_target.text) :]
    row = row[: row.index("</tr>")]

    assert "85,0%" in row  # 17 of 20 received in the period were online
    assert "Đạt" in row and "Chưa đạt" not in row
    assert "tự động từ hồ sơ một cửa" in row

    plan_page = login(personas["officer"]).get(f"/ke-hoach/{online_target.plan_id}/").content.decode()
    cell = plan_page[plan_page.index(f'data-target-actual="{online_target.pk}"') :]
    assert "85,0%" in cell[:400] and "Đạt" in cell[:400]


def test_the_status_turns_to_not_met_below_the_threshold(world, tmp_path, online_target):
    _import(tmp_path, _mao_dien_january(online=16))
    actual = selectors.target_actuals([online_target])[online_target.pk]
    assert (actual.value_label, actual.status_label) == ("80,0%", "Chưa đạt")


def test_the_linked_targets_page_shows_each_period(dossiers, online_target, personas, login):
    html = login(personas["head"]).get("/dich-vu-cong/chi-tieu/").content.decode()
    assert online_target.text in html
    assert 'data-period="2026-Q1"' in html and "85,0%" in html


def test_the_value_flows_into_the_units_periodic_report(dossiers, online_target, world, personas, login):
    from cchc.reporting import services as reporting

    rule_set = reporting.rule_set_create_hai_phong(actor=None, issuer=world.city)
    january = reporting.adhoc_request_create(
        actor=personas["city_standing"],
        rule_set=rule_set,
        title="Báo cáo tình hình giải quyết TTHC tháng 1/2026",
        deadline=date(2026, 1, 20),
        units=[world.mao_dien],
        request_text="Báo cáo số liệu giải quyết TTHC",
        cutoff_start=date(2025, 12, 15),
        cutoff_end=date(2026, 1, 14),
    )
    report = reporting.report_start(actor=personas["officer"], period=january, unit=world.mao_dien)

    value = report.target_values.get(target=online_target)
    assert (value.numerator, value.denominator, value.actual) == (17, 20, 85)
    assert "Tự động từ dữ liệu hồ sơ một cửa" in value.note
    untouched = report.target_values.exclude(target=online_target).first()
    assert untouched.actual is None and untouched.note == ""

    page = login(personas["officer"]).get(f"/bao-cao/{report.pk}/").content.decode()
    assert (
        "Tự động từ dữ liệu hồ sơ một cửa (Tỷ lệ hồ sơ giải quyết trực tuyến, 15/12/2025–14/01/2026)" in page
    )

    reporting.report_save(
        actor=personas["officer"],
        report=report,
        expected_version=report.version,
        target_values={online_target.pk: {"numerator": "18", "denominator": "20"}},
    )
    value.refresh_from_db()
    assert (value.actual, value.note) == (90, "Đơn vị sửa giá trị tính tự động từ dữ liệu hồ sơ một cửa.")


def test_kpis_drill_down_from_the_city_to_a_commune_to_its_late_dossiers(dossiers, personas, login):
    client = login(personas["city_standing"])
    city = client.get("/dich-vu-cong/?ky=2026-01").content.decode()
    assert "Xã Mao Điền" in city and "Xã Nam Sách" in city
    assert "<svg" in city  # ranking and trend charts, rendered on the server
    assert "?don-vi=10930&amp;ky=2026-01" in city

    commune = client.get("/dich-vu-cong/?don-vi=10930&ky=2026-01").content.decode()
    assert 'data-kpi="online_share">85,0%' in commune
    assert "Hồ sơ trễ hạn (3)" in commune  # two finished late + one open past due at 14/01

    late = client.get("/dich-vu-cong/ho-so-tre-han/?don-vi=10930&ky=2026-01").content.decode()
    assert '<strong id="late-total">3</strong>' in late
    for code in ("10930-260106-0001", "10930-260107-0002", "10930-260108-0003"):
        assert code in late


def test_the_late_list_agrees_with_the_late_count_for_every_unit(world, tmp_path):
    from cchc.delivery import store
    from cchc.delivery.kpi import write_file
    from cchc.delivery.tests.factories import WORLD_UNITS

    out = write_file(tmp_path / "nam.csv", 4000, 2026, "csv", units=WORLD_UNITS, seed=3)
    batch = services.dossiers_import(actor=None, path=out)
    catalogue = selectors.period_catalogue()
    settings = selectors.kpi_config().engine_settings()
    for key in ("2026-03", "2026-Q2", "2026"):
        period = catalogue.get(key)
        for unit in (world.city, world.mao_dien, world.education):
            kpis = selectors.unit_kpis(unit, period)
            _, total = store.late_dossiers(
                store.snapshot_path(batch.snapshot),
                selectors.unit_codes_below(unit),
                period.start,
                period.end,
                settings,
            )
            assert total == kpis["late_total"], (key, unit.code)
            assert kpis["late_total"] > 0


def test_kpi_tables_export_to_excel(dossiers, personas, login):
    response = login(personas["leader"]).get("/dich-vu-cong/xuat-excel/?don-vi=HP&ky=2026-Q1")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Theo đơn vị", "Theo lĩnh vực", "Theo tháng"]
    units = {row[0].value: row for row in book["Theo đơn vị"].iter_rows(min_row=5)}
    mao_dien = units["Xã Mao Điền"]
    headers = [c.value for c in book["Theo đơn vị"][4]]
    assert mao_dien[headers.index("Tỷ lệ hồ sơ trực tuyến")].value == pytest.approx(0.85)
    assert mao_dien[headers.index("Tổng trễ hạn")].value == 3

    late = login(personas["officer"]).get("/dich-vu-cong/ho-so-tre-han/xuat-excel/?don-vi=10930&ky=2026-01")
    sheet = load_workbook(io.BytesIO(late.content)).active
    codes = [row[0].value for row in sheet.iter_rows(min_row=5)]
    assert sorted(codes) == ["10930-260106-0001", "10930-260107-0002", "10930-260108-0003"]


def test_every_page_answers_each_persona_within_its_scope(dossiers, online_target, personas, login):
    # anonymous officer office_officer head commune_standing sibling city_standing department_officer leader admin
    pages = [
        ("/dich-vu-cong/", "302 200 200 200 200 200 200 200 200 200"),
        ("/dich-vu-cong/?don-vi=10930", "302 200 200 200 200 404 200 404 200 200"),
        ("/dich-vu-cong/?don-vi=10606", "302 404 404 404 404 200 200 404 200 200"),
        ("/dich-vu-cong/?don-vi=HP", "302 404 404 404 404 404 200 404 200 200"),
        ("/dich-vu-cong/xuat-excel/?don-vi=10930", "302 200 200 200 200 404 200 404 200 200"),
        ("/dich-vu-cong/ho-so-tre-han/?don-vi=10930&ky=2026-01", "302 200 200 200 200 404 200 404 200 200"),
        ("/dich-vu-cong/ho-so-tre-han/xuat-excel/?don-vi=10930", "302 200 200 200 200 404 200 404 200 200"),
        ("/dich-vu-cong/ho-so-tre-han/?don-vi=SGDDT", "302 404 404 404 404 404 200 200 200 200"),
        ("/dich-vu-cong/chi-tieu/", "302 200 200 200 200 200 200 200 200 200"),
        ("/dich-vu-cong/nhap-du-lieu/", "302 404 404 404 404 404 200 404 404 200"),
        (f"/dich-vu-cong/nhap-du-lieu/{dossiers.pk}/", "302 404 404 404 404 404 200 404 404 200"),
        # Publishing on the portal is a POST (cchc/portal/tests/test_delivery_kpis.py posts it as each persona).
        ("/dich-vu-cong/cong-khai/", "302 405 405 405 405 405 405 405 405 405"),
    ]
    assert check_matrix(login, personas, pages) == []


def test_a_sibling_sees_neither_the_target_value_nor_can_link_it(dossiers, online_target, personas, login):
    client = login(personas["sibling"])
    assert online_target.text not in client.get("/dich-vu-cong/chi-tieu/").content.decode()
    response = client.post(
        f"/chi-tieu/{online_target.pk}/chi-so/", {"kpi": "late_rate", "version": _link_version(online_target)}
    )
    assert response.status_code == 404
    online_target.kpi_link.refresh_from_db()
    assert online_target.kpi_link.kpi == "online_share"


def test_the_plans_people_link_a_target_from_its_edit_page(dossiers, world, personas, login):
    target = world.plan.targets.get(text__contains="trực tuyến")
    client = login(personas["officer"])
    response = client.post(
        f"/chi-tieu/{target.pk}/chi-so/", {"kpi": "online_share", "field": "", "version": 0}
    )
    assert response.status_code == 302
    edit = client.get(f"/chi-tieu/{target.pk}/sua/").content.decode()
    assert "<title>Sửa chỉ tiêu · CCHC</title>" in edit
    assert 'value="online_share" selected' in edit and "85,0%" in edit and "Chưa đạt" in edit  # threshold 90%
    client.post(f"/chi-tieu/{target.pk}/chi-so/", {"kpi": "", "version": _link_version(target)})
    assert not hasattr(type(target).objects.get(pk=target.pk), "kpi_link")


def test_uploading_a_file_imports_it_and_shows_the_batch(world, personas, login, tmp_path):
    path = write_csv(tmp_path / "mot-cua.csv", _mao_dien_january(online=17))
    client = login(personas["city_standing"])
    with open(path, "rb") as handle:
        response = client.post("/dich-vu-cong/nhap-du-lieu/", {"file": handle, "mapping": ""}, follow=True)
    html = response.content.decode()  # the job's page (the queue runs inline in tests)
    assert response.redirect_chain[-1][0].startswith("/cong-viec/")
    assert "Hoàn thành" in html and "Đã nhập 20 dòng: 20 hồ sơ mới" in html
    batch = DossierImport.objects.get()
    assert f'href="/dich-vu-cong/nhap-du-lieu/{batch.pk}/"' in html
    detail = client.get(f"/dich-vu-cong/nhap-du-lieu/{batch.pk}/").content.decode()
    assert '<dd id="counts">20 / 0 / 0</dd>' in detail


def test_uploading_a_bad_file_shows_the_rows_and_imports_nothing(world, personas, login, tmp_path):
    rows = _mao_dien_january(online=17)
    rows[4]["received_at"] = "32/13/2026"
    path = write_csv(tmp_path / "loi.csv", rows)
    with open(path, "rb") as handle:
        client = login(personas["city_standing"])
        job_page = client.post("/dich-vu-cong/nhap-du-lieu/", {"file": handle}, follow=True).content.decode()
    assert "Thất bại" in job_page and "không có hồ sơ nào được nhập" in job_page
    batch = DossierImport.objects.get()
    text = client.get(f"/dich-vu-cong/nhap-du-lieu/{batch.pk}/").content.decode()
    assert "dòng 6" in text and "«32/13/2026»" in text
    assert services.current_import() is None


def test_kpi_pages_use_a_fixed_number_of_queries(world, tmp_path, personas, login):
    from cchc.org import services as org

    client = login(personas["leader"])
    _import(tmp_path, _mao_dien_january(online=17), "a.csv")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/dich-vu-cong/?don-vi=HP&ky=2026-Q1").status_code == 200
    for i in range(6):
        org.unit_create(actor=None, code=f"1070{i}", name=f"Xã Thử {i}", kind="commune", parent=world.city)
    rows = _mao_dien_january(online=17) + [
        dossier(f"1070{i}", j, "2026-01-05 10:00") for i in range(6) for j in range(1, 4)
    ]
    _import(tmp_path, rows, "b.csv")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/dich-vu-cong/?don-vi=HP&ky=2026-Q1").status_code == 200
    # 15 with the header's unread count, + 2 for the version of the figures the page is cached under,
    # + 1 for the period's publication
    assert len(many) == len(few) <= 18
    with CaptureQueriesContext(connection) as targets:
        client.get("/dich-vu-cong/chi-tieu/")
    assert len(targets) <= 20


def test_an_open_dossier_not_yet_due_on_the_export_day_is_not_late(world, tmp_path, personas, login):
    rows = [
        dossier("10930", 1, "2026-01-08 09:00", due_days=4, done_days=None),  # due 12/01, open
        dossier("10930", 2, "2026-01-02 09:00", due_days=3, done_days=None),  # due 05/01, open: late
        dossier("10930", 3, "2026-01-09 09:00", done_days=1),  # the last event: 10/01, the export day
    ]
    batch = _import(tmp_path, rows)
    assert str(batch.data_until) == "2026-01-10"
    kpis = selectors.unit_kpis(world.mao_dien, selectors.period_catalogue().get("2026-01"))
    assert kpis["unfinished_late_at_period_end"] == 1
    late = (
        login(personas["officer"])
        .get("/dich-vu-cong/ho-so-tre-han/?don-vi=10930&ky=2026-01")
        .content.decode()
    )
    assert "10930-260102-0002" in late and "10930-260108-0001" not in late
    overview = login(personas["officer"]).get("/dich-vu-cong/?don-vi=10930&ky=2026-01").content.decode()
    assert "Tháng 1/2026 (đến 10/01)" in overview


def test_the_admin_pages_of_the_module_open_for_an_administrator(dossiers, personas, login):
    client = login(personas["admin"])
    for url in (
        "/quan-tri/delivery/kpiconfig/",
        "/quan-tri/delivery/sourcemapping/add/",
        "/quan-tri/delivery/dossierimport/",
        f"/quan-tri/delivery/dossierimport/{dossiers.pk}/change/",
        "/quan-tri/delivery/targetkpilink/",
    ):
        assert client.get(url).status_code == 200, url


def test_changing_the_settings_recomputes_the_figures(dossiers, personas, world):
    january = selectors.period_catalogue().get("2026-01")
    assert selectors.unit_kpis(world.mao_dien, january)["late_rate"] == pytest.approx(3 / 20)
    services.kpi_config_update(
        expected_version=services.kpi_config().version,
        actor=personas["city_standing"],
        late_rate_denominator="finished",
    )
    assert selectors.unit_kpis(world.mao_dien, january)["late_rate"] == pytest.approx(2 / 19)
    with pytest.raises(PermissionDenied):
        services.kpi_config_update(
            expected_version=services.kpi_config().version, actor=personas["head"], satisfied_min_rating=5
        )


def test_the_home_page_sums_up_the_users_own_unit(dossiers, personas, login):
    officer = login(personas["officer"]).get("/").content.decode()
    assert "Giải quyết thủ tục hành chính · Xã Mao Điền" in officer and "85,0%" in officer
    sibling = login(personas["sibling"]).get("/").content.decode()
    assert "Xã Nam Sách" in sibling and "Xã Mao Điền" not in sibling.split('id="home-delivery"')[0][-300:]
    client = login(personas["leader"])
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) <= 14


def test_every_write_endpoint_answers_each_persona_within_its_scope(
    dossiers, online_target, personas, login, tmp_path
):
    from cchc.delivery.models import DossierImport, TargetKpiLink
    from cchc.testing import expect

    # anonymous officer office_officer head commune_standing sibling city_standing department_officer leader admin
    link_allowed = expect("302 302 404 302 302 404 404 404 404 302")
    for persona, status in link_allowed.items():
        TargetKpiLink.objects.filter(target=online_target).update(kpi="online_share")
        response = login(personas[persona]).post(
            f"/chi-tieu/{online_target.pk}/chi-so/",
            {"kpi": "late_rate", "version": _link_version(online_target)},
        )
        assert response.status_code == status, persona
        changed = TargetKpiLink.objects.get(target=online_target).kpi == "late_rate"
        assert changed == (status == 302 and persona != "anonymous"), persona

    upload_allowed = expect("302 404 404 404 404 404 302 404 404 302")
    path = write_csv(tmp_path / "them.csv", [dossier("10930", 900, "2026-02-02 09:00")])
    for persona, status in upload_allowed.items():
        before = DossierImport.objects.count()
        with open(path, "rb") as handle:
            response = login(personas[persona]).post("/dich-vu-cong/nhap-du-lieu/", {"file": handle})
        assert response.status_code == status, persona
        assert DossierImport.objects.count() == before + (status == 302 and persona != "anonymous"), persona


def test_a_target_can_be_measured_on_one_field_chosen_from_the_data(dossiers, world, personas, login):
    target = world.plan.targets.get(text__contains="trực tuyến")
    client = login(personas["officer"])
    edit = client.get(f"/chi-tieu/{target.pk}/sua/").content.decode()
    assert '<option value="Giáo dục">Giáo dục</option>' in edit and '<option value="Hộ tịch">' in edit
    client.post(f"/chi-tieu/{target.pk}/chi-so/", {"kpi": "online_share", "field": "Hộ tịch", "version": 0})
    actual = selectors.target_actuals([target])[target.pk]
    assert actual.value_label == "85,0%"  # Mao Điền's dossiers are all Hộ tịch in this set
    response = client.post(
        f"/chi-tieu/{target.pk}/chi-so/",
        {"kpi": "online_share", "field": "Không có", "version": _link_version(target)},
        follow=True,
    )
    assert "Chọn một chỉ số hợp lệ." in response.content.decode()


def _link_version(target) -> int:
    """The version of the target's KPI link as its edit page shows it (0 when it has none)."""
    from cchc.delivery.models import TargetKpiLink

    link = TargetKpiLink.objects.filter(target=target).first()
    return link.version if link else 0


def test_a_kpi_link_saved_from_a_stale_page_or_without_a_version_is_refused(
    dossiers, online_target, personas, login
):
    client = login(personas["officer"])
    stale = client.post(
        f"/chi-tieu/{online_target.pk}/chi-so/", {"kpi": "late_rate", "version": 0}, follow=True
    )
    assert "vừa được người khác thay đổi" in stale.content.decode()
    missing = client.post(f"/chi-tieu/{online_target.pk}/chi-so/", {"kpi": "late_rate"}, follow=True)
    assert "Không xác định được phiên bản" in missing.content.decode()
    online_target.kpi_link.refresh_from_db()
    assert online_target.kpi_link.kpi == "online_share"
