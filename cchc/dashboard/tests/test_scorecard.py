from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.dashboard.models import ScorecardRow
from cchc.dashboard.services import refresh_scorecard
from cchc.dashboard.tests.conftest import at

TODAY = date(2026, 12, 2)


def row(unit, year=2026):
    return ScorecardRow.objects.get(unit=unit, year=year)


def test_the_snapshot_has_one_row_per_reporting_unit_with_tasks_rolled_up_the_tree(world):
    assert refresh_scorecard(2026, today=TODAY) == 5  # city, two departments, two communes
    mao_dien = row(world.mao_dien)
    # Mao Điền's issued plan has three tasks led by its sub-units; Quý II/2026 is overdue by December.
    assert (mao_dien.tasks_total, mao_dien.tasks_done, mao_dien.tasks_overdue) == (3, 0, 1)
    assert mao_dien.parent_id == world.city.pk and mao_dien.block == "commune"
    city = row(world.city)
    assert (city.tasks_total, city.tasks_overdue, city.child_count) == (3, 1, 4)
    assert city.areas == {"1": [0, 2], "2": [0, 1]}
    # Nam Sách's plan is still a draft: nothing counted.
    assert row(world.nam_sach).tasks_total == 0


def test_an_accepted_report_refreshes_the_snapshot_with_its_timeliness(
    world, reporting, personas, django_capture_on_commit_callbacks
):
    from cchc.reporting import services

    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    with at(date(2026, 3, 2)):
        report = services.report_submit(
            expected_version=report.version, actor=personas["head"], report=report
        )
    assert not ScorecardRow.objects.exists()
    # Accepted on 2 December, before the yearly report's deadline (5 December): the count of periods
    # due must not depend on the day the suite runs.
    with at(TODAY), django_capture_on_commit_callbacks(execute=True):
        services.report_accept(actor=personas["city_standing"], report=report)
    mao_dien, nam_sach, city = row(world.mao_dien), row(world.nam_sach), row(world.city)
    assert mao_dien.reports_on_time >= 1 and mao_dien.reports_due >= mao_dien.reports_on_time
    assert nam_sach.reports_on_time == 0 and nam_sach.reports_missing == nam_sach.reports_due > 0
    # Four units report to the city (two departments, two communes), three periods past deadline.
    assert city.reports_due == 4 * mao_dien.reports_due == 12


def test_the_command_refreshes_this_year_and_last(world):
    from django.core.management import call_command

    call_command("refresh_scorecard", "--year", "2026")
    assert ScorecardRow.objects.filter(year=2026).count() == 5


def test_the_city_scorecard_lists_the_blocks_and_the_units_below_with_traffic_lights(
    world, personas, login, snapshot
):
    # 40% online in Mao Điền against the city's 85% target: red; Nam Sách 90%: green.
    ScorecardRow.objects.filter(unit=world.mao_dien, year=2026).update(online_num=40, online_den=100)
    ScorecardRow.objects.filter(unit=world.nam_sach, year=2026).update(online_num=90, online_den=100)
    ScorecardRow.objects.filter(unit=world.mao_dien, year=2025).update(online_num=20, online_den=100)
    html = login(personas["leader"]).get(reverse("dashboard:scorecard")).content.decode()
    assert "Bảng điểm cải cách hành chính · Ủy ban nhân dân thành phố Hải Phòng" in html
    assert "Khối xã, đặc khu" in html and "Khối sở, ban, ngành" in html
    table = html[html.index('id="sc-table"') :]
    assert "Xã Mao Điền" in table and "Sở Giáo dục và Đào tạo" in table
    mao = table[table.index("Xã Mao Điền") : table.index("</tr>", table.index("Xã Mao Điền"))]
    assert "sc-red" in mao and "40,0%" in mao and "sc-up" in mao  # 20% → 40%: better
    nam = table[table.index("Xã Nam Sách") : table.index("</tr>", table.index("Xã Nam Sách"))]
    assert "sc-green" in nam and "Đạt chỉ tiêu" in nam
    assert "Tiến độ theo lĩnh vực" in html and "<svg" in html and 'id="sc-areas"' in html
    assert "Xu hướng" in html and 'id="sc-trend"' in html


def test_block_filter_and_sorting(world, personas, login, snapshot):
    client = login(personas["city_standing"])
    html = client.get(reverse("dashboard:scorecard"), {"khoi": "commune"}).content.decode()
    table = html[html.index('id="sc-table"') :]
    assert "Xã Mao Điền" in table and "Sở Giáo dục" not in table
    html = client.get(reverse("dashboard:scorecard"), {"sap": "qua-han", "chieu": "giam"}).content.decode()
    table = html[html.index('id="sc-table"') :]
    assert table.index("Xã Mao Điền") < table.index("Xã Nam Sách")  # 1 overdue before 0
    html = client.get(reverse("dashboard:scorecard"), {"sap": "qua-han", "chieu": "tang"}).content.decode()
    table = html[html.index('id="sc-table"') :]
    assert table.index("Xã Nam Sách") < table.index("Xã Mao Điền")
    # Junk parameters fall back to the defaults instead of failing.
    assert (
        client.get(
            reverse("dashboard:scorecard"), {"sap": "x", "khoi": "y", "nam": "z", "page": "9"}
        ).status_code
        == 200
    )


def test_drill_down_from_the_city_to_a_commune_and_its_own_pages(world, personas, login, snapshot):
    client = login(personas["leader"])
    city = client.get(reverse("dashboard:scorecard")).content.decode()
    link = reverse("dashboard:scorecard_unit", args=[world.mao_dien.pk])
    assert link in city
    html = client.get(link).content.decode()
    assert "Bảng điểm cải cách hành chính · Xã Mao Điền" in html
    assert 'id="sc-table"' not in html  # a commune has no reporting units below it
    start = html.index('class="crumbs')
    crumbs = html[start : html.index("</nav>", start)]
    assert "Ủy ban nhân dân thành phố Hải Phòng" in crumbs
    pages = html[html.index('id="sc-unit-pages"') :]
    assert reverse("plans:plan_detail", args=[world.plan.pk]) in pages
    assert "?don-vi=10930" in pages


def test_a_unit_without_a_snapshot_says_so(world, personas, login):
    html = login(personas["leader"]).get(reverse("dashboard:scorecard")).content.decode()
    assert 'id="sc-empty"' in html


@pytest.mark.parametrize(
    "persona, unit, status",
    [
        ("anonymous", "city", 302),
        ("leader", "city", 200),
        ("leader", "mao_dien", 200),
        ("city_standing", "city", 200),
        ("city_standing", "nam_sach", 200),
        ("commune_standing", "mao_dien", 200),  # the commune's standing agency
        ("commune_standing", "city", 404),
        ("officer", "mao_dien", 200),  # same unit
        ("head", "mao_dien", 200),
        ("officer", "nam_sach", 404),
        ("sibling", "mao_dien", 404),
        ("sibling", "nam_sach", 200),
        ("department_officer", "education", 200),
        ("department_officer", "city", 404),
        ("commune_leader", "mao_dien", 200),
        ("commune_leader", "city", 404),
        ("commune_leader", "nam_sach", 404),
        ("admin", "nam_sach", 200),
    ],
)
def test_permission_matrix_of_the_scorecard(
    world, personas, login, snapshot, commune_leader, persona, unit, status
):
    people = {**personas, "commune_leader": commune_leader}
    client = login(people[persona])
    response = client.get(reverse("dashboard:scorecard_unit", args=[getattr(world, unit).pk]))
    assert response.status_code == status


def test_each_persona_opens_the_scorecard_of_its_own_subtree(
    world, personas, login, snapshot, commune_leader
):
    html = login(commune_leader).get(reverse("dashboard:scorecard")).content.decode()
    assert "Bảng điểm cải cách hành chính · Xã Mao Điền" in html
    assert "Xã Nam Sách" not in html and "Sở Giáo dục" not in html
    html = login(personas["city_standing"]).get(reverse("dashboard:scorecard")).content.decode()
    assert "· Ủy ban nhân dân thành phố Hải Phòng" in html
    # An internal sub-unit is not a scorecard node.
    response = login(personas["leader"]).get(
        reverse("dashboard:scorecard_unit", args=[world.mao_dien_office.pk])
    )
    assert response.status_code == 404


def test_the_scorecard_reads_a_fixed_number_of_queries_whatever_the_number_of_units(
    world, personas, login, snapshot
):
    from cchc.org import services as org

    client = login(personas["leader"])
    url = reverse("dashboard:scorecard")
    client.get(url)  # warm: the session and the person's scope
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(60):
        org.unit_create(
            actor=None,
            code=f"X{number}",
            name=f"Xã Thử {number}",
            kind="commune",
            parent=world.city,
            block="commune",
        )
    refresh_scorecard(2026, today=TODAY)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "Trang 1/2" in response.content.decode()  # 64 units below: paginated, not all rendered
    assert len(many) == len(few)
    assert len(few) <= 12, [q["sql"][:120] for q in few.captured_queries]  # 12 with the header's unread count


def test_every_persona_opens_the_home_page_and_its_own_scorecard(world, personas, login, snapshot):
    from cchc.testing import check_matrix

    #        anon off  office head c_std sib  city dept lead admin
    every = "302  200  200    200  200   200  200  200  200  200"
    pages = [(reverse("home"), every), (reverse("dashboard:scorecard"), every)]
    assert check_matrix(login, personas, pages) == []
