"""A source change refreshes the scorecard through the job queue, not inside the request that made it;
a burst of changes waiting for the queue is one refresh."""

from datetime import date

import pytest

from cchc.dashboard.models import ScorecardRow
from cchc.dashboard.services import SCORECARD_JOB, refresh_scorecard_soon
from cchc.jobs import services as jobs
from cchc.jobs.models import Job
from cchc.reporting.tests.conftest import at


@pytest.fixture
def queue_held(monkeypatch):
    """A queue whose worker has not come round yet: jobs stay queued until run by hand."""
    monkeypatch.setattr(jobs, "_queue", lambda job: None)


def _accept_mao_dien_report(world, reporting, personas, capture):
    from cchc.reporting import services

    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    with at(date(2026, 3, 2)):
        report = services.report_submit(
            expected_version=report.version, actor=personas["head"], report=report
        )
    with capture(execute=True):
        services.report_accept(actor=personas["city_standing"], report=report)


def test_an_accepted_report_queues_a_refresh_and_the_request_does_not_run_it(
    world, reporting, personas, queue_held, django_capture_on_commit_callbacks
):
    _accept_mao_dien_report(world, reporting, personas, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind=SCORECARD_JOB)
    assert job.status == Job.Status.QUEUED and job.params == {"year": 2026}
    assert not ScorecardRow.objects.exists()  # nothing was computed in the request
    assert jobs.execute(job.pk) == Job.Status.SUCCEEDED
    assert ScorecardRow.objects.get(unit=world.mao_dien, year=2026).reports_on_time >= 1


def test_a_burst_of_changes_waiting_for_the_queue_is_one_refresh(
    world, queue_held, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            refresh_scorecard_soon(2026)
    with django_capture_on_commit_callbacks(execute=True):
        refresh_scorecard_soon(2026, 2025, 2026)
    queued = list(Job.objects.filter(kind=SCORECARD_JOB).order_by("pk"))
    assert [j.params["year"] for j in queued] == [2026, 2025]
    first = queued[0]
    jobs.execute(first.pk)
    # A change after the refresh started (here: ran) may not be in it: it queues the next one.
    with django_capture_on_commit_callbacks(execute=True):
        refresh_scorecard_soon(2026)
        refresh_scorecard_soon(2026)
    years = list(Job.objects.filter(kind=SCORECARD_JOB).values_list("params__year", "status").order_by("pk"))
    assert years == [(2026, "succeeded"), (2025, "queued"), (2026, "queued")]


def test_with_the_inline_queue_each_change_is_refreshed_at_once(
    world, reporting, personas, django_capture_on_commit_callbacks
):
    _accept_mao_dien_report(world, reporting, personas, django_capture_on_commit_callbacks)
    assert Job.objects.get(kind=SCORECARD_JOB).status == Job.Status.SUCCEEDED
    assert ScorecardRow.objects.filter(year=2026).count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        refresh_scorecard_soon(2026)
    assert Job.objects.filter(kind=SCORECARD_JOB, status="succeeded").count() == 2  # not coalesced away


def test_a_refresh_cannot_be_asked_by_hand_by_anyone_but_an_admin(world, personas):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        jobs.enqueue(SCORECARD_JOB, user=personas["city_standing"], params={"year": 2026})
    with pytest.raises(ValidationError):
        jobs.enqueue(SCORECARD_JOB, user=personas["admin"], params={"year": "2026; x"})
    assert jobs.enqueue(SCORECARD_JOB, user=personas["admin"], params={"year": 2026}).status == "succeeded"


def test_the_refresh_job_page_is_seen_by_the_citys_standing_agency_and_admins_only(
    world, personas, login, django_capture_on_commit_callbacks
):
    from cchc.testing import check_matrix

    with django_capture_on_commit_callbacks(execute=True):
        refresh_scorecard_soon(2026)
    job = Job.objects.get(kind=SCORECARD_JOB)
    assert job.unit == world.city
    # anonymous officer office_officer head commune_standing sibling city_standing department_officer leader admin
    pages = [(f"/cong-viec/{job.pk}/", "302 404 404 404 404 404 200 404 404 200")]
    assert check_matrix(login, personas, pages) == []
