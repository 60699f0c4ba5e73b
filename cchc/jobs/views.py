import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cchc.core.params import paginate
from cchc.jobs import selectors, services
from cchc.jobs.models import Job

POLL_SECONDS = 2


def _context(job: Job) -> dict:
    return {
        "job": job,
        "title": selectors.title(job),
        "result_url": selectors.result_url(job),
        "poll_seconds": POLL_SECONDS,
    }


@login_required
def job_list(request):
    jobs = selectors.jobs_visible(request.user).order_by("-created_at", "-pk")
    page = paginate(jobs, 25, request.GET.get("page"))
    rows = [(job, selectors.title(job)) for job in page.object_list]
    return render(request, "jobs/job_list.html", {"page": page, "rows": rows})


@login_required
def job_detail(request, pk: int):
    job = selectors.job_for(request.user, pk)
    template = "jobs/_progress.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, _context(job))


@login_required
def job_download(request, pk: int):
    job = selectors.job_for(request.user, pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404("Công việc chưa có tệp kết quả.")
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Tệp kết quả không còn trên máy chủ.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=job.result_name or Path(job.result_file.name).name
    )


def _writable(directory: Path) -> str | None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".healthz-"):
            pass
    except OSError as exc:
        return f"{directory}: {exc.strerror or exc}"
    return None


@never_cache
def healthz(request):
    """Database, the media and dossier stores writable, the queue moving: 200 or 503, as JSON."""
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any driver error is "down"
        checks["database"] = {"ok": False, "error": str(exc)[:200]}
    for name, directory in (
        ("media", Path(settings.MEDIA_ROOT)),
        ("dossier_store", Path(settings.DOSSIER_STORE_DIR)),
    ):
        error = _writable(directory)
        checks[name] = {"ok": error is None} if error is None else {"ok": False, "error": error}
    if checks["database"]["ok"]:
        try:
            age = selectors.oldest_queued_age()
            limit = settings.HEALTH_QUEUE_MAX_AGE_SECONDS
            running = Job.objects.filter(status=Job.Status.RUNNING).count()
            checks["queue"] = {
                "ok": age is None or age <= limit,
                "oldest_queued_seconds": None if age is None else round(age, 1),
                "max_age_seconds": limit,
                "running": running,
                "inline": settings.JOBS_INLINE,
            }
        except Exception as exc:
            checks["queue"] = {"ok": False, "error": str(exc)[:200]}
    else:
        checks["queue"] = {"ok": False, "error": "cơ sở dữ liệu không truy cập được"}
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "error", "pid": os.getpid(), "checks": checks}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=200 if ok else 503, content_type="application/json"
    )


def _enqueue_and_redirect(request, kind: str, *, unit, params: dict, back: str):
    try:
        job = services.enqueue(kind, user=request.user, unit=unit, params=params)
    except PermissionDenied as exc:
        raise Http404("Không tìm thấy trang.") from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def consolidated_document(request, pk: int, fmt: str):
    """The level's consolidated report as a file made in the background (many units: can be long)."""
    from cchc.reporting.models import ReportingPeriod

    period = ReportingPeriod.objects.select_related("rule_set__issuer").filter(pk=pk).first()
    if period is None:
        raise Http404("Không tìm thấy kỳ báo cáo.")
    return _enqueue_and_redirect(
        request,
        "consolidated_document",
        unit=period.rule_set.issuer,
        params={"period_id": period.pk, "format": fmt},
        back="jobs:list",
    )


@login_required
@require_POST
def kpi_recompute(request):
    from cchc.org.models import Unit

    root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    return _enqueue_and_redirect(request, "kpi_recompute", unit=root, params={}, back="delivery:imports")
