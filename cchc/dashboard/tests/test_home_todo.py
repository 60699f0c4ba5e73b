from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.dashboard import todo
from cchc.dashboard.tests.conftest import at
from cchc.plans import services as plans


def test_the_home_page_keeps_its_url_name_and_lists_what_is_overdue_for_the_officer(world, personas, login):
    html = login(personas["officer"]).get(reverse("home")).content.decode()
    mine = html[html.index('id="todo-mine"') :]
    assert "Nhiệm vụ tôi chủ trì đến hạn, quá hạn" in mine
    assert "Rà soát văn bản về đất đai" in mine and "quá hạn 30/06/2026" in mine
    assert reverse("plans:task_detail", args=[world.subtask.pk]) in mine


def test_the_menu_shows_the_count_of_what_is_to_do(world, personas, login):
    # On 2 December: the tasks due at the end of the year are not yet within two weeks.
    with at(date(2026, 12, 2)):
        html = login(personas["officer"]).get(reverse("plans:plan_list")).content.decode()
        counts = todo.counts_for(personas["officer"])
    menu = html[html.index('class="nav-todo"') :]
    assert 'class="count-badge"' in menu[:300]
    assert counts["tasks"] == 1  # the overdue subtask (the others are due later than two weeks)
    assert f">{sum(counts.values())}</span>" in menu[:300]


def test_a_sibling_commune_does_not_see_another_communes_tasks(world, personas, login):
    html = login(personas["sibling"]).get(reverse("home")).content.decode()
    assert "Rà soát văn bản về đất đai" not in html
    assert todo.counts_for(personas["sibling"])["tasks"] == 0


def test_reports_to_submit_and_reports_awaiting_review(world, personas, login, reporting):
    from cchc.reporting import services

    _, periods = reporting
    officer_counts = todo.counts_for(personas["officer"])
    assert officer_counts["reports_new"] >= 1  # periods due, not started
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    assert todo.counts_for(personas["officer"])["reports"] == 1
    with at(date(2026, 3, 2)):
        services.report_submit(expected_version=report.version, actor=personas["head"], report=report)
    assert todo.counts_for(personas["officer"])["reports"] == 0
    assert todo.counts_for(personas["city_standing"])["reports_to_review"] == 1
    assert todo.counts_for(personas["commune_standing"])["reports_to_review"] == 0
    html = login(personas["city_standing"]).get(reverse("home")).content.decode()
    review = html[html.index('id="todo-review"') :]
    assert "Báo cáo đơn vị đã gửi, chờ tôi xem xét" in review and "Xã Mao Điền" in review
    assert reverse("reporting:report_detail", args=[report.pk]) in review


def test_a_leader_who_only_follows_has_nothing_to_do(world, personas, login):
    html = login(personas["leader"]).get(reverse("home")).content.decode()
    assert 'id="todo-empty"' in html


def test_the_menu_counts_cost_one_query_and_the_home_page_a_fixed_number(world, personas, login):
    client = login(personas["officer"])
    client.get(reverse("home"))  # warm the session
    from cchc.org.permissions import scope_for

    scope_for(personas["officer"])  # the request has the scope already
    with CaptureQueriesContext(connection) as counted:
        todo.counts_for(personas["officer"])
    assert len(counted) == 1
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for number in range(15):
        plans.task_create(
            actor=None,
            plan=world.plan,
            area=4,
            number=str(number),
            content=f"Nhiệm vụ {number}",
            lead=["Phòng Văn hóa - Xã hội"],
            time_text="Quý I/2026",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few)
    assert len(few) <= 16, [q["sql"][:100] for q in few.captured_queries]


@pytest.mark.parametrize("persona", ["anonymous"])
def test_anonymous_people_are_sent_to_sign_in(world, personas, login, persona):
    response = login(personas[persona]).get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@override_settings(TODO_COUNTS_CACHED=True)
def test_the_menu_counts_are_kept_until_something_is_written(world, personas, reporting):
    from cchc.reporting import services

    _, periods = reporting
    officer = personas["officer"]
    from cchc.org.permissions import scope_for

    scope_for(officer)  # the request has the scope already
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        first = todo.counts_for(officer)
    assert len(cold) == 2  # the data's version, then every count in one query
    with CaptureQueriesContext(connection) as warm:
        assert todo.counts_for(officer) == first
    assert len(warm) == 1  # nothing written since: the version only
    report = services.report_start(actor=officer, period=periods["2026-Q1"], unit=world.mao_dien)
    assert todo.counts_for(officer)["reports"] == first["reports"] + 1  # a write: counted afresh
    with at(date(2026, 3, 2)):
        services.report_submit(expected_version=report.version, actor=personas["head"], report=report)
    assert todo.counts_for(officer)["reports"] == first["reports"]
    assert todo.counts_for(personas["city_standing"])["reports_to_review"] == 1


@override_settings(TODO_COUNTS_CACHED=True)
def test_a_quota_filled_by_public_answers_leaves_the_cached_counts(world, personas, surveys, submit):
    from cchc.surveys import services as survey_services

    officer = personas["officer"]
    survey_services.quota_set(
        actor=personas["city_standing"], round_=surveys.round, unit=world.mao_dien, target=1
    )
    cache.clear()
    before = todo.counts_for(officer)["quotas"]
    assert before == 1
    submit(surveys.mao_dien_desk)  # a citizen's answer: no audit row, the quota fills up
    assert todo.counts_for(officer)["quotas"] == 0
