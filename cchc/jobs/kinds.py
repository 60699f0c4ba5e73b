"""What a job can be: one entry per kind, each calling the owning module's service unchanged.

A handler gets a ``JobContext`` (the job, who asked, the parameters, a progress callback, a place to
put a result file) and returns a dict stored as the job's result. It raises ``ValidationError`` for a
refusal the person can act on; any other exception fails the job with a system-error message.

``retry_safe``: running the handler again after a worker died half-way cannot double anything, so the
reaper re-queues the job (up to JOBS_MAX_ATTEMPTS) instead of failing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

if TYPE_CHECKING:
    from cchc.jobs.services import JobContext


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    handler: Callable[[JobContext], dict]
    retry_safe: bool = True
    # Who may ask for it: raises PermissionDenied (or ValidationError for bad parameters).
    check: Callable[[Any, dict], None] | None = None
    # Where the job's outcome lives in the owning module, from its result.
    result_url: Callable[[dict], str | None] | None = None


# Dossier import (cchc.delivery) ------------------------------------------------------------------

IMPORT_PHASES = {  # phase → (start, end) of the bar, in per cent
    "read": (0, 70, "Đọc và kiểm tra tệp"),
    "merge": (70, 90, "Cập nhật kho hồ sơ"),
    "kpi": (90, 100, "Tính chỉ số"),
}


def _check_manager(user, params: dict) -> None:
    from cchc.delivery.services import can_manage_data

    if user is not None and not can_manage_data(user):
        raise PermissionDenied(
            "Chỉ Sở Nội vụ (cơ quan thường trực) hoặc quản trị viên được nhập và tính lại dữ liệu hồ sơ."
        )


def _check_uploader(user, params: dict) -> None:
    from cchc.delivery.services import PUSH_REFUSED, can_push_dossiers

    if user is not None and not can_push_dossiers(user):
        raise PermissionDenied(PUSH_REFUSED)


def dossier_import(ctx: JobContext) -> dict:
    from cchc.delivery import services
    from cchc.delivery.models import DossierImport, SourceMapping

    params = ctx.params
    mapping = (
        SourceMapping.objects.filter(pk=params["mapping_id"]).first() if params.get("mapping_id") else None
    )

    def progress(phase: str, fraction: float) -> None:
        start, end, label = IMPORT_PHASES.get(phase, (0, 100, phase))
        ctx.progress(int(start + (end - start) * max(0.0, min(1.0, fraction))), 100, label)

    path = Path(params["path"])
    if not path.exists():
        raise ValidationError("Tệp tải lên không còn trên máy chủ; hãy tải tệp lên lại.")
    if params.get("api_token_id"):
        # Sent by a system through the API: the worker acts with that token's scope, as the request
        # did, and a token revoked while the file waited no longer imports anything.
        from cchc.api.services import token_actor

        ctx.user = token_actor(params["api_token_id"])
    batch = services.dossiers_import(
        actor=ctx.user,
        path=path,
        file_name=params.get("file_name"),
        mapping=mapping,
        progress=progress,
        force=bool(params.get("force")),
    )
    result = {"import_id": batch.pk, "rows": batch.rows_read, "inserted": batch.inserted}
    if batch.status != DossierImport.Status.SUCCEEDED:
        ctx.fail_with(batch.message, result)
    ctx.message = batch.message
    return result


def dossier_import_done(ctx: JobContext) -> None:
    """The uploaded copy is removed once the job is over for good (succeeded or finally failed)."""
    Path(ctx.params["path"]).unlink(missing_ok=True)


def _import_url(result: dict) -> str | None:
    return reverse("delivery:import_detail", args=[result["import_id"]]) if result.get("import_id") else None


# KPI recomputation (cchc.delivery) ---------------------------------------------------------------


def kpi_recompute(ctx: JobContext) -> dict:
    from cchc.delivery import services

    ctx.progress(0, 1, "Tính lại chỉ số từ kho hồ sơ hiện hành")
    count = services.kpi_figures_recompute(actor=ctx.user)
    ctx.progress(1, 1, "Đã tính lại")
    ctx.message = f"Đã tính lại {count:,} số liệu chỉ số theo tháng.".replace(",", ".")
    return {"figures": count}


# Reminders (cchc.reporting) ----------------------------------------------------------------------


def _check_admin(user, params: dict) -> None:
    if user is not None and not user.is_superuser:
        raise PermissionDenied("Chỉ quản trị viên được chạy việc này bằng tay.")


def reminders(ctx: JobContext) -> dict:
    from datetime import date

    from cchc.reporting.notices import send_reminders

    today = date.fromisoformat(ctx.params["date"]) if ctx.params.get("date") else None
    sent = send_reminders(today=today)
    ctx.message = f"Đã tạo nhắc: {sent['before']} sắp đến hạn, {sent['due']} đến hạn, {sent['late']} quá hạn."
    return dict(sent)


# Report documents (cchc.reporting) ---------------------------------------------------------------

FORMATS = ("docx", "xlsx")


def _check_report(user, params: dict) -> None:
    from cchc.reporting.permissions import access_report

    if params.get("format") not in FORMATS:
        raise ValidationError("Định dạng phải là docx hoặc xlsx.")
    if user is not None:
        from django.http import Http404

        try:
            access_report(user, params["report_id"])
        except Http404 as exc:
            raise PermissionDenied("Bạn không xem được báo cáo này.") from exc


def report_document(ctx: JobContext) -> dict:
    from cchc.reporting import output
    from cchc.reporting.models import UnitReport

    fmt = ctx.params["format"]
    report = UnitReport.objects.select_related("period", "unit").get(pk=ctx.params["report_id"])
    ctx.progress(0, 2, "Dựng văn bản báo cáo")
    content = output.render(output.unit_report_document(report), fmt)
    ctx.progress(1, 2, "Lưu tệp")
    ctx.save_result_file(f"bao-cao-{report.period.code}-{report.unit.code}.{fmt}", content)
    ctx.message = f"Đã tạo tệp báo cáo {report.period.code} của {report.unit.name}."
    return {"report_id": report.pk, "bytes": len(content)}


def _check_consolidated(user, params: dict) -> None:
    from cchc.org.permissions import scope_for
    from cchc.reporting.models import ReportingPeriod

    if params.get("format") not in FORMATS:
        raise ValidationError("Định dạng phải là docx hoặc xlsx.")
    period = ReportingPeriod.objects.select_related("rule_set__issuer").filter(pk=params["period_id"]).first()
    if period is None:
        raise ValidationError("Không có kỳ báo cáo này.")
    if user is not None and not scope_for(user).in_subtree(period.rule_set.issuer):
        raise PermissionDenied("Bạn không xem được báo cáo tổng hợp này.")


def consolidated_document(ctx: JobContext) -> dict:
    from cchc.reporting import output
    from cchc.reporting.models import ReportingPeriod

    fmt = ctx.params["format"]
    period = ReportingPeriod.objects.get(pk=ctx.params["period_id"])
    ctx.progress(0, 2, "Tổng hợp báo cáo các đơn vị")
    content = output.render(output.consolidated_document(period), fmt)
    ctx.progress(1, 2, "Lưu tệp")
    ctx.save_result_file(f"bao-cao-tong-hop-{period.code}.{fmt}", content)
    ctx.message = f"Đã tạo tệp báo cáo tổng hợp kỳ {period.code}."
    return {"period_id": period.pk, "bytes": len(content)}


# Plan documents: OCR and parsing (cchc.docimport) ------------------------------------------------


def _check_plan_import(user, params: dict) -> None:
    from cchc.docimport.services import _require
    from cchc.org.models import Unit

    issuer = Unit.objects.filter(pk=params.get("issuer_id")).first()
    if issuer is None:
        raise ValidationError("Không có đơn vị ban hành này.")
    _require(user, issuer)


def plan_document(ctx: JobContext) -> dict:
    from cchc.docimport import services
    from cchc.org.models import Unit
    from cchc.plans.models import Plan

    params = ctx.params
    path = Path(params["path"])
    if not path.exists():
        raise ValidationError("Tệp tải lên không còn trên máy chủ; hãy tải tệp lên lại.")
    issuer = Unit.objects.get(pk=params["issuer_id"])
    parent = Plan.objects.filter(pk=params["parent_id"]).first() if params.get("parent_id") else None
    ctx.progress(0, 1, "Đọc văn bản (nhận dạng chữ nếu là bản quét) và tách chỉ tiêu, nhiệm vụ")
    draft = services.draft_create(
        actor=ctx.user, data=path.read_bytes(), filename=params["filename"], issuer=issuer, parent=parent
    )
    ctx.message = f"Đã đọc «{draft.filename}»: hãy xem lại bản nháp trước khi tạo kế hoạch."
    return {"draft_id": draft.pk}


# Scorecard snapshot (cchc.dashboard) -------------------------------------------------------------


def scorecard_refresh(ctx: JobContext) -> dict:
    from cchc.dashboard.services import refresh_scorecard

    year = int(ctx.params["year"])
    ctx.progress(0, 1, f"Làm mới bảng điểm năm {year}")
    rows = refresh_scorecard(year)
    ctx.progress(1, 1, "Đã làm mới")
    ctx.message = f"Đã làm mới bảng điểm năm {year}: {rows} đơn vị."
    return {"year": year, "rows": rows}


def _check_year(user, params: dict) -> None:
    _check_admin(user, params)
    year = params.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError("Năm của bảng điểm không hợp lệ.")


def _draft_url(result: dict) -> str | None:
    return reverse("docimport:review", args=[result["draft_id"]]) if result.get("draft_id") else None


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "dossier_import",
            "Nhập dữ liệu hồ sơ một cửa",
            dossier_import,
            check=_check_uploader,
            result_url=_import_url,
        ),
        Kind("kpi_recompute", "Tính lại chỉ số dịch vụ công", kpi_recompute, check=_check_manager),
        Kind("reminders", "Nhắc hạn báo cáo", reminders, check=_check_admin),
        Kind("report_document", "Xuất văn bản báo cáo", report_document, check=_check_report),
        Kind(
            "consolidated_document", "Xuất báo cáo tổng hợp", consolidated_document, check=_check_consolidated
        ),
        # Rewrites the year's rows from the sources in one transaction: safe to run again.
        Kind("scorecard_refresh", "Làm mới bảng điểm", scorecard_refresh, check=_check_year),
        # A crash after the draft is saved but before the job is marked done would save a second draft:
        # not retried automatically, the person uploads again.
        Kind(
            "plan_document",
            "Đọc văn bản kế hoạch",
            plan_document,
            retry_safe=False,
            check=_check_plan_import,
            result_url=_draft_url,
        ),
    )
}

# Run when a job is over for good (cleanup of its inputs).
FINISHERS: dict[str, Callable[[JobContext], None]] = {
    "dossier_import": dossier_import_done,
    "plan_document": dossier_import_done,
}
