"""Upload a plan document, review the proposal side by side with its source, correct, commit."""

import copy
import unicodedata

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cchc.core.exceptions import ConflictError
from cchc.core.params import parse_version
from cchc.core.uploads import read_upload
from cchc.docimport import services
from cchc.docimport.models import ImportDraft
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.plans.forms import duplicate_choice
from cchc.plans.models import Area, Plan, Target
from cchc.plans.permissions import plan_issuers, plans_visible
from cchc.plans.services import DuplicatePlanError


class UploadForm(forms.Form):
    file = forms.FileField(label="Văn bản kế hoạch (.docx, .pdf, .txt)")
    issuer = forms.TypedChoiceField(label="Đơn vị ban hành", coerce=int)
    parent = forms.TypedChoiceField(
        label="Kế hoạch cấp trên (nếu có)", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, issuers, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [(u.pk, str(u)) for u in issuers]
        self.fields["parent"].choices = [("", "(không)")] + [
            (p.pk, f"{p.number} – {p.issuer}") for p in parents
        ]


def _access(user, pk: int) -> ImportDraft:
    draft = ImportDraft.objects.select_related("issuer", "parent", "plan").filter(pk=pk).first()
    if draft is None or not (
        scope_for(user).can_edit_plan_of(draft.issuer) or draft.created_by_id == user.pk
    ):
        raise Http404("Không tìm thấy bản nhập.")
    return draft


def _enqueue_reading(user, data: bytes, filename: str, issuer_id: int, parent):
    import uuid
    from pathlib import Path

    from cchc.jobs.services import enqueue, upload_dir

    path = upload_dir() / f"ke-hoach-{uuid.uuid4().hex}{Path(filename).suffix.lower()}"
    path.write_bytes(data)
    try:
        return enqueue(
            "plan_document",
            user=user,
            unit=Unit.objects.filter(pk=issuer_id).first(),
            params={
                "path": str(path),
                "filename": filename,
                "issuer_id": issuer_id,
                "parent_id": parent.pk if parent else None,
            },
        )
    except Exception:
        path.unlink(missing_ok=True)
        raise


@login_required
def upload(request):
    scope = scope_for(request.user)
    issuers = plan_issuers(scope)
    if not issuers:
        raise Http404
    parents = plans_visible(scope).select_related("issuer").order_by("issuer__depth", "number")
    form = UploadForm(request.POST or None, request.FILES or None, issuers=issuers, parents=parents)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        parent = (
            parents.filter(pk=form.cleaned_data["parent"]).first() if form.cleaned_data["parent"] else None
        )
        try:
            data = read_upload(upload_file)
            services.check_document(data, upload_file.name)
            # Reading (OCR of a scanned plan can take minutes) runs on the queue (cchc.jobs); the job's
            # page links the draft to review once it is read.
            job = _enqueue_reading(request.user, data, upload_file.name, form.cleaned_data["issuer"], parent)
        except ValidationError as exc:
            form.add_error("file", " ".join(exc.messages))
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            return redirect("jobs:detail", pk=job.pk)
    drafts = ImportDraft.objects.filter(issuer__in=issuers).select_related("issuer", "plan")[:30]
    return render(request, "docimport/upload.html", {"form": form, "drafts": drafts})


def _edits_from(post) -> dict:
    edits: dict = {"meta": {}, "targets": {}, "tasks": {}}
    for key, value in post.items():
        parts = key.split("__")
        if len(parts) == 2 and parts[0] == "meta":
            edits["meta"][parts[1]] = value
        elif len(parts) == 3 and parts[0] in ("t", "k"):
            bucket = edits["targets" if parts[0] == "t" else "tasks"].setdefault(parts[1], {})
            if parts[2] == "present":
                bucket["include"] = f"{parts[0]}__{parts[1]}__include" in post
            elif parts[2] != "include":
                bucket[parts[2]] = value
    return edits


@login_required
def review(request, pk: int):
    draft = _access(request.user, pk)
    errors: list[str] = []
    duplicates = []
    status = 200
    if request.method == "POST":
        try:
            draft = services.draft_update(
                actor=request.user,
                draft=draft,
                expected_version=parse_version(request.POST.get("version")),
                edits=_edits_from(request.POST),
            )
            if request.POST.get("then") == "commit":
                replaces_id, distinct = duplicate_choice(request.POST)
                plan = services.draft_commit(
                    actor=request.user,
                    draft=draft,
                    replaces_id=replaces_id,
                    allow_duplicate_number=distinct,
                )
                messages.success(
                    request, "Đã tạo dự thảo kế hoạch từ văn bản. Hãy rà soát lần cuối rồi ban hành."
                )
                return redirect("plans:plan_detail", pk=plan.pk)
            messages.success(request, "Đã lưu các chỉnh sửa.")
            return redirect("docimport:review", pk=draft.pk)
        except DuplicatePlanError as exc:
            duplicates = exc.existing
        except ConflictError as exc:
            errors, status = [str(exc)], 409
        except ValidationError as exc:
            errors, status = exc.messages, 400
        except PermissionDenied as exc:
            raise Http404 from exc
    proposal = draft.proposal
    if errors:  # the refused save is shown again with what the user typed; nothing of it was saved
        proposal = copy.deepcopy(proposal)
        services.apply_edits(proposal, _edits_from(request.POST), issuer=draft.issuer, preview=True)
    tasks = []
    for index, task in enumerate(proposal.get("tasks", [])):
        tasks.append((str(index), task, False))
        for child_index, child in enumerate(task.get("children") or []):
            tasks.append((f"{index}.{child_index}", child, True))
    return render(
        request,
        "docimport/review.html",
        {
            "draft": draft,
            "proposal": proposal,
            "tasks": tasks,
            "targets": list(enumerate(proposal.get("targets", []))),
            # NFC (keeping the indentation) so a tone mark stored apart from its letter is drawn on it.
            "lines": [
                (n, unicodedata.normalize("NFC", line)) for n, line in enumerate(draft.source_lines, start=1)
            ],
            "duplicates": duplicates,
            "replaceable": Plan.objects.filter(issuer=draft.issuer, status=Plan.Status.ISSUED).order_by(
                "-issued_on"
            ),
            "areas": Area.choices,
            "comparators": Target.Comparator.choices,
            "errors": errors,
            "editable": draft.status == ImportDraft.Status.DRAFT,
        },
        status=status,
    )


@login_required
@require_POST
def discard(request, pk: int):
    draft = _access(request.user, pk)
    try:
        services.draft_discard(actor=request.user, draft=draft)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("docimport:upload")
