"""Plan pages. Views parse the request, fetch through permissions, call a service, render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cchc.core.exceptions import ConflictError
from cchc.core.params import int_or_none, paginate
from cchc.core.tabular import ImportFileError
from cchc.core.uploads import UploadRefused, read_upload, vn_int
from cchc.delivery.forms import TargetLinkForm
from cchc.delivery.selectors import target_actuals
from cchc.org.models import Unit, User
from cchc.org.permissions import scope_for
from cchc.plans import excel, selectors, services
from cchc.plans.forms import (
    ConcretiseForm,
    EvidenceForm,
    PlanDeleteForm,
    PlanImportForm,
    PlanIssueForm,
    TargetForm,
    TaskFilterForm,
    TaskProgressForm,
    TaskStructureForm,
    duplicate_choice,
)
from cchc.plans.models import Area, Plan, Task, TaskEvidence
from cchc.plans.permissions import (
    access_plan,
    access_target,
    access_task,
    can_create_plans,
    can_delete_plan,
    can_edit_plan,
    can_edit_task,
    can_issue_plan,
    can_replace_plan,
    plans_visible,
    targets_visible,
)

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@login_required
def plan_list(request):
    scope = scope_for(request.user)
    plans = selectors.plan_list(scope=scope)
    return render(
        request, "plans/plan_list.html", {"plans": plans, "can_create_plans": can_create_plans(scope)}
    )


@login_required
def plan_detail(request, pk: int):
    plan = access_plan(request.user, pk)
    scope = scope_for(request.user)
    sections = selectors.plan_by_area(plan=plan)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "sections": sections,
            "actuals": target_actuals(t for section in sections for t in section.targets),
            "progress": selectors.plan_progress(plan=plan),
            "can_edit": can_edit_plan(scope, plan),
            "can_issue": can_issue_plan(scope, plan),
            "can_delete": can_delete_plan(scope, plan),
            "can_replace": can_replace_plan(scope, plan),
            "replacements": plans_visible(scope).filter(replaces=plan).select_related("issuer"),
            "children": plans_visible(scope).filter(parent=plan).select_related("issuer"),
            "can_concretise": plan.status == Plan.Status.ISSUED and bool(_concretise_issuers(scope, plan)),
            "today": timezone.localdate(),
        },
    )


@login_required
def plan_alignment(request, pk: int):
    plan = access_plan(request.user, pk)
    if plan.parent_id and not scope_for(request.user).can_read_unit(plan.parent.issuer):
        raise Http404
    alignment = selectors.plan_alignment(plan=plan)
    return render(request, "plans/plan_alignment.html", {"plan": plan, "alignment": alignment})


def _concretise_issuers(scope, parent):
    units = (
        Unit.objects.filter(path__startswith=parent.issuer.path, kind__in=Unit.REPORTING_KINDS)
        .exclude(pk=parent.issuer_id)
        .order_by("depth", "sort_order", "name")
    )
    return [u for u in units if scope.can_edit_plan_of(u)]


@login_required
def plan_concretise(request, pk: int):
    parent = access_plan(request.user, pk)
    scope = scope_for(request.user)
    issuers = _concretise_issuers(scope, parent) if parent.status == Plan.Status.ISSUED else []
    if not issuers:
        raise Http404
    form = ConcretiseForm(request.POST or None, parent=parent, issuers=issuers)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        replaces_id, distinct = duplicate_choice(request.POST)
        try:
            plan = services.plan_concretise(
                actor=request.user,
                parent=parent,
                issuer=Unit.objects.get(pk=data["issuer"]),
                title=data["title"],
                number=data["number"],
                issued_on=data["issued_on"],
                target_ids=data["targets"],
                task_ids=data["tasks"],
                replaces=Plan.objects.filter(pk=replaces_id, issuer_id=data["issuer"]).first()
                if replaces_id
                else None,
                allow_duplicate_number=distinct,
            )
        except services.DuplicatePlanError as exc:
            duplicates = exc.existing
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, "Đã tạo dự thảo kế hoạch cụ thể hóa. Hãy rà soát chỉ tiêu và nhiệm vụ.")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(
        request, "plans/plan_concretise.html", {"parent": parent, "form": form, "duplicates": duplicates}
    )


def _plan_for_lifecycle(request, pk: int, allowed) -> Plan:
    """The plan if this person may take this step on it; otherwise the same 404 as for a stranger."""
    plan = access_plan(request.user, pk)
    if not allowed(scope_for(request.user), plan):
        raise Http404("Không tìm thấy kế hoạch.")
    return plan


@login_required
def plan_issue(request, pk: int):
    """Confirm the number and date as signed, then issue: the plan becomes binding and visible below."""
    plan = _plan_for_lifecycle(request, pk, can_issue_plan)
    initial = {"number": plan.number, "issued_on": plan.issued_on, "version": plan.version}
    asked = "allow_duplicate_number" in request.POST or request.POST.get("asked_duplicate") == "1"
    form = PlanIssueForm(request.POST or None, initial=initial, ask_duplicate=asked)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_issue(
                actor=request.user,
                plan=plan,
                expected_version=data["version"],
                number=data["number"],
                issued_on=data["issued_on"],
                allow_duplicate_number=data.get("allow_duplicate_number", False),
            )
        except services.DuplicatePlanError as exc:
            duplicates = exc.existing
            form = PlanIssueForm(request.POST, initial=initial, ask_duplicate=True)
            form.is_valid()
            form.add_error(
                "allow_duplicate_number", "Số, ký hiệu này đã được dùng; hãy xem kế hoạch bên trên."
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            note = (
                f" Kế hoạch {plan.replaces.number} chuyển sang «Đã được thay thế»." if plan.replaces else ""
            )
            messages.success(request, f"Đã ban hành kế hoạch.{note}")
            return redirect("plans:plan_detail", pk=plan.pk)
    context = {"plan": plan, "duplicates": duplicates, "counts": selectors.plan_progress(plan=plan)}
    return _form_page(request, "plans/plan_issue.html", context, form)


@login_required
def plan_delete(request, pk: int):
    """Confirm, then delete a draft with everything in it. Issued plans are never deleted."""
    plan = _plan_for_lifecycle(request, pk, can_delete_plan)
    form = PlanDeleteForm(request.POST or None, initial={"version": plan.version})

    def write(data):
        services.plan_delete(actor=request.user, plan=plan, expected_version=data["version"])

    if _save_through_service(request, form, write, success=f"Đã xóa dự thảo kế hoạch «{plan}»."):
        return redirect("plans:plan_list")
    context = {
        "plan": plan,
        "target_count": plan.targets.count(),
        "task_count": plan.tasks.count(),
        "evidence_count": TaskEvidence.objects.filter(task__plan=plan).count(),
    }
    return _form_page(request, "plans/plan_delete.html", context, form)


@login_required
def plan_export(request, pk: int):
    plan = access_plan(request.user, pk)
    content = excel.export_plan(plan)
    filename = f"ke-hoach-{plan.pk}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def plan_template(request):
    response = HttpResponse(excel.export_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-ke-hoach.xlsx"'
    return response


@login_required
def plan_import(request, pk: int):
    plan = access_plan(request.user, pk, for_edit=True)
    form = PlanImportForm(request.POST or None, request.FILES or None)
    errors, error_count = [], "0"
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = excel.import_plan(
                actor=request.user, plan=plan, data=read_upload(upload), filename=upload.name
            )
        except ImportFileError as exc:
            errors, error_count = exc.shown, vn_int(exc.count)
        except UploadRefused as exc:
            errors, error_count = exc.messages, "1"
        else:
            messages.success(
                request,
                f"Đã nhập: {result.targets_created} chỉ tiêu mới, {result.targets_updated} chỉ tiêu cập nhật, "
                f"{result.tasks_created} nhiệm vụ mới, {result.tasks_updated} nhiệm vụ cập nhật.",
            )
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(
        request,
        "plans/plan_import.html",
        {"plan": plan, "form": form, "errors": errors, "error_count": error_count},
    )


@login_required
def task_list(request):
    scope = scope_for(request.user)
    plans = list(plans_visible(scope).select_related("issuer").order_by("issuer__path", "number"))
    lead_units = (
        Unit.objects.filter(
            pk__in=Task.lead_units.through.objects.filter(task__plan__in=[p.pk for p in plans]).values(
                "unit_id"
            )
        )
        .select_related("organisation")
        .order_by("path")
    )
    form = TaskFilterForm(request.GET or None, plans=plans, lead_units=lead_units)
    filters = selectors.TaskFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.TaskFilters(
            plan=data["plan"],
            area=data["area"],
            lead_unit=data["lead_unit"],
            status=data["status"] or None,
            overdue=data["overdue"],
            q=data["q"],
        )
    tasks = selectors.task_list(scope=scope, filters=filters)
    page = paginate(tasks, PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": urlencode(query, doseq=True),
        "today": timezone.localdate(),
    }
    template = "plans/_task_table.html" if request.htmx else "plans/task_list.html"
    return render(request, template, context)


@login_required
def task_detail(request, pk: int):
    task = access_task(request.user, pk)
    scope = scope_for(request.user)
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "subtasks": task.subtasks.prefetch_related("lead_units").order_by("position"),
            "evidence": task.evidence.select_related("uploaded_by"),
            "can_edit": can_edit_task(scope, task),
            "can_edit_structure": can_edit_plan(scope, task.plan),
            "evidence_form": EvidenceForm(),
            "today": timezone.localdate(),
        },
    )


def _progress_initial(task: Task) -> dict:
    fields = ("status", "progress", "result", "completed_on", "responsible", "version")
    return {name: getattr(task, name) for name in fields}


def _people_of(task: Task):
    """Who can be made responsible: the active members of the issuing organisation."""
    organisation = task.plan.issuer.organisation or task.plan.issuer
    return (
        User.objects.filter(
            memberships__is_active=True, memberships__unit__path__startswith=organisation.path
        )
        .distinct()
        .order_by("full_name")
    )


def _save_through_service(request, form, write, *, success: str) -> bool:
    """Run a service write for a valid form; a conflict or validation error becomes a form error."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ConflictError as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        form.add_error(None, _error_text(exc))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, success)
        return True
    return False


def _form_page(request, template: str, context: dict, form):
    """A conflict answers 409 so scripts and tests can tell it from a plain validation error."""
    status = 409 if any("người khác cập nhật" in e for e in form.non_field_errors()) else 200
    return render(request, template, {**context, "form": form}, status=status)


@login_required
def task_edit(request, pk: int):
    """Progress, result, completion date and who is responsible: what units update as they work."""
    task = access_task(request.user, pk, for_edit=True)
    form = TaskProgressForm(request.POST or None, initial=_progress_initial(task), people=_people_of(task))

    def write(data):
        services.task_update(actor=request.user, task=task, expected_version=data.pop("version"), **data)

    if _save_through_service(request, form, write, success="Đã cập nhật tiến độ nhiệm vụ."):
        return redirect("plans:task_detail", pk=task.pk)
    return _form_page(request, "plans/task_edit.html", {"task": task}, form)


@login_required
def task_structure_edit(request, pk: int):
    task = access_task(request.user, pk)
    if not can_edit_plan(scope_for(request.user), task.plan):
        raise Http404
    initial = {
        "area": task.area,
        "number": task.number,
        "content": task.content,
        "lead": task.lead_text,
        "partners": task.partner_text,
        "product": task.product,
        "time_text": task.time_text,
        "version": task.version,
    }
    form = TaskStructureForm(request.POST or None, initial=initial)

    def write(data):
        services.task_update(actor=request.user, task=task, expected_version=data.pop("version"), **data)

    if _save_through_service(request, form, write, success="Đã lưu nội dung nhiệm vụ."):
        return redirect("plans:task_detail", pk=task.pk)
    return _form_page(request, "plans/task_structure_edit.html", {"task": task}, form)


@login_required
@require_POST
def evidence_upload(request, pk: int):
    task = access_task(request.user, pk, for_edit=True)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_attach(
                actor=request.user,
                task=task,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "Đã đính kèm tài liệu kiểm chứng.")
    else:
        messages.error(request, "Chưa chọn tệp hợp lệ để đính kèm.")
    return redirect("plans:task_detail", pk=task.pk)


@login_required
def evidence_download(request, pk: int):
    evidence = get_object_or_404(TaskEvidence.objects.select_related("task"), pk=pk)
    access_task(request.user, evidence.task_id)
    # Always a download, never rendered by the browser: a file that slipped past the content
    # checks still cannot run as a page of this site.
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = get_object_or_404(TaskEvidence.objects.select_related("task"), pk=pk)
    task = access_task(request.user, evidence.task_id, for_edit=True)
    services.evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, "Đã gỡ tài liệu kiểm chứng.")
    return redirect("plans:task_detail", pk=task.pk)


@login_required
def target_list(request):
    scope = scope_for(request.user)
    targets = (
        targets_visible(scope)
        .select_related("plan", "plan__issuer", "parent_target")
        .order_by("plan__issuer__path", "plan_id", "area", "position")
    )
    area = int_or_none(request.GET.get("area"), low=0)
    if area is not None:
        targets = targets.filter(area=area)
    plan_id = int_or_none(request.GET.get("plan"), low=1)
    if plan_id is not None:
        targets = targets.filter(plan_id=plan_id)
    page = paginate(targets, 50, request.GET.get("page"))
    return render(
        request,
        "plans/target_list.html",
        {
            "page": page,
            "actuals": target_actuals(page.object_list),
            "areas": Area.choices,
            "area": area,
            "plans": plans_visible(scope).select_related("issuer"),
            "plan_id": plan_id,
        },
    )


def target_satisfaction(target):
    # Read from the surveys app at call time: surveys builds on plans, not the other way round.
    from cchc.surveys.selectors import target_satisfaction as survey_actual

    return survey_actual(target)


@login_required
def target_edit(request, pk: int):
    target = access_target(request.user, pk, for_edit=True)
    form = TargetForm(
        request.POST or None, initial={name: getattr(target, name) for name in TargetForm.base_fields}
    )

    def write(data):
        services.target_update(
            actor=request.user, target=target, expected_version=data.pop("version"), **data
        )

    if _save_through_service(request, form, write, success="Đã lưu chỉ tiêu."):
        return redirect("plans:plan_detail", pk=target.plan_id)
    link = getattr(target, "kpi_link", None)
    context = {
        "target": target,
        "link_form": TargetLinkForm(
            initial={"kpi": link.kpi, "field": link.field, "version": link.version} if link else None
        ),
        "actual": target_actuals([target]).get(target.pk),
        "satisfaction": target_satisfaction(target),
    }
    return _form_page(request, "plans/target_edit.html", context, form)
