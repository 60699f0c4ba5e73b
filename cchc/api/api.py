"""/api/v1/: thin endpoints over the pages' own selectors, permissions and services.

Nothing here decides who may see or change what: reads go through the `*_visible` / `access_*`
functions the pages use, writes through the same service functions (scope check, validation, audit
row, optimistic version). A token's request runs as its integration's service account with the
token's UserScope (cchc.api.permissions.token_scope)."""

import hashlib
from pathlib import Path
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from ninja import File, Header, NinjaAPI, Router
from ninja import Path as NinjaPath
from ninja import Query as NinjaQuery
from ninja.files import UploadedFile

from cchc.api import errors
from cchc.api.auth import AUTH
from cchc.api.schemas import (
    BatchAccepted,
    BatchOut,
    ConsolidationOut,
    EvidenceOut,
    InitiativeOut,
    InitiativePage,
    JobOut,
    KpiOut,
    PeriodOut,
    PeriodPage,
    PlanOut,
    PlanPage,
    Problem,
    ReleaseDetail,
    ReleasePage,
    ReportOut,
    ReportPage,
    ReportSaveIn,
    ReportSubmitIn,
    ReportSummary,
    SurveyChannelOut,
    SurveyResponseIn,
    SurveyResponseOut,
    SurveyResultDetail,
    SurveyResultPage,
    TargetOut,
    TaskOut,
    TaskPage,
    TaskProgressIn,
    UnitPage,
)
from cchc.core.security import client_ip
from cchc.delivery import permissions as delivery_permissions
from cchc.delivery import selectors as delivery_selectors
from cchc.delivery.models import DossierImport
from cchc.delivery.services import PUSH_REFUSED, can_manage_data, can_push_dossiers, dossier_upload_enqueue
from cchc.jobs import selectors as job_selectors
from cchc.jobs.models import Job
from cchc.org.permissions import scope_for
from cchc.org.selectors import units_visible
from cchc.plans import services as plan_services
from cchc.plans.permissions import access_plan, access_task, plans_visible
from cchc.plans.selectors import TaskFilters, task_list
from cchc.portal import selectors as portal_selectors
from cchc.reporting import permissions as report_permissions
from cchc.reporting import selectors as report_selectors
from cchc.reporting import services as report_services
from cchc.scoring.models import Release
from cchc.surveys import selectors as survey_selectors
from cchc.surveys import services as survey_services
from cchc.surveys.models import Channel, Round

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS = {**ERRORS, 409: Problem}


class CchcApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Every error answer is application/problem+json (cchc.api.errors): say so in the schema,
        where ninja writes application/json for every response."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status)[0] in "45" and "application/json" in content:
                        response["content"] = {"application/problem+json": content["application/json"]}
        return schema


api = CchcApi(
    title="CCHC Hải Phòng API",
    version="1.0.0",
    description=(
        "API cho các hệ thống tích hợp (một cửa, báo cáo quốc gia, cổng thông tin). Xác thực bằng khóa API "
        "(`Authorization: Bearer cchc_…`) hoặc phiên đăng nhập trình duyệt (kèm CSRF khi ghi). Phân trang "
        f"bằng con trỏ: `limit` mặc định {DEFAULT_LIMIT}, tối đa {MAX_LIMIT}; trang sau dùng `cursor` = "
        "`next_cursor` của trang trước. Lỗi trả về `application/problem+json` với `code` ổn định."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
errors.install(api)


BIGGEST_ID = 2**62  # beyond it a database integer overflows: refused as 422, not a 500
Id = Annotated[int, NinjaPath(..., ge=1, le=BIGGEST_ID)]
Cursor = Annotated[
    int | None, NinjaQuery(None, ge=0, le=BIGGEST_ID, description="next_cursor của trang trước")
]
Limit = Annotated[int, NinjaQuery(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"mặc định {DEFAULT_LIMIT}")]


def _page(queryset, cursor: int | None, limit: int):
    """Keyset pages in id order: stable while rows are added, one query per page."""
    if cursor:
        queryset = queryset.filter(pk__gt=cursor)
    rows = list(queryset.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": rows[-1].pk if more and rows else None}


# Units -------------------------------------------------------------------------------------------

units = Router(tags=["Đơn vị"])


@units.get("/", response={200: UnitPage, **ERRORS}, summary="Đơn vị trong phạm vi")
def unit_list(request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT):
    return _page(units_visible(scope=scope_for(request.user)), cursor, limit)


# Plans, targets, tasks ---------------------------------------------------------------------------

plans = Router(tags=["Kế hoạch"])


@plans.get("/", response={200: PlanPage, **ERRORS}, summary="Kế hoạch đọc được")
def plan_list(request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT):
    return _page(plans_visible(scope_for(request.user)), cursor, limit)


@plans.get("/{plan_id}", response={200: PlanOut, **ERRORS}, summary="Một kế hoạch")
def plan_detail(request, plan_id: Id):
    return access_plan(request.user, plan_id)


@plans.get("/{plan_id}/targets", response={200: list[TargetOut], **ERRORS}, summary="Chỉ tiêu của kế hoạch")
def plan_targets(request, plan_id: Id):
    plan = access_plan(request.user, plan_id)
    return [
        {**_fields(t, TargetOut), "threshold": None if t.threshold is None else format(t.threshold, "f")}
        for t in plan.targets.order_by("area", "position", "id")
    ]


def _fields(obj, schema) -> dict:
    return {name: getattr(obj, name) for name in schema.model_fields}


@plans.get("/{plan_id}/tasks", response={200: TaskPage, **ERRORS}, summary="Nhiệm vụ của kế hoạch")
def plan_tasks(request, plan_id: Id, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT):
    plan = access_plan(request.user, plan_id)
    return _page(plan.tasks.all(), cursor, limit)


tasks = Router(tags=["Nhiệm vụ"])


@tasks.get("/", response={200: TaskPage, **ERRORS}, summary="Nhiệm vụ đọc được (lọc như trang danh sách)")
def task_index(
    request,
    plan: Annotated[int | None, NinjaQuery(None, ge=1, le=BIGGEST_ID)] = None,
    status: str | None = None,
    q: str = "",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
):
    filters = TaskFilters(plan=plan, status=status or None, q=q[:200])
    return _page(task_list(scope=scope_for(request.user), filters=filters), cursor, limit)


@tasks.get("/{task_id}", response={200: TaskOut, **ERRORS}, summary="Một nhiệm vụ")
def task_detail(request, task_id: Id):
    return access_task(request.user, task_id)


@tasks.patch("/{task_id}/progress", response={200: TaskOut, **WRITE_ERRORS}, summary="Cập nhật tiến độ")
def task_progress(request, task_id: Id, payload: TaskProgressIn):
    task = access_task(request.user, task_id)
    fields = {"status": payload.status}
    if payload.progress is not None:
        fields["progress"] = payload.progress
    if payload.result is not None:
        fields["result"] = payload.result
    return plan_services.task_update(
        actor=request.user, task=task, expected_version=payload.version, **fields
    )


@tasks.post(
    "/{task_id}/evidence", response={201: EvidenceOut, **WRITE_ERRORS}, summary="Đính kèm tài liệu kiểm chứng"
)
def task_evidence(request, task_id: Id, file: File[UploadedFile], kind: str = "document", note: str = ""):
    task = access_task(request.user, task_id)
    evidence = plan_services.evidence_attach(
        actor=request.user, task=task, upload=file, kind=kind, note=note[:300]
    )
    return 201, evidence


# Service delivery: KPI figures, dossier batches ----------------------------------------------------

delivery = Router(tags=["Dịch vụ công"])


@delivery.get("/kpi/{unit_code}", response={200: KpiOut, **ERRORS}, summary="Chỉ số KPI của đơn vị")
def unit_kpi(request, unit_code: str, period: str | None = None):
    unit = delivery_permissions.access_unit(request.user, unit_code)
    catalogue = delivery_selectors.period_catalogue()
    chosen = catalogue.get(period) if period else catalogue.default
    if chosen is None:
        raise Http404("Chưa có kỳ số liệu này.")
    figures = delivery_selectors.unit_kpis(unit, chosen)
    return {
        "unit_code": unit.code,
        "period": chosen.key,
        "period_label": chosen.label,
        "figures": _json(figures),
    }


def _json(value):
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def start_dossier_import(*, request, file, idempotency_key: str | None) -> Job:
    """Keep the file and queue its import through the pages' own service (same job kind, same rule).

    An ``Idempotency-Key`` is the caller's: scoped to its integration, the same key gives the same job
    (while queued, running or done). Without one, the pages' rule applies: the same file over the
    same current data is one job."""
    key = None
    if idempotency_key:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
        key = f"api:{request.user.pk}:{digest}"
    token = getattr(request, "api_token", None)
    return dossier_upload_enqueue(
        actor=request.user,
        upload=file,
        idempotency_key=key,
        params={"api_token_id": token.pk} if token is not None else None,
    )


def _job_out(job: Job) -> dict:
    batch_id = (job.result or {}).get("import_id")
    return {
        **{name: getattr(job, name) for name in JobOut.model_fields if hasattr(job, name)},
        "percent": job.percent,
        "status_url": reverse("api:job_status", kwargs={"job_id": job.pk}),
        "batch_id": batch_id,
        "batch_url": reverse("api:batch_status", kwargs={"batch_id": batch_id}) if batch_id else None,
    }


IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        description="Khóa chống trùng của hệ thống gửi: gửi lại cùng khóa nhận lại cùng công việc.",
    ),
]


@delivery.post(
    "/dossier-batches",
    response={202: BatchAccepted, **WRITE_ERRORS},
    summary="Gửi một tệp hồ sơ một cửa (xử lý nền, trả 202 kèm công việc)",
)
def batch_upload(request, file: File[UploadedFile], idempotency_key: IdempotencyKey = None):
    if not can_push_dossiers(request.user):
        raise PermissionDenied(PUSH_REFUSED)
    if Path(file.name or "").suffix.lower() not in (".csv", ".xlsx"):
        raise ValidationError({"file": "Chỉ nhận tệp .csv hoặc .xlsx."})
    job = start_dossier_import(request=request, file=file, idempotency_key=idempotency_key)
    return 202, _job_out(job)


@delivery.get(
    "/jobs/{job_id}",
    response={200: JobOut, **ERRORS},
    url_name="job_status",
    summary="Trạng thái và tiến độ một công việc nền",
)
def job_status(request, job_id: Id):
    return _job_out(job_selectors.job_for(request.user, job_id))


@delivery.get(
    "/dossier-batches/{batch_id}",
    response={200: BatchOut, **ERRORS},
    url_name="batch_status",
    summary="Trạng thái lô hồ sơ",
)
def batch_status(request, batch_id: Id):
    batch = DossierImport.objects.filter(pk=batch_id).first()
    # Data managers see every batch; a data provider's token sees the batches its system sent.
    if batch is None or not (
        can_manage_data(request.user)
        or (can_push_dossiers(request.user) and batch.created_by_id == request.user.pk)
    ):
        raise Http404("Không tìm thấy lô hồ sơ.")
    return batch


# Reporting: periods, unit reports, consolidation -------------------------------------------------

reporting = Router(tags=["Báo cáo định kỳ"])


@reporting.get("/reporting-periods/", response={200: PeriodPage, **ERRORS}, summary="Kỳ báo cáo")
def period_list(request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT):
    page = _page(report_permissions.periods_visible(scope_for(request.user)), cursor, limit)
    page["items"] = [_period_out(p) for p in page["items"]]
    return page


def _period_out(period) -> dict:
    fields = {name: getattr(period, name) for name in PeriodOut.model_fields if name != "issuer_id"}
    return {**fields, "issuer_id": period.rule_set.issuer_id}


@reporting.get(
    "/reporting-periods/{period_id}", response={200: PeriodOut, **ERRORS}, summary="Một kỳ báo cáo"
)
def period_detail(request, period_id: Id):
    return _period_out(report_permissions.access_period(request.user, period_id))


@reporting.get(
    "/reporting-periods/{period_id}/consolidation",
    response={200: ConsolidationOut, **ERRORS},
    summary="Số liệu tổng hợp của kỳ (các đơn vị thuộc cấp chủ trì kỳ)",
)
def period_consolidation(request, period_id: Id):
    period = report_permissions.access_consolidation(request.user, period_id)
    view = report_selectors.consolidation(period=period)
    return {
        "period_id": period.pk,
        "unit_id": period.rule_set.issuer_id,
        "counts": view.completeness.counts,
        "late_unit_ids": [u.pk for u in view.late_units],
        "missing_unit_ids": [u.pk for u in view.missing_units],
        "targets": [
            {
                "target_id": a.target.pk,
                "text": a.target.text,
                "unit_of_measure": a.target.unit_of_measure,
                "threshold": None if a.target.threshold is None else format(a.target.threshold, "f"),
                "units": a.units,
                "numerator": format(a.numerator, "f"),
                "denominator": format(a.denominator, "f"),
                "rate": None if a.rate is None else format(a.rate, "f"),
                "is_met": a.is_met,
                "units_without_counts": a.without_counts,
            }
            for a in view.targets
        ],
        "task_counts": {str(area): counts for area, counts in view.task_counts.items()},
    }


@reporting.get("/unit-reports/", response={200: ReportPage, **ERRORS}, summary="Báo cáo của các đơn vị")
def report_list(
    request,
    period: Annotated[int | None, NinjaQuery(None, ge=1, le=BIGGEST_ID)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
):
    reports = report_permissions.reports_visible(scope_for(request.user))
    if period:
        reports = reports.filter(period_id=period)
    return _page(reports, cursor, limit)


def _report_out(report) -> dict:
    content = report_selectors.report_content(report)
    return {
        **_fields(report, ReportSummary),
        "reviewer_note": report.reviewer_note,
        "narrative": {k: str(v) for k, v in (report.narrative or {}).items()},
        "tasks": [{**t, "number": t["number"] or ""} for t in content["tasks"]],
        "targets": [
            {
                **t,
                **{k: None if t[k] is None else str(t[k]) for k in ("actual", "numerator", "denominator")},
            }
            for t in content["targets"]
        ],
    }


@reporting.post(
    "/reporting-periods/{period_id}/units/{unit_id}/report",
    response={200: ReportOut, **WRITE_ERRORS},
    summary="Lập (hoặc lấy) báo cáo của đơn vị trong kỳ",
)
def report_start(request, period_id: Id, unit_id: Id):
    period = report_permissions.access_period(request.user, period_id)
    unit = units_visible(scope=scope_for(request.user)).filter(pk=unit_id).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị.")
    report = report_services.report_start(actor=request.user, period=period, unit=unit)
    return _report_out(report_permissions.access_report(request.user, report.pk))


@reporting.get("/unit-reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="Một báo cáo")
def report_detail(request, report_id: Id):
    return _report_out(report_permissions.access_report(request.user, report_id))


@reporting.patch(
    "/unit-reports/{report_id}",
    response={200: ReportOut, **WRITE_ERRORS},
    summary="Lưu bản nháp báo cáo (expected_version bắt buộc; 409 khi đã có bản mới hơn)",
)
def report_save(request, report_id: Id, payload: ReportSaveIn):
    report = report_permissions.access_report(request.user, report_id)
    tasks = {
        t.task_id: {k: v for k, v in t.model_dump().items() if k != "task_id" and v is not None}
        for t in payload.tasks
    }
    targets = {}
    for t in payload.targets:
        values = t.model_dump()
        targets[t.target_id] = {k: values[k] for k in ("actual", "numerator", "denominator")}
        if t.note is not None:
            targets[t.target_id]["note"] = t.note
    saved = report_services.report_save(
        actor=request.user,
        report=report,
        expected_version=payload.expected_version,
        narrative=payload.narrative,
        task_entries=tasks,
        target_values=targets,
    )
    return _report_out(report_permissions.access_report(request.user, saved.pk))


@reporting.post(
    "/unit-reports/{report_id}/submit",
    response={200: ReportOut, **WRITE_ERRORS},
    summary="Gửi báo cáo (lãnh đạo đơn vị; bản đã gửi không sửa được)",
)
def report_submit(request, report_id: Id, payload: ReportSubmitIn):
    report = report_permissions.access_report(request.user, report_id)
    saved = report_services.report_submit(
        actor=request.user, report=report, expected_version=payload.expected_version
    )
    return _report_out(report_permissions.access_report(request.user, saved.pk))


# Published results: public, read-only, never a draft -----------------------------------------------

published = Router(tags=["Kết quả công bố"], auth=None)
PUBLIC_ERRORS = {404: Problem, 422: Problem}


def _release_out(release) -> dict:
    season = release.season
    return {
        "id": release.pk,
        "season_id": season.pk,
        "title": str(season),
        "year": season.year,
        "block": season.block,
        "number": release.number,
        "published_at": release.published_at,
        "units": len(release.rows),
    }


@published.get(
    "/par-index/", response={200: ReleasePage, **PUBLIC_ERRORS}, summary="Các lần công bố Chỉ số CCHC"
)
def release_list(request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT):
    # A release exists only once a season is published: the table holds nothing else.
    page = _page(Release.objects.select_related("season"), cursor, limit)
    page["items"] = [_release_out(r) for r in page["items"]]
    return page


@published.get(
    "/par-index/{release_id}",
    response={200: ReleaseDetail, **PUBLIC_ERRORS},
    summary="Một lần công bố: bảng xếp hạng",
)
def release_detail(request, release_id: Id):
    release = Release.objects.select_related("season").filter(pk=release_id).first()
    if release is None:
        raise Http404("Không tìm thấy kết quả công bố.")
    return {**_release_out(release), "note": release.note, "rows": release.rows}


def _index_value(value) -> dict:
    shown = value.shown
    return {
        "value": value.value if shown else None,
        "low": value.low if shown else None,
        "high": value.high if shown else None,
        "responses": value.n,
        "suppressed": value.suppressed,
    }


def _published_round(round_) -> tuple | None:
    snapshot = survey_selectors.latest_snapshot(round_)
    if snapshot is None:
        return None
    data = snapshot.data
    overall = survey_selectors.results_of(data, data["cells"], suppress=True)
    summary = {
        "id": round_.pk,
        "title": round_.title,
        "year": round_.year,
        "published_at": snapshot.created_at,
        "min_cell": data["min_cell"],
        "overall": _index_value(overall.overall),
    }
    return summary, data, overall


def _published_rounds():
    return Round.objects.filter(status=Round.Status.PUBLISHED)


@published.get(
    "/surveys/",
    response={200: SurveyResultPage, **PUBLIC_ERRORS},
    summary="Kết quả khảo sát đã công bố (ẩn số liệu dưới ngưỡng số phiếu)",
)
def survey_result_list(
    request,
    cursor: Cursor = None,
    limit: Annotated[int, NinjaQuery(20, ge=1, le=50, description="mặc định 20")] = 20,
):
    page = _page(_published_rounds(), cursor, limit)
    page["items"] = [found[0] for r in page["items"] if (found := _published_round(r)) is not None]
    return page


@published.get(
    "/surveys/{round_id}",
    response={200: SurveyResultDetail, **PUBLIC_ERRORS},
    summary="Kết quả một đợt khảo sát đã công bố, theo khía cạnh và đơn vị",
)
def survey_result_detail(request, round_id: Id):
    round_ = _published_rounds().filter(pk=round_id).first()
    found = _published_round(round_) if round_ is not None else None
    if found is None:
        raise Http404("Không tìm thấy kết quả khảo sát đã công bố.")
    summary, data, overall = found
    units = list(round_.units.order_by("block", "name"))
    return {
        **summary,
        "aspects": [
            {"code": aspect["code"], "title": aspect["title"], "value": _index_value(value)}
            for aspect, value in overall.aspects
        ],
        "units": [
            {"unit_id": u.pk, "unit_code": u.code, "unit_name": u.name, "overall": _index_value(r.overall)}
            for u, r in survey_selectors.results_by_unit(data, units, suppress=True)
        ],
    }


def _initiative_out(item) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "unit_id": item.unit_id,
        "unit_name": item.unit.name,
        "field": item.field.name,
        "year": item.campaign.year,
        "decision_number": item.campaign.decision_number,
        "decision_date": item.campaign.decision_date,
        "solution": item.solution,
        "benefits": item.benefits,
    }


@published.get(
    "/initiatives/",
    response={200: InitiativePage, **PUBLIC_ERRORS},
    summary="Sáng kiến đã được công nhận bằng quyết định",
)
def initiative_list(request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT):
    page = _page(portal_selectors.recognised_initiatives(), cursor, limit)
    page["items"] = [_initiative_out(i) for i in page["items"]]
    return page


@published.get(
    "/initiatives/{initiative_id}",
    response={200: InitiativeOut, **PUBLIC_ERRORS},
    summary="Một sáng kiến đã được công nhận",
)
def initiative_detail(request, initiative_id: Id):
    item = portal_selectors.recognised_initiatives().filter(pk=initiative_id).first()
    if item is None:
        raise Http404("Không tìm thấy sáng kiến đã công nhận.")
    return _initiative_out(item)


# Survey submission for the public form (a mobile app): no login, the form page's own service --------

survey_form = Router(tags=["Khảo sát (phiếu công khai)"], auth=None)
SUBMIT_ERRORS = {400: Problem, 404: Problem, 409: Problem, 422: Problem, 429: Problem}


def _open_channel(slug: str):
    channel = (
        Channel.objects.select_related("round__survey", "round__version", "unit").filter(slug=slug).first()
    )
    if channel is None:
        raise Http404("Không tìm thấy phiếu khảo sát.")
    return channel


Slug = Annotated[str, NinjaPath(..., max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")]


@survey_form.get(
    "/{slug}",
    response={200: SurveyChannelOut, 404: Problem, 422: Problem},
    summary="Phiếu khảo sát của một kênh",
)
def survey_channel(request, slug: Slug):
    channel = _open_channel(slug)
    round_ = channel.round
    return {
        "slug": channel.slug,
        "round_title": round_.title,
        "unit_name": channel.unit.name,
        "is_open": round_.status == Round.Status.OPEN,
        "requires_token": round_.requires_token,
        "questions": [
            {
                "code": q.code,
                "section": q.section.title,
                "text": q.text,
                "kind": q.kind,
                "required": q.required,
                "choices": [[str(v) for v in c] for c in q.choices],
                "show_if_code": q.show_if_code,
                "show_if_values": [str(v) for v in q.show_if_values],
            }
            for q in survey_services.questions_of_round(round_)
        ],
    }


@survey_form.post(
    "/{slug}/responses",
    response={200: SurveyResponseOut, 201: SurveyResponseOut, **SUBMIT_ERRORS},
    summary="Gửi một phiếu trả lời (mã phiếu submission_uuid do ứng dụng tạo)",
)
def survey_submit(request, slug: Slug, payload: SurveyResponseIn):
    """201 when counted; 200 when the same UUID with the same answers was already counted (a retry);
    409 when that UUID came with other answers, the receipt code is spent or the quota is full."""
    channel = _open_channel(slug)
    if survey_services.post_rate_limited(client_ip(request) or ""):
        return errors.problem(
            "rate_limited",
            "Có quá nhiều lượt gửi từ cùng một mạng trong ít phút. Vui lòng thử lại sau ít phút.",
        )
    round_ = channel.round
    token = payload.token.strip()
    try:
        if token and survey_services.token_is_spent(round_, token):
            return errors.problem(
                "token_spent", "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần."
            )
    except survey_services.TokenRefused as exc:
        return errors.problem("token_refused", exc)
    try:
        result = survey_services.response_submit(
            channel=channel,
            raw=payload.answers,
            submission_uuid=payload.submission_uuid,
            token=token,
            questions=survey_services.questions_of_round(round_),
        )
    except survey_services.TokenRefused as exc:
        return errors.problem("token_spent" if token else "token_refused", exc)
    except survey_services.QuotaFull as exc:
        return errors.problem("quota_full", exc)
    if result.created:
        return 201, {
            "submission_uuid": payload.submission_uuid,
            "created": True,
            "message": "Đã ghi nhận phiếu.",
        }
    return 200, {
        "submission_uuid": payload.submission_uuid,
        "created": False,
        "message": "Phiếu này đã được ghi nhận trước đó (không tính hai lần).",
    }


api.add_router("/units", units)
api.add_router("/plans", plans)
api.add_router("/tasks", tasks)
api.add_router("/", delivery)
api.add_router("/", reporting)
api.add_router("/published", published)
api.add_router("/survey-channels", survey_form)
