"""Survey pages. Public: the questionnaire per channel (no login), its QR code, the published
results. Staff: rounds, results of the units in scope, paper entry, exports, publication."""

import csv
import io
import uuid

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from cchc.core import uploads
from cchc.core.exceptions import ConflictError
from cchc.core.params import int_or_none, parse_version
from cchc.core.security import client_ip
from cchc.delivery import charts
from cchc.org.permissions import scope_for
from cchc.surveys import exports, forms, permissions, selectors, services
from cchc.surveys.models import LIKERT_LABELS, Channel, Draft, Response, Round


def _client_ip(request) -> str:
    return client_ip(request) or ""


def _rate_limited(request) -> bool:
    return services.post_rate_limited(_client_ip(request))


def _public_message(request, title: str, text: str, *, status: int = 200, channel=None):
    return render(
        request, "surveys/message.html", {"title": title, "text": text, "channel": channel}, status=status
    )


def _parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


# Public ----------------------------------------------------------------------------------------


KIOSK_IDLE_SECONDS = getattr(settings, "SURVEYS_KIOSK_IDLE_SECONDS", 120)


def survey_form(request, slug: str):
    return _survey_form(request, slug, kiosk=False)


def kiosk_form(request, slug: str):
    """The same questionnaire for a tablet at a one-stop desk: a finished answer returns to a fresh
    form, and the page reloads itself to a fresh form after ``KIOSK_IDLE_SECONDS`` (a meta refresh:
    the CSP allows no script). Answers already posted but not finished (a refused submission or
    «Lưu») are kept as a draft; answers ticked but never posted are lost on the reset, by design —
    the next citizen must not see them."""
    return _survey_form(request, slug, kiosk=True)


def _survey_form(request, slug: str, *, kiosk: bool):
    channel = services.public_channel(slug)
    if channel is None:
        raise Http404("Không tìm thấy khảo sát.")
    round_ = channel.round
    if round_.status != Round.Status.OPEN:
        return _public_message(
            request,
            "Đợt khảo sát đã kết thúc",
            "Đợt khảo sát này đã kết thúc. Xin cảm ơn Ông/Bà đã quan tâm.",
            channel=channel,
        )
    questions = services.questions_of_round(round_)
    source = data = request.POST if request.method == "POST" else request.GET
    draft = None
    draft_key = source.get("tiep", "")
    if draft_key:
        draft = Draft.objects.filter(key=draft_key, channel=channel).first()
        if draft is None:
            return _public_message(
                request,
                "Không tìm thấy phiếu đang trả lời",
                "Liên kết tiếp tục đã hết hạn hoặc phiếu đã được gửi. Ông/Bà có thể trả lời lại từ đầu.",
                status=404,
                channel=channel,
            )
    token = source.get("t", "") or (draft.token if draft else "")
    if token:
        try:
            if services.token_is_spent(round_, token):
                return _public_message(
                    request,
                    "Mã phiếu đã được sử dụng",
                    "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần — xin cảm ơn Ông/Bà đã tham gia.",
                    status=409,
                    channel=channel,
                )
        except services.TokenRefused as exc:
            return _public_message(request, "Mã phiếu không hợp lệ", str(exc), status=400, channel=channel)
    elif round_.requires_token:
        return _public_message(
            request,
            "Cần mã trên giấy biên nhận",
            "Đợt khảo sát này chỉ nhận ý kiến của người đã được giải quyết hồ sơ. Ông/Bà vui lòng quét mã QR "
            "in trên giấy biên nhận hoặc phiếu trả kết quả.",
            status=400,
            channel=channel,
        )
    answers = dict(draft.answers) if draft else {}
    submission_uuid = draft.submission_uuid if draft else uuid.uuid4()
    errors: dict = {}
    status = 200
    if request.method == "POST":
        if data.get("website"):
            # A honeypot filled in: answer as if accepted so that a bot learns nothing; keep nothing.
            return redirect("surveys:thanks", slug=channel.slug)
        if _rate_limited(request):
            return _public_message(
                request,
                "Quá nhiều lượt gửi",
                "Có quá nhiều lượt gửi từ cùng một mạng trong ít phút. Ông/Bà vui lòng thử lại sau ít phút; "
                "các câu đã trả lời chưa bị mất nếu Ông/Bà quay lại trang trước.",
                status=429,
                channel=channel,
            )
        submission_uuid = _parse_uuid(data.get("submission_uuid", "")) or submission_uuid
        raw = forms.raw_from_post(questions, data)
        answers = raw
        try:
            if data.get("action") == "save":
                draft = services.draft_save(
                    channel=channel, raw=raw, submission_uuid=submission_uuid, token=token, key=draft_key
                )
                if kiosk:
                    return redirect(reverse("surveys:kiosk", args=[channel.slug]) + "?da-luu=1")
                url = reverse("surveys:form", args=[channel.slug]) + "?" + urlencode({"tiep": draft.key})
                return redirect(url + "&da-luu=1")
            services.response_submit(
                channel=channel,
                raw=raw,
                submission_uuid=submission_uuid,
                token=token,
                draft_key=draft_key,
                questions=questions,
            )
            if kiosk:
                return redirect(reverse("surveys:kiosk", args=[channel.slug]) + "?cam-on=1")
            return redirect("surveys:thanks", slug=channel.slug)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            status = 400
            if kiosk:
                draft = _kiosk_keep_draft(channel, raw, submission_uuid, token, draft_key) or draft
        except services.TokenRefused as exc:
            return _public_message(request, "Mã phiếu đã được sử dụng", str(exc), status=409, channel=channel)
        except services.QuotaFull as exc:
            return _public_message(request, "Đã đủ số phiếu", str(exc), status=409, channel=channel)
        except ConflictError as exc:
            return _public_message(request, "Phiếu đã được gửi", str(exc), status=409, channel=channel)
    resume_url = ""
    if draft is not None and not kiosk:
        resume_url = request.build_absolute_uri(
            reverse("surveys:form", args=[channel.slug]) + "?" + urlencode({"tiep": draft.key})
        )
    context = {
        "channel": channel,
        "round": round_,
        "sections": forms.widgets(questions, answers, errors),
        "general_errors": errors.get("__all__", []),
        "has_errors": bool(errors),
        "submission_uuid": submission_uuid,
        "token": token,
        "draft_key": draft.key if draft else "",
        "saved": request.GET.get("da-luu") == "1",
        "resume_url": resume_url,
        "kiosk": kiosk,
        "form_url": reverse("surveys:kiosk" if kiosk else "surveys:form", args=[channel.slug]),
        "kiosk_idle_seconds": KIOSK_IDLE_SECONDS,
        "kiosk_thanked": kiosk and request.GET.get("cam-on") == "1",
    }
    return render(request, "surveys/form.html", context, status=status)


def _kiosk_keep_draft(channel, raw, submission_uuid, token: str, draft_key: str):
    """A refused kiosk submission may be abandoned at the desk: keep what was posted as a draft
    so that the idle reset loses nothing already sent. Values that fail even partial validation
    are not kept."""
    try:
        return services.draft_save(
            channel=channel, raw=raw, submission_uuid=submission_uuid, token=token, key=draft_key
        )
    except ValidationError:
        return None


def thanks(request, slug: str):
    channel = get_object_or_404(Channel.objects.select_related("unit"), slug=slug)
    return _public_message(
        request,
        "Cảm ơn Ông/Bà",
        "Ý kiến của Ông/Bà đã được ghi nhận. Phiếu không gắn với tên, số điện thoại hay mã hồ sơ của Ông/Bà.",
        channel=channel,
    )


def _public_url(request, channel: Channel) -> str:
    return request.build_absolute_uri(reverse("surveys:form", args=[channel.slug]))


def channel_qr(request, slug: str, fmt: str):
    channel = get_object_or_404(Channel, slug=slug)
    qr = segno.make(_public_url(request, channel), error="m")
    buffer = io.BytesIO()
    if fmt == "svg":
        qr.save(buffer, kind="svg", scale=8, border=2, title="Mã QR khảo sát sự hài lòng")
        return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    qr.save(buffer, kind="png", scale=10, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/png")


def public_results(request, pk: int):
    round_ = get_object_or_404(Round.objects.select_related("survey"), pk=pk, status=Round.Status.PUBLISHED)
    snapshot = selectors.latest_snapshot(round_)
    data = snapshot.data
    units = list(round_.units.order_by("block", "name"))
    return render(
        request,
        "surveys/public_results.html",
        {
            "round": round_,
            "snapshot": snapshot,
            "overall": selectors.results_of(data, data["cells"], suppress=True),
            "by_unit": selectors.results_by_unit(data, units, suppress=True),
            "by_block": selectors.results_by_block(data, suppress=True),
            "min_cell": data["min_cell"],
            "chart": _unit_chart(selectors.results_by_unit(data, units, suppress=True), round_),
        },
    )


def _unit_chart(rows, round_: Round):
    bars = [charts.Bar(u.name, r.overall.value / 100 if r.overall.shown else None) for u, r in rows]
    if not bars:
        return None
    return charts.bar_chart(
        bars, title=f"Chỉ số hài lòng theo đơn vị, {round_.title}", target=0.9, target_label="90%"
    )


def _trend_chart(points, round_: Round):
    """A line over the rounds of the survey; with a single round there is no trend to draw."""
    if len(points) < 2:
        return None
    return charts.line_chart(
        [str(p.round.year) for p in points],
        [
            charts.Series(
                "Chỉ số hài lòng chung",
                [
                    p.results.overall.value / 100 if p.results.overall.value is not None else None
                    for p in points
                ],
            )
        ],
        title=f"Chỉ số hài lòng chung qua các đợt, {round_.survey.title}",
    )


# Staff -----------------------------------------------------------------------------------------


@login_required
def round_list(request):
    scope = scope_for(request.user)
    rounds = [
        r
        for r in Round.objects.select_related("survey__owner")
        .prefetch_related("units")
        .order_by("-year", "-pk")
        if permissions.is_manager(request.user, r.survey) or any(scope.in_subtree(u) for u in r.units.all())
    ]
    return render(request, "surveys/round_list.html", {"rounds": rounds})


@login_required
def round_detail(request, pk: int):
    round_ = permissions.access_round(request.user, pk)
    manager = permissions.is_manager(request.user, round_.survey)
    units = permissions.visible_units(request.user, round_)
    data = selectors.live_or_published(round_)
    visible_ids = {u.pk for u in units}
    cells = [c for c in data["cells"] if any(c["path"].startswith(u.path) for u in units)]
    by_unit = selectors.results_by_unit(data, units)
    scope = scope_for(request.user)
    channels = [
        c
        for c in round_.channels.select_related("unit").order_by("unit__name", "desk")
        if c.unit_id in visible_ids or manager
    ]
    quotas = [
        q
        for q in round_.quotas.select_related("unit").order_by("unit__name", "field")
        if q.unit_id in visible_ids
    ]
    trend = selectors.survey_trend(round_.survey, lambda r: permissions.visible_units(request.user, r))
    context = {
        "round": round_,
        "manager": manager,
        "overall": selectors.results_of(data, cells),
        "by_unit": by_unit,
        "by_field": selectors.results_by_field(data, cells),
        "channels": channels,
        "quotas": quotas,
        "chart": _unit_chart(by_unit, round_),
        "trend": trend,
        "trend_chart": _trend_chart(trend, round_),
        "snapshot": selectors.latest_snapshot(round_),
        "samples": selectors.sample_plan(round_, units),
        "can_enter": any(scope.can_edit_items_of(u) for u in units) or manager,
    }
    return render(request, "surveys/round_detail.html", context)


@login_required
@require_POST
def round_publish(request, pk: int):
    round_ = permissions.access_round(request.user, pk)
    try:
        snapshot = services.round_publish(actor=request.user, round_=round_)
    except PermissionDenied:
        raise Http404("Không tìm thấy đợt khảo sát.") from None
    messages.success(request, f"Đã chốt và công bố kết quả (mã kiểm tra SHA-256 {snapshot.sha256[:16]}…).")
    return redirect("surveys:round", pk=round_.pk)


@login_required
def channel_poster(request, slug: str):
    channel = get_object_or_404(Channel.objects.select_related("round__survey", "unit"), slug=slug)
    permissions.access_round(request.user, channel.round_id)
    if not permissions.can_see_unit_results(request.user, channel.round, channel.unit):
        raise Http404("Không tìm thấy.")
    content = exports.poster_docx(channel, _public_url(request, channel))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="ap-phich-khao-sat-{channel.slug}.docx"'
    return response


@login_required
def channel_poster_pdf(request, slug: str):
    channel = get_object_or_404(Channel.objects.select_related("round__survey", "unit"), slug=slug)
    permissions.access_round(request.user, channel.round_id)
    if not permissions.can_see_unit_results(request.user, channel.round, channel.unit):
        raise Http404("Không tìm thấy.")
    try:
        content = exports.poster_pdf(channel, _public_url(request, channel))
    except exports.PosterUnavailable as exc:
        response = render(
            request,
            "surveys/message.html",
            {"title": "Chưa tạo được áp phích PDF", "text": str(exc), "channel": channel},
            status=503,
        )
        response["Retry-After"] = "60"
        return response
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ap-phich-khao-sat-{channel.slug}.pdf"'
    return response


@login_required
def results_csv(request, pk: int):
    round_ = permissions.access_round(request.user, pk)
    units = permissions.visible_units(request.user, round_)
    data = selectors.live_or_published(round_)
    rows = exports.result_rows(data, selectors.results_by_unit(data, units))
    return _stream_csv(rows, f"ket-qua-khao-sat-{round_.pk}.csv")


@login_required
def results_xlsx(request, pk: int):
    round_ = permissions.access_round(request.user, pk)
    units = permissions.visible_units(request.user, round_)
    data = selectors.live_or_published(round_)
    content = exports.result_xlsx(exports.result_rows(data, selectors.results_by_unit(data, units)))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ket-qua-khao-sat-{round_.pk}.xlsx"'
    return response


@login_required
def answers_csv(request, pk: int):
    """Raw answers, for the survey's managers only (streamed: never truncated, never all in memory)."""
    round_ = permissions.access_round(request.user, pk)
    if not permissions.is_manager(request.user, round_.survey):
        raise Http404("Không tìm thấy.")
    return _stream_csv(exports.answer_rows(round_), f"phieu-khao-sat-{round_.pk}.csv")


class _Echo:
    def write(self, value):
        return value


def _stream_csv(rows, name: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # Excel opens UTF-8 Vietnamese correctly only with the BOM
        for row in rows:
            yield writer.writerow([exports.csv_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def paper_entry(request, slug: str):
    """One paper questionnaire per screen, keyboard only: type the digit of each level, Enter saves."""
    channel = get_object_or_404(
        Channel.objects.select_related("round__survey", "round__version", "unit"), slug=slug
    )
    permissions.access_round(request.user, channel.round_id)
    if not permissions.can_enter_paper(request.user, channel.round, channel.unit):
        raise Http404("Không tìm thấy.")
    questions = services.questions_of(channel.round.version)
    errors: dict = {}
    answers: dict = {}
    status = 200
    if request.method == "POST":
        answers = forms.raw_from_post(questions, request.POST)
        uid = _parse_uuid(request.POST.get("submission_uuid", "")) or uuid.uuid4()
        try:
            result = services.response_submit(
                channel=channel,
                raw=answers,
                submission_uuid=uid,
                source=Response.Source.PAPER,
                actor=request.user,
                questions=questions,
            )
            messages.success(
                request,
                "Đã lưu phiếu." if result.created else "Phiếu này đã được lưu trước đó (không tính hai lần).",
            )
            return redirect("surveys:paper", slug=channel.slug)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            status = 400
        except (services.QuotaFull, ConflictError, PermissionDenied) as exc:
            errors = {"__all__": [str(exc)]}
            status = 409
    context = {
        "channel": channel,
        "round": channel.round,
        "sections": forms.widgets(questions, answers, errors),
        "general_errors": errors.get("__all__", []),
        "submission_uuid": uuid.uuid4(),
        "count": Response.objects.filter(
            round=channel.round, unit=channel.unit, source=Response.Source.PAPER
        ).count(),
    }
    return render(request, "surveys/paper_entry.html", context, status=status)


@login_required
@require_POST
def paper_import(request, slug: str):
    """An .xlsx (or .csv) of paper questionnaires: all or nothing, errors by row and column."""
    from cchc.core.tabular import ImportFileError
    from cchc.surveys.paper_import import import_paper

    channel = get_object_or_404(
        Channel.objects.select_related("round__survey", "round__version", "unit"), slug=slug
    )
    permissions.access_round(request.user, channel.round_id)
    if not permissions.can_enter_paper(request.user, channel.round, channel.unit):
        raise Http404("Không tìm thấy.")
    upload = request.FILES.get("tep")
    if upload is None:
        messages.error(request, "Chưa chọn tệp. Không có phiếu nào được lưu.")
        return redirect("surveys:paper", slug=channel.slug)
    try:
        data = uploads.read_upload(upload)
        result = import_paper(actor=request.user, channel=channel, data=data, filename=upload.name)
    except uploads.UploadRefused as exc:
        messages.error(request, " ".join(exc.messages) + " Không có phiếu nào được lưu.")
    except ImportFileError as exc:
        shown = [str(e) for e in exc.errors[:30]]
        more = len(exc.errors) - len(shown)
        messages.error(
            request,
            "Tệp có lỗi, không có phiếu nào được lưu. "
            + " · ".join(shown)
            + (f" · và {more} lỗi khác." if more > 0 else ""),
        )
    else:
        messages.success(
            request,
            f"Đã nhập {result.created} phiếu"
            + (f"; {result.already} phiếu đã có từ trước." if result.already else "."),
        )
    return redirect("surveys:paper", slug=channel.slug)


# Survey builder (managers) ---------------------------------------------------------------------


def _manager_survey(user, pk: int):
    from cchc.surveys.models import Survey

    survey = Survey.objects.select_related("owner").filter(pk=pk).first()
    if survey is None or scope_for(user).is_anonymous or not permissions.is_manager(user, survey):
        raise Http404("Không tìm thấy khảo sát.")
    return survey


def _error_list(exc: ValidationError) -> list[str]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return [f"{v}" for vs in errors.values() for v in (vs if isinstance(vs, list) else [vs])]


def _settings_initial(survey) -> dict:
    return {
        "levels": [str(v) for v in survey.satisfied_levels],
        "index_method": survey.index_method,
        "min_cell": str(survey.min_cell),
        "version": str(survey.version),
    }


def _parse_settings(post) -> dict:
    """The settings form, parsed strictly: a missing or junk value is refused, never defaulted."""
    errors = {}
    levels = post.getlist("satisfied_levels")
    if not levels or any(v not in {"1", "2", "3", "4", "5"} for v in levels):
        errors["satisfied_levels"] = "Chọn ít nhất một mức từ 1 đến 5 được tính là hài lòng."
    min_cell = int_or_none(post.get("min_cell"), low=1, high=1000)
    if min_cell is None:
        errors["min_cell"] = "Số phiếu tối thiểu phải là số nguyên từ 1 đến 1000."
    if errors:
        raise ValidationError(errors)
    return {
        "satisfied_levels": [int(v) for v in levels],
        "index_method": post.get("index_method", ""),
        "min_cell": min_cell,
    }


@login_required
def builder_survey(request, pk: int):
    from cchc.surveys.models import Survey

    survey = _manager_survey(request.user, pk)
    errors, status, form = [], 200, _settings_initial(survey)
    if request.method == "POST" and request.POST.get("op") == "settings":
        form = {
            "levels": request.POST.getlist("satisfied_levels"),
            "index_method": request.POST.get("index_method", ""),
            "min_cell": request.POST.get("min_cell", ""),
            "version": request.POST.get("version", ""),
        }
        try:
            version = parse_version(request.POST.get("version"))
            services.survey_settings_update(
                actor=request.user, survey=survey, expected_version=version, **_parse_settings(request.POST)
            )
        except ValidationError as exc:
            errors, status = _error_list(exc), 400
        except ConflictError as exc:
            errors, status = [str(exc)], 409
            survey.refresh_from_db()
            form["version"] = str(survey.version)
        else:
            messages.success(request, "Đã lưu cài đặt khảo sát.")
            return redirect("surveys:builder", pk=survey.pk)
    elif request.method == "POST":
        try:
            version = services.version_create_from_latest(
                actor=request.user, survey=survey, note=request.POST.get("note", "")
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("surveys:builder", pk=survey.pk)
        messages.success(request, f"Đã tạo phiên bản {version.number} (bản nháp) từ phiên bản mới nhất.")
        return redirect("surveys:builder_version", pk=version.pk)
    versions = survey.versions.prefetch_related("rounds").order_by("-number")
    return render(
        request,
        "surveys/builder_survey.html",
        {
            "survey": survey,
            "versions": versions,
            "form": form,
            "errors": errors,
            "levels": [(str(k), v) for k, v in LIKERT_LABELS.items()],
            "methods": Survey.IndexMethod.choices,
        },
        status=status,
    )


def _builder_item(version, kind: str, pk: str):
    from cchc.surveys.models import Question, Section

    if kind == "section":
        return get_object_or_404(Section, pk=pk, version=version)
    return get_object_or_404(
        Question.objects.select_related("section__version"), pk=pk, section__version=version
    )


def _posted_choices(post) -> list[list[str]]:
    return [
        [part.strip() for part in line.split("|", 1)] if "|" in line else [line.strip(), line.strip()]
        for line in post.get("choices", "").splitlines()
        if line.strip()
    ]


def _kept_input(post):
    """What was typed into the form that was refused, shaped like the objects the forms show, so
    the page can give it back instead of losing it."""
    from types import SimpleNamespace

    op = post.get("op", "")
    if op == "section":
        return SimpleNamespace(
            op=op,
            pk=post.get("pk", ""),
            code=post.get("code", ""),
            title=post.get("title", ""),
            is_aspect=post.get("is_aspect") == "on",
        )
    if op == "question":
        return SimpleNamespace(
            op=op,
            pk=post.get("pk", ""),
            section=SimpleNamespace(pk=post.get("section", "")),
            code=post.get("code", ""),
            text=post.get("text", ""),
            kind=post.get("kind", ""),
            required=post.get("required") == "on",
            choices=_posted_choices(post),
            show_if_code=post.get("show_if_code", ""),
            show_if_values=[v.strip() for v in post.get("show_if_values", "").split(",") if v.strip()],
        )
    return None


@login_required
def builder_version(request, pk: int):
    from cchc.surveys.models import Question, SurveyVersion

    version = get_object_or_404(SurveyVersion.objects.select_related("survey__owner"), pk=pk)
    _manager_survey(request.user, version.survey_id)
    errors, status, kept = [], 200, None
    if request.method == "POST":
        op, post = request.POST.get("op", ""), request.POST
        try:
            expected = parse_version(post.get("version"))
            if op == "section":
                section = _builder_item(version, "section", post["pk"]) if post.get("pk") else None
                services.section_save(
                    actor=request.user,
                    version=version,
                    expected_version=expected,
                    code=post.get("code", ""),
                    title=post.get("title", ""),
                    is_aspect=post.get("is_aspect") == "on",
                    section=section,
                )
            elif op == "question":
                section = _builder_item(version, "section", post.get("section", "0"))
                question = _builder_item(version, "question", post["pk"]) if post.get("pk") else None
                services.question_save(
                    actor=request.user,
                    section=section,
                    question=question,
                    expected_version=expected,
                    code=post.get("code", ""),
                    text=post.get("text", ""),
                    kind=post.get("kind", ""),
                    required=post.get("required") == "on",
                    choices=_posted_choices(post),
                    show_if_code=post.get("show_if_code", "").strip(),
                    show_if_values=[
                        v.strip() for v in post.get("show_if_values", "").split(",") if v.strip()
                    ],
                )
            elif op == "finish":
                services.version_finish(actor=request.user, version=version, expected_version=expected)
            elif op in ("delete", "up", "down"):
                item = _builder_item(version, post.get("kind", ""), post.get("pk", "0"))
                if op == "delete":
                    services.builder_delete(actor=request.user, item=item, expected_version=expected)
                else:
                    services.builder_move(
                        actor=request.user, item=item, step=-1 if op == "up" else 1, expected_version=expected
                    )
            else:
                raise ValidationError("Thao tác không hợp lệ.")
            messages.success(request, "Đã lưu.")
            return redirect("surveys:builder_version", pk=version.pk)
        except ValidationError as exc:
            errors, status = _error_list(exc), 400
        except ConflictError as exc:
            errors, status = [str(exc)], 409
        except (KeyError, ValueError):
            errors, status = ["Thao tác không hợp lệ."], 400
        kept = _kept_input(post)
        version.refresh_from_db()
    frozen = version.rounds.exists() or version.status == SurveyVersion.Status.FINISHED
    sections = version.sections.prefetch_related("questions")
    return render(
        request,
        "surveys/builder_version.html",
        {
            "version": version,
            "survey": version.survey,
            "frozen": frozen,
            "sections": sections,
            "kinds": Question.Kind.choices,
            "errors": errors,
            "kept": kept,
        },
        status=status,
    )
