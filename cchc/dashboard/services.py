"""Writes of the dashboard: rebuilding the scorecard snapshot from the source modules.

``refresh_scorecard(year)`` reads each source once with a grouped query, rolls the figures up the
tree in Python and rewrites that year's rows in one transaction (a few queries whatever the size of
the tree). Sources call ``refresh_scorecard_soon`` after their own write commits.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cchc.dashboard.models import ScorecardRow
from cchc.org.models import Unit

log = logging.getLogger(__name__)

COUNTERS = (
    "tasks_total",
    "tasks_done",
    "tasks_overdue",
    "reports_due",
    "reports_on_time",
    "reports_missing",
)
DOSSIER_FIELDS = (
    "dossiers_finished",
    "dossiers_on_time",
    "online_den",
    "online_num",
    "fee_dossiers",
    "paid_online",
    "components_total",
    "components_digitised",
)


def _reporting_tree() -> tuple[dict[int, dict], dict[int, int]]:
    """Reporting units by id (with their nearest reporting parent) and, for every unit, the
    reporting unit whose figures it counts in (a commune's office counts in the commune)."""
    units = list(
        Unit.objects.filter(is_active=True).values(
            "id", "parent_id", "organisation_id", "path", "block", "kind", "name", "code"
        )
    )
    reporting = {u["id"]: u for u in units if u["kind"] in Unit.REPORTING_KINDS}
    owner: dict[int, int] = {}
    for u in units:
        ids = [int(p) for p in u["path"].strip("/").split("/") if p]
        owner_id = next((i for i in reversed(ids) if i in reporting), None)
        if owner_id is not None:
            owner[u["id"]] = owner_id
    for u in reporting.values():
        ids = [int(p) for p in u["path"].strip("/").split("/") if p][:-1]
        u["reporting_parent"] = next((i for i in reversed(ids) if i in reporting), None)
    return reporting, owner


def _task_figures(year: int, today: date, owner: dict[int, int]) -> dict[int, dict]:
    from cchc.plans.models import Plan, Task

    cutoff = min(today, date(year, 12, 31))
    tasks = Task.objects.filter(
        plan__year_start__lte=year, plan__year_end__gte=year, plan__status=Plan.Status.ISSUED
    )
    leads: dict[int, set[int]] = defaultdict(set)
    for task_id, unit_id in Task.lead_units.through.objects.filter(task__in=tasks).values_list(
        "task_id", "unit_id"
    ):
        if unit_id in owner:
            leads[task_id].add(owner[unit_id])
    out: dict[int, dict] = defaultdict(lambda: {"areas": defaultdict(lambda: [0, 0])})
    for task_id, issuer_id, area, status, end in tasks.values_list(
        "id", "plan__issuer_id", "area", "status", "end_date"
    ):
        done = status in Task.FINISHED
        overdue = not done and end is not None and end < cutoff
        for unit_id in leads.get(task_id) or {owner.get(issuer_id)} - {None}:
            figures = out[unit_id]
            figures["tasks_total"] = figures.get("tasks_total", 0) + 1
            figures["tasks_done"] = figures.get("tasks_done", 0) + done
            figures["tasks_overdue"] = figures.get("tasks_overdue", 0) + overdue
            cell = figures["areas"][str(area)]
            cell[0] += done
            cell[1] += 1
    return out


def _report_figures(year: int, today: date) -> dict[int, dict]:
    """Per unit: reports due (periods past their deadline it had to report for), sent on time, and
    never sent. Expected units follow reporting.selectors.expected_units, in bulk."""
    from cchc.reporting.models import PeriodKind, ReportingPeriod, UnitReport

    periods = list(
        ReportingPeriod.objects.filter(year=year, deadline__lt=today).values(
            "id", "kind", "deadline", "cutoff_end", "rule_set__issuer_id"
        )
    )
    if not periods:
        return {}
    adhoc: dict[int, list[int]] = defaultdict(list)
    for period_id, unit_id in ReportingPeriod.units.through.objects.filter(
        reportingperiod_id__in=[p["id"] for p in periods if p["kind"] == PeriodKind.ADHOC]
    ).values_list("reportingperiod_id", "unit_id"):
        adhoc[period_id].append(unit_id)
    by_parent: dict[int, list[tuple]] = defaultdict(list)
    for unit_id, parent_id, established, dissolved in Unit.objects.filter(
        kind__in=Unit.REPORTING_KINDS
    ).values_list("id", "parent_id", "established_on", "dissolved_on"):
        by_parent[parent_id].append((unit_id, established, dissolved))
    reports = {
        (p, u): first
        for p, u, first in UnitReport.objects.filter(period__year=year).values_list(
            "period_id", "unit_id", "first_submitted_at"
        )
    }
    out: dict[int, dict] = defaultdict(dict)
    for period in periods:
        if period["kind"] == PeriodKind.ADHOC:
            expected = adhoc.get(period["id"], [])
        else:
            day = period["cutoff_end"]
            expected = [
                unit_id
                for unit_id, established, dissolved in by_parent.get(period["rule_set__issuer_id"], [])
                if (established is None or established <= day) and (dissolved is None or dissolved > day)
            ]
        for unit_id in expected:
            figures = out[unit_id]
            first = reports.get((period["id"], unit_id))
            figures["reports_due"] = figures.get("reports_due", 0) + 1
            if first is not None and timezone.localdate(first) <= period["deadline"]:
                figures["reports_on_time"] = figures.get("reports_on_time", 0) + 1
            if first is None:
                figures["reports_missing"] = figures.get("reports_missing", 0) + 1
    return out


def _dossier_figures(year: int) -> dict[str, dict]:
    """Month figures of the year summed per unit code: the subtree level where there is one (the
    delivery module already rolled it up), else the unit's own dossiers."""
    from cchc.delivery.models import KpiFigure

    sums = (
        KpiFigure.objects.filter(period__startswith=f"{year}-", field="", level__in=["unit", "subtree"])
        .values("unit_code", "level")
        .annotate(
            early=Sum("finished_early"),
            on_time=Sum("finished_on_time"),
            late=Sum("finished_late"),
            online_num=Sum("online_num"),
            online_den=Sum("online_den"),
            fee=Sum("fee_dossiers"),
            paid=Sum("paid_online"),
            comp=Sum("components_total"),
            dig=Sum("components_digitised"),
        )
    )
    out: dict[str, dict] = {}
    for row in sums:
        if row["level"] == "unit" and row["unit_code"] in out:
            continue
        out[row["unit_code"]] = {
            "dossiers_finished": row["early"] + row["on_time"] + row["late"],
            "dossiers_on_time": row["early"] + row["on_time"],
            "online_num": row["online_num"],
            "online_den": row["online_den"],
            "fee_dossiers": row["fee"],
            "paid_online": row["paid"],
            "components_total": row["comp"],
            "components_digitised": row["dig"],
        }
    return out


def _satisfaction(year: int, reporting: dict[int, dict]) -> dict[int, tuple[float | None, int]]:
    from cchc.surveys.models import ResultSnapshot, Round
    from cchc.surveys.selectors import results_of

    snapshot = (
        ResultSnapshot.objects.filter(round__year=year, round__status=Round.Status.PUBLISHED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if snapshot is None:
        return {}
    cells_by_unit: dict[int, list] = defaultdict(list)
    for cell in snapshot.data.get("cells", []):
        for part in cell["path"].strip("/").split("/"):
            if part and int(part) in reporting:
                cells_by_unit[int(part)].append(cell)
    out = {}
    for unit_id, cells in cells_by_unit.items():
        value = results_of(snapshot.data, cells).overall
        out[unit_id] = (value.value / 100 if value.value is not None else None, value.n)
    return out


def _par_index(year: int) -> dict[str, tuple[float | None, int | None, int]]:
    """Each unit's index and rank in the latest published release of each block's season."""
    from cchc.scoring.models import Release

    out: dict[str, tuple[float | None, int | None, int]] = {}
    latest: dict[int, Release] = {}
    for release in Release.objects.filter(season__year=year).order_by("season_id", "number"):
        latest[release.season_id] = release
    for release in latest.values():
        ranked = sum(1 for r in release.rows if r.get("rank"))
        for row in release.rows:
            try:
                index = float(str(row.get("index") or "").replace(",", ".")) if row.get("index") else None
            except ValueError:
                index = None
            out[row["code"]] = (index, row.get("rank") or None, ranked)
    return out


@transaction.atomic
def refresh_scorecard(year: int | None = None, *, today: date | None = None) -> int:
    """Rewrite the scorecard rows of ``year`` (default: this year) from every source module."""
    today = today or timezone.localdate()
    year = year or today.year
    reporting, owner = _reporting_tree()
    tasks = _task_figures(year, today, owner)
    reports = _report_figures(year, today)
    dossiers = _dossier_figures(year)
    satisfaction = _satisfaction(year, reporting)
    par = _par_index(year)

    totals: dict[int, dict] = {}
    for unit_id in reporting:
        own_tasks = tasks.get(unit_id, {})
        figures = {k: own_tasks.get(k, 0) + reports.get(unit_id, {}).get(k, 0) for k in COUNTERS}
        figures["areas"] = {a: list(v) for a, v in own_tasks.get("areas", {}).items()}
        totals[unit_id] = figures
    children: dict[int, int] = defaultdict(int)
    # Deepest first, so each unit has its whole subtree when it is added to its parent.
    for unit in sorted(reporting.values(), key=lambda u: -u["path"].count("/")):
        parent_id = unit["reporting_parent"]
        if parent_id is None:
            continue
        children[parent_id] += 1
        mine, theirs = totals[unit["id"]], totals[parent_id]
        for key in COUNTERS:
            theirs[key] += mine[key]
        for area, (done, total) in mine["areas"].items():
            cell = theirs["areas"].setdefault(area, [0, 0])
            cell[0] += done
            cell[1] += total

    now = timezone.now()
    rows = []
    for unit_id, unit in reporting.items():
        figures = totals[unit_id]
        sat, sat_n = satisfaction.get(unit_id, (None, 0))
        index, rank, ranked = par.get(unit["code"], (None, None, 0))
        rows.append(
            ScorecardRow(
                year=year,
                unit_id=unit_id,
                parent_id=unit["reporting_parent"],
                path=unit["path"],
                block=unit["block"],
                kind=unit["kind"],
                name=unit["name"],
                code=unit["code"],
                child_count=children.get(unit_id, 0),
                **{k: figures[k] for k in COUNTERS},
                **dossiers.get(unit["code"], {}),
                satisfaction=sat,
                satisfaction_n=sat_n or 0,
                par_index=index,
                par_rank=rank,
                par_ranked=ranked,
                areas=figures["areas"],
                refreshed_at=now,
            )
        )
    ScorecardRow.objects.filter(year=year).delete()
    ScorecardRow.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


SCORECARD_JOB = "scorecard_refresh"


def enqueue_scorecard_refresh(year: int):
    """Queue a refresh of ``year``'s scorecard, coalesced: while one is still waiting its turn, asking
    again returns that job (its run will read every change made so far). The key names the last
    refresh that already started, so a change made once a refresh is running queues the next one."""
    from cchc.jobs.models import Job
    from cchc.jobs.services import enqueue

    prefix = f"bang-diem:{year}:"
    started = (
        Job.objects.filter(kind=SCORECARD_JOB, idempotency_key__startswith=prefix)
        .exclude(status=Job.Status.QUEUED)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    # On the top unit, so the city's standing agency sees the job beside the scheduled ones.
    root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    return enqueue(
        SCORECARD_JOB,
        user=None,
        unit=root,
        params={"year": year},
        idempotency_key=f"{prefix}sau-{started or 0}",
    )


def refresh_scorecard_soon(*years: int | None) -> None:
    """Queue a refresh of ``years`` (default: this year) on the job queue once the caller's transaction
    commits: the request that changed a source does not wait for it, and a burst of changes is one
    refresh. A failure to queue is logged and never undoes the source's own write (the nightly
    ``refresh_scorecard`` command repairs the snapshot)."""

    def queue() -> None:
        for year in sorted({y for y in years if y}) or [timezone.localdate().year]:
            try:
                enqueue_scorecard_refresh(year)
            except Exception:  # noqa: BLE001 - the snapshot is rebuilt by the scheduled command
                log.exception("Không xếp hàng được việc làm mới bảng điểm năm %s", year)

    transaction.on_commit(queue)
