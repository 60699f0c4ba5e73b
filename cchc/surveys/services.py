"""Every write of the surveys app.

Public submissions are the one write without an actor: they carry no audit row on purpose, because
an audit row's exact time and id would undo the coarsened hour of the response. Officers' paper
entries, imports and every management write are audited as usual.
"""

import contextlib
import hashlib
import hmac
import json
import math
import secrets
import threading
import time
import uuid as uuid_lib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from cchc.core import audit
from cchc.core.exceptions import ConflictError, PermissionDenied, ValidationError, check_version
from cchc.core.text import nfc
from cchc.dashboard.services import refresh_scorecard_soon
from cchc.org.models import Unit
from cchc.surveys import sipas
from cchc.surveys.models import (
    Answer,
    Channel,
    Draft,
    Question,
    Quota,
    Response,
    ResultSnapshot,
    Round,
    Section,
    SpentToken,
    Survey,
    SurveyVersion,
    TargetSurveyLink,
)
from cchc.surveys.permissions import can_enter_paper, is_manager

TOKEN_SALT = "cchc.surveys.receipt-token"


class TokenRefused(Exception):
    """A receipt token that is forged, for another round, or already used."""


class QuotaFull(Exception):
    pass


def _require_manager(actor, survey: Survey) -> None:
    if actor is not None and not is_manager(actor, survey):
        raise PermissionDenied("Chỉ cơ quan chủ trì khảo sát được thực hiện thao tác này.")


# Surveys and versions --------------------------------------------------------------------------


def sipas_template_create(*, actor, owner: Unit, code: str = "sipas-mau") -> Survey:
    """The SIPAS template: five aspects on the 5-level scale, satisfied = levels 4 and 5."""
    with transaction.atomic():
        survey = Survey.objects.create(
            code=code,
            title="Phiếu khảo sát sự hài lòng về phục vụ hành chính (SIPAS) — mẫu để thành phố điều chỉnh",
            description=(
                "Mẫu dựng theo năm yếu tố phục vụ: tiếp cận dịch vụ, thủ tục hành chính, công chức giải "
                "quyết, kết quả và việc tiếp nhận, xử lý góp ý. Thành phố điều chỉnh câu chữ và câu hỏi "
                "trước khi mở đợt khảo sát."
            ),
            owner=owner,
            is_template=True,
            satisfied_levels=[4, 5],
        )
        version = SurveyVersion.objects.create(
            survey=survey,
            number=1,
            note="Mẫu ban đầu",
            status=SurveyVersion.Status.FINISHED,
            finished_at=timezone.now(),
        )
        for s_order, spec in enumerate(sipas.SIPAS_SECTIONS):
            section = Section.objects.create(
                version=version,
                order=s_order,
                code=spec["code"],
                title=spec["title"],
                is_aspect=spec["is_aspect"],
            )
            for q_order, (code_, text, kind, required) in enumerate(spec["questions"]):
                show_if = sipas.SHOW_IF.get(code_)
                Question.objects.create(
                    section=section,
                    order=q_order,
                    code=code_,
                    text=text,
                    kind=kind,
                    required=required,
                    choices=sipas.SCALE if kind == "scale" else sipas.CHOICES.get(code_, []),
                    show_if_code=show_if[0] if show_if else "",
                    show_if_values=show_if[1] if show_if else [],
                )
        audit.record(actor=actor, action="create", instance=survey, note="Tạo mẫu SIPAS")
    return survey


def survey_settings_update(
    *,
    actor,
    survey: Survey,
    expected_version: int,
    satisfied_levels: list[int],
    index_method: str,
    min_cell: int,
) -> Survey:
    """Which levels count as satisfied, how the overall index is made and the smallest published
    cell. Results already frozen keep the settings they were computed with."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        _require_manager(actor, survey)
        check_version(
            survey.version,
            expected_version,
            "Cài đặt khảo sát vừa được người khác cập nhật; thay đổi của Anh/Chị chưa được lưu. "
            "Hãy xem lại cài đặt mới rồi lưu lại.",
        )
        try:
            levels = sorted({int(v) for v in satisfied_levels})
        except (TypeError, ValueError):
            levels = []
        if not levels or any(v not in range(1, 6) for v in levels):
            raise ValidationError(
                {"satisfied_levels": "Chọn ít nhất một mức từ 1 đến 5 được tính là hài lòng."}
            )
        if len(levels) == 5:
            raise ValidationError(
                {"satisfied_levels": "Không thể tính cả năm mức là hài lòng: chỉ số sẽ luôn là 100%."}
            )
        if index_method not in Survey.IndexMethod.values:
            raise ValidationError({"index_method": "Cách tính chỉ số không hợp lệ."})
        if isinstance(min_cell, bool) or not isinstance(min_cell, int) or not 1 <= min_cell <= 1000:
            raise ValidationError({"min_cell": "Số phiếu tối thiểu phải là số nguyên từ 1 đến 1000."})
        before = audit.snapshot(survey, ["satisfied_levels", "index_method", "min_cell"])
        survey.satisfied_levels, survey.index_method, survey.min_cell = levels, index_method, min_cell
        changes = audit.diff(before, audit.snapshot(survey, before))
        if changes:
            survey.version = F("version") + 1
            survey.save(
                update_fields=["satisfied_levels", "index_method", "min_cell", "version", "updated_at"]
            )
            survey.refresh_from_db()
            audit.record(actor=actor, action="update", instance=survey, changes=changes)
    return survey


# Rounds, channels, quotas ----------------------------------------------------------------------


NO_FINISHED_VERSION = (
    "Khảo sát chưa có phiên bản câu hỏi nào đã hoàn tất; hãy hoàn tất một phiên bản trong trang soạn "
    "bộ câu hỏi trước khi mở đợt."
)
DRAFT_VERSION_REFUSED = (
    "Phiên bản {number} còn là bản nháp; chỉ phiên bản đã hoàn tất mới dùng được cho một đợt."
)


def round_open(
    *,
    actor,
    survey: Survey,
    title: str,
    year: int,
    units: Iterable[Unit],
    requires_token: bool = False,
    version: SurveyVersion | None = None,
) -> Round:
    """Open a round on the chosen finished version, or on the latest finished one: a draft the
    builder is half way through is never asked to citizens."""
    with transaction.atomic():
        _require_manager(actor, survey)
        if version is not None:
            # Locked so that the status read here is the one the round is created with.
            version = SurveyVersion.objects.select_for_update().filter(pk=version.pk, survey=survey).first()
            if version is None:
                raise ValidationError("Phiên bản này không thuộc khảo sát.")
            if version.status != SurveyVersion.Status.FINISHED:
                raise ValidationError(DRAFT_VERSION_REFUSED.format(number=version.number))
        else:
            version = (
                survey.versions.select_for_update()
                .filter(status=SurveyVersion.Status.FINISHED)
                .order_by("-number")
                .first()
            )
            if version is None:
                raise ValidationError(NO_FINISHED_VERSION)
        round_ = Round.objects.create(
            survey=survey, version=version, title=nfc(title.strip()), year=year, requires_token=requires_token
        )
        round_.units.set(list(units))
        audit.record(actor=actor, action="create", instance=round_)
    return round_


def channel_create(*, actor, round_: Round, unit: Unit, desk: str = "", field: str = "") -> Channel:
    with transaction.atomic():
        _require_manager(actor, round_.survey)
        if not round_.units.filter(pk=unit.pk).exists():
            raise ValidationError("Đơn vị này không thuộc đợt khảo sát.")
        channel = Channel.objects.create(
            round=round_,
            unit=unit,
            slug=secrets.token_urlsafe(9),
            desk=nfc(desk.strip()),
            field=nfc(field.strip()),
        )
        audit.record(actor=actor, action="create", instance=channel)
    return channel


def quota_set(*, actor, round_: Round, unit: Unit, target: int, field: str = "") -> Quota:
    with transaction.atomic():
        _require_manager(actor, round_.survey)
        quota, _ = Quota.objects.select_for_update().get_or_create(
            round=round_, unit=unit, field=field, defaults={"target": target}
        )
        if target < quota.filled:
            raise ValidationError(f"Đã nhận {quota.filled} phiếu, không thể đặt chỉ tiêu thấp hơn.")
        quota.target = target
        quota.save(update_fields=["target"])
        audit.record(actor=actor, action="update", instance=quota, changes={"target": target})
    return quota


def sample_size(population: int, margin: float = 0.05) -> int:
    """n = N / (1 + N·e²), rounded up (MOHA's formula; e = 5% by default)."""
    if population <= 0:
        return 0
    return math.ceil(population / (1 + population * margin * margin))


# Receipt tokens --------------------------------------------------------------------------------


def token_issue(round_: Round, dossier_code: str) -> str:
    """A signed token for one dossier, printed on its receipt (no table row until it is spent)."""
    return signing.Signer(salt=TOKEN_SALT).sign(f"{round_.pk}.{dossier_code.strip()}")


def token_read(round_: Round, token: str) -> str:
    """The dossier code the token names; TokenRefused when forged or for another round."""
    try:
        value = signing.Signer(salt=TOKEN_SALT).unsign(token.strip())
    except signing.BadSignature as exc:
        raise TokenRefused(
            "Mã phiếu không hợp lệ. Ông/Bà vui lòng kiểm tra lại mã in trên giấy biên nhận."
        ) from exc
    round_id, _, code = value.partition(".")
    if round_id != str(round_.pk) or not code:
        raise TokenRefused("Mã phiếu này không dùng cho đợt khảo sát này.")
    return code


def _token_digest(round_: Round, dossier_code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{round_.pk}|{dossier_code}".encode(), hashlib.sha256
    ).hexdigest()


def token_is_spent(round_: Round, token: str) -> bool:
    return SpentToken.objects.filter(digest=_token_digest(round_, token_read(round_, token))).exists()


# Answers ---------------------------------------------------------------------------------------


def questions_of(version: SurveyVersion) -> list[Question]:
    return list(
        Question.objects.filter(section__version=version)
        .select_related("section")
        .order_by("section__order", "order", "pk")
    )


_QUESTIONS: dict[tuple, list[Question]] = {}


def questions_of_round(round_: Round) -> list[Question]:
    """The questions a round asks, read once per process: a round's version is frozen while it
    runs (a changed questionnaire is a new version, hence a new key; the creation time guards
    against an id reused by a re-created database)."""
    key = (round_.version_id, round_.version.created_at)
    cached = _QUESTIONS.get(key)
    if cached is None:
        cached = _QUESTIONS[key] = questions_of(round_.version)
    return cached


# Public channels, read once per process for CHANNEL_CACHE_SECONDS: the public form and its
# submission otherwise spend a third of their time on this one four-table SELECT. Writes to a
# channel, round, version or survey clear this process's copy (signals in apps.py); other processes
# see the change within the TTL, and nothing stale can be counted meanwhile, because the submission
# statement itself checks that the round is open and still asks this version.
CHANNEL_CACHE_SECONDS = getattr(settings, "SURVEYS_CHANNEL_CACHE_SECONDS", 30)
_CHANNEL_CACHE_MAX = 10_000
_CHANNELS: dict[str, tuple[float, int, Channel]] = {}
_CHANNELS_LOCK = threading.Lock()


def public_channel(slug: str) -> Channel | None:
    """The channel of a public link with its round, survey, version and unit, or None."""
    now = time.monotonic()
    hit = _CHANNELS.get(slug)
    if hit is not None and hit[0] > now:
        return hit[2]
    channel = (
        Channel.objects.select_related("round__survey", "round__version", "unit").filter(slug=slug).first()
    )
    if channel is None:
        return None  # misses are not kept: random slugs must not fill the memory
    with _CHANNELS_LOCK:
        if len(_CHANNELS) >= _CHANNEL_CACHE_MAX:
            _CHANNELS.clear()
        # Keyed on the slug; the version number rides along so that a page can tell which it shows.
        _CHANNELS[slug] = (now + CHANNEL_CACHE_SECONDS, channel.round.version.number, channel)
    return channel


def public_channels_forget(**_kwargs) -> None:
    """Drop this process's cached channels (a channel, round, version or survey changed)."""
    with _CHANNELS_LOCK:
        _CHANNELS.clear()


def is_shown(question: Question, answers: Mapping[str, Any]) -> bool:
    if not question.show_if_code:
        return True
    given = answers.get(question.show_if_code)
    given = given if isinstance(given, list) else [given]
    return any(str(v) in [str(x) for x in question.show_if_values] for v in given if v not in (None, ""))


def clean_answers(
    questions: list[Question], raw: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """Typed answers keyed by question code; ValidationError {code: message} naming each problem.
    Hidden questions (skip logic) are dropped, so a changed earlier answer cannot leave stale ones."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in questions:
        value = raw.get(q.code)
        if isinstance(value, list) and q.kind != Question.Kind.MULTIPLE:
            value = value[0] if value else None
        if isinstance(value, str):
            value = nfc(value.strip())
        empty = value in (None, "", [])
        if not is_shown(q, out):
            continue
        if empty:
            if q.required and not partial:
                errors[q.code] = "Ông/Bà vui lòng trả lời câu hỏi này."
            continue
        allowed = {str(c[0]) for c in q.choices}
        if q.kind == Question.Kind.SCALE:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = None
            if number not in range(1, 6):
                errors[q.code] = "Chọn một mức từ 1 (rất không hài lòng) đến 5 (rất hài lòng)."
                continue
            out[q.code] = number
        elif q.kind == Question.Kind.SINGLE:
            if str(value) not in allowed:
                errors[q.code] = "Lựa chọn không có trong danh sách."
                continue
            out[q.code] = str(value)
        elif q.kind == Question.Kind.MULTIPLE:
            values = value if isinstance(value, list) else [value]
            values = sorted({str(v) for v in values if v not in (None, "")})
            if any(v not in allowed for v in values):
                errors[q.code] = "Có lựa chọn không nằm trong danh sách."
                continue
            out[q.code] = values
        elif q.kind == Question.Kind.NUMBER:
            try:
                number = int(str(value).replace(".", "").replace(",", ""))
            except ValueError:
                errors[q.code] = "Vui lòng nhập một số nguyên, ví dụ 2."
                continue
            if not 0 <= number <= 1_000_000:
                errors[q.code] = "Số không hợp lệ."
                continue
            out[q.code] = number
        else:
            limit = 300 if q.kind == Question.Kind.SHORT_TEXT else 4000
            if len(value) > limit:
                errors[q.code] = f"Tối đa {limit} ký tự."
                continue
            out[q.code] = value
    if errors:
        raise ValidationError(errors)
    return out


def content_hash(channel_unit_id: int, field: str, answers: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {"u": channel_unit_id, "f": field, "a": answers}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _coarse_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


# Drafts (partial save and resume) --------------------------------------------------------------


def draft_save(
    *,
    channel: Channel,
    raw: Mapping[str, Any],
    submission_uuid: uuid_lib.UUID,
    token: str = "",
    key: str = "",
) -> Draft:
    """Keep partial answers (validated as far as given) under a secret resume key."""
    answers = clean_answers(questions_of(channel.round.version), raw, partial=True)
    with transaction.atomic():
        draft = Draft.objects.filter(key=key, channel=channel).first() if key else None
        if draft is None:
            draft = Draft(key=secrets.token_urlsafe(32), channel=channel, submission_uuid=submission_uuid)
        draft.answers, draft.token, draft.updated_on = answers, token, timezone.localdate()
        draft.submission_uuid = submission_uuid
        draft.save()
    return draft


# Submission ------------------------------------------------------------------------------------


ROUND_NOT_OPEN = "Đợt khảo sát đã kết thúc, không nhận thêm phiếu."
TOKEN_SPENT = (
    "Mã phiếu này đã được dùng để gửi ý kiến. Mỗi hồ sơ chỉ đánh giá một lần — xin cảm ơn Ông/Bà đã tham gia."
)
QUOTA_FULL = "Đơn vị đã nhận đủ số phiếu của đợt khảo sát này. Xin cảm ơn Ông/Bà đã quan tâm."


@dataclass(frozen=True)
class SubmitResult:
    response: Response
    created: bool  # False: an identical resubmission of a response already counted


def _quota_take(round_: Round, unit: Unit, field: str) -> None:
    """Count the response against its unit's (and field's) quota, if one is set. The WHERE on
    `filled < target` is evaluated on the locked row, so parallel takes never overshoot."""
    for quota_field in {field, ""}:
        quotas = Quota.objects.filter(round=round_, unit=unit, field=quota_field)
        if not quotas.exists():
            continue
        if quotas.filter(filled__lt=F("target")).update(filled=F("filled") + 1) == 0:
            raise QuotaFull(QUOTA_FULL)


def response_submit(
    *,
    channel: Channel,
    raw: Mapping[str, Any],
    submission_uuid: uuid_lib.UUID,
    token: str = "",
    source: str = Response.Source.ONLINE,
    actor=None,
    draft_key: str = "",
    questions: list[Question] | None = None,
) -> SubmitResult:
    """Count one finished questionnaire exactly once.

    The same UUID with the same content is an idempotent success; with other content a
    ConflictError. A token is spent in the same transaction, so a refused response leaves it
    usable, and nothing links it to the response."""
    round_ = channel.round
    if round_.status != Round.Status.OPEN:
        raise ValidationError(ROUND_NOT_OPEN)
    if actor is not None and not can_enter_paper(actor, round_, channel.unit):
        raise PermissionDenied("Anh/Chị không được nhập phiếu cho đơn vị này.")
    answers = clean_answers(questions or questions_of(round_.version), raw)
    digest = content_hash(channel.unit_id, channel.field, answers)

    # No read before the insert: the unique constraint decides, and a retry costs one rolled-back insert.
    if round_.requires_token and not token and source == Response.Source.ONLINE:
        raise TokenRefused("Đợt khảo sát này cần mã in trên giấy biên nhận hồ sơ.")
    dossier_code = token_read(round_, token) if token else ""
    if connection.vendor == "postgresql" and actor is None:
        return _submit_one_statement(
            channel,
            questions or questions_of(round_.version),
            answers,
            digest,
            submission_uuid,
            dossier_code,
            source,
            draft_key,
        )
    try:
        with transaction.atomic():
            # The channel may come from the per-process cache: the round's state is read again here.
            if not Round.objects.filter(
                pk=round_.pk, status=Round.Status.OPEN, version_id=round_.version_id
            ).exists():
                raise ValidationError(ROUND_NOT_OPEN)
            response = Response.objects.create(
                survey_id=round_.survey_id,
                round=round_,
                unit_id=channel.unit_id,
                field=channel.field,
                submission_uuid=submission_uuid,
                content_hash=digest,
                source=source,
                submitted_hour=_coarse_hour(timezone.now()),
            )
            if dossier_code:
                try:
                    with transaction.atomic():
                        SpentToken.objects.create(
                            digest=_token_digest(round_, dossier_code),
                            round=round_,
                            spent_on=timezone.localdate(),
                        )
                except IntegrityError as exc:
                    raise TokenRefused(TOKEN_SPENT) from exc
            _quota_take(round_, channel.unit, channel.field)
            _answers_create(response, questions or questions_of(round_.version), answers)
            if draft_key:
                Draft.objects.filter(key=draft_key).delete()
            if actor is not None:
                audit.record(
                    actor=actor,
                    action="create",
                    instance=response,
                    note=f"Nhập phiếu ({response.get_source_display()})",
                )
    except IntegrityError:
        # Another request with this UUID committed between our check and our insert.
        existing = Response.objects.filter(
            survey_id=round_.survey_id, submission_uuid=submission_uuid
        ).first()
        if existing is None:
            raise
        return _same_or_conflict(existing, digest)
    return SubmitResult(response, True)


_SUBMIT_SQL = """
WITH ins AS (
    INSERT INTO surveys_response
        (survey_id, round_id, unit_id, field, submission_uuid, content_hash, source, submitted_hour)
    SELECT %(survey)s, %(round)s, %(unit)s, %(field)s, %(uuid)s, %(digest)s, %(source)s, %(hour)s
    WHERE EXISTS (SELECT 1 FROM surveys_round
                  WHERE id = %(round)s AND status = 'open' AND version_id = %(version)s)
    ON CONFLICT (survey_id, submission_uuid) DO NOTHING
    RETURNING id
), answers AS (
    INSERT INTO surveys_answer
        (response_id, question_id, round_id_copy, unit_id_copy, field, value_int, value_text, "values")
    SELECT ins.id, a.question, %(round)s, %(unit)s, %(field)s, a.value_int, a.value_text, a.vals
    FROM ins CROSS JOIN unnest(%(questions)s::bigint[], %(ints)s::int[], %(texts)s::text[], %(vals)s::jsonb[])
        AS a(question, value_int, value_text, vals)
), token AS (
    INSERT INTO surveys_spenttoken (digest, round_id, spent_on)
    SELECT %(token)s, %(round)s, %(today)s FROM ins WHERE %(token)s <> ''
    ON CONFLICT (digest) DO NOTHING
    RETURNING 1
), quota AS (
    UPDATE surveys_quota SET filled = filled + 1
    WHERE round_id = %(round)s AND unit_id = %(unit)s AND field IN (%(field)s, '')
      AND filled < target AND EXISTS (SELECT 1 FROM ins)
    RETURNING 1
), draft AS (
    DELETE FROM surveys_draft WHERE key = %(draft)s AND EXISTS (SELECT 1 FROM ins)
), outcome AS (
    SELECT (SELECT id FROM ins) AS response_id,
           (SELECT count(*) FROM token) AS tokens,
           (SELECT count(*) FROM quota) AS taken,
           (SELECT count(*) FROM surveys_quota
             WHERE round_id = %(round)s AND unit_id = %(unit)s AND field IN (%(field)s, '')) AS quotas
)
SELECT outcome.response_id,
       -- A refusal raises, which undoes every CTE above: the statement is its own transaction.
       CASE WHEN outcome.response_id IS NOT NULL AND %(token)s <> '' AND outcome.tokens = 0
                THEN surveys_refuse('token-spent')
            WHEN outcome.response_id IS NOT NULL AND outcome.taken < outcome.quotas
                THEN surveys_refuse('quota-full')
       END,
       stored.id, stored.content_hash,
       (SELECT status = 'open' AND version_id = %(version)s FROM surveys_round WHERE id = %(round)s)
FROM outcome LEFT JOIN surveys_response stored
    ON stored.survey_id = %(survey)s AND stored.submission_uuid = %(uuid)s
"""


def _submit_one_statement(
    channel: Channel,
    questions: list[Question],
    answers: Mapping[str, Any],
    digest: str,
    submission_uuid: uuid_lib.UUID,
    dossier_code: str,
    source: str,
    draft_key: str,
) -> SubmitResult:
    """PostgreSQL: the whole submission in one statement (response ON CONFLICT DO NOTHING, its
    answers, the spent token, the quota take, the draft removal), sent in autocommit: a statement
    is atomic by itself, and a spent token or a full quota makes it raise (surveys_refuse), which
    rolls all of it back. No BEGIN and COMMIT round trips; a retry costs one statement that
    inserts nothing and reads the stored content hash."""
    round_ = channel.round
    ids, ints, texts, vals = [], [], [], []
    for q in questions:
        if q.code not in answers:
            continue
        value = answers[q.code]
        ids.append(q.pk)
        number = isinstance(value, int) and q.kind in (Question.Kind.SCALE, Question.Kind.NUMBER)
        ints.append(value if number else None)
        texts.append(value if isinstance(value, str) else "")
        vals.append(json.dumps(value if isinstance(value, list) else [], ensure_ascii=False))
    params = {
        "survey": round_.survey_id,
        "round": round_.pk,
        "version": round_.version_id,
        "unit": channel.unit_id,
        "field": channel.field,
        "uuid": submission_uuid,
        "digest": digest,
        "source": source,
        "hour": _coarse_hour(timezone.now()),
        "questions": ids,
        "ints": ints,
        "texts": texts,
        "vals": vals,
        "token": _token_digest(round_, dossier_code) if dossier_code else "",
        "today": timezone.localdate(),
        "draft": draft_key,
    }
    # Inside an outer transaction (a test, a caller's atomic block) a savepoint keeps a refusal from
    # breaking that transaction; a public request runs in autocommit and pays for none.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(_SUBMIT_SQL, params)
            response_id, _, stored_id, stored_hash, still_open = cursor.fetchone()
    except DatabaseError as exc:
        text = str(exc)
        if "token-spent" in text:
            raise TokenRefused(TOKEN_SPENT) from exc
        if "quota-full" in text:
            raise QuotaFull(QUOTA_FULL) from exc
        raise
    if response_id is None:
        if stored_hash is None and not still_open:
            public_channels_forget()
            raise ValidationError(ROUND_NOT_OPEN)
        if stored_hash is None:
            # The UUID was committed by a parallel request after this statement's snapshot.
            stored_id, stored_hash = (
                Response.objects.filter(survey_id=round_.survey_id, submission_uuid=submission_uuid)
                .values_list("pk", "content_hash")
                .first()
            ) or (None, None)
        if stored_hash is None:
            raise ConflictError("Phiếu chưa được ghi nhận, Ông/Bà vui lòng gửi lại.")
        existing = Response(
            pk=stored_id,
            survey_id=round_.survey_id,
            round=round_,
            unit_id=channel.unit_id,
            submission_uuid=submission_uuid,
            content_hash=stored_hash,
        )
        return _same_or_conflict(existing, digest)
    response = Response(
        pk=response_id,
        survey_id=round_.survey_id,
        round=round_,
        unit_id=channel.unit_id,
        field=channel.field,
        submission_uuid=submission_uuid,
        content_hash=digest,
        source=source,
        submitted_hour=params["hour"],
    )
    return SubmitResult(response, True)


def _same_or_conflict(existing: Response, digest: str) -> SubmitResult:
    if existing.content_hash == digest:
        return SubmitResult(existing, False)
    raise ConflictError(
        "Phiếu này đã được gửi trước đó với nội dung khác; hệ thống giữ bản đã nhận và không ghi đè."
    )


def _answers_create(response: Response, questions: list[Question], answers: Mapping[str, Any]) -> None:
    rows = []
    for q in questions:
        if q.code not in answers:
            continue
        value = answers[q.code]
        row = Answer(
            response=response,
            question=q,
            round_id_copy=response.round_id,
            unit_id_copy=response.unit_id,
            field=response.field,
        )
        if q.kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
            row.value_int = value
        elif q.kind == Question.Kind.MULTIPLE:
            row.values = value
        else:
            row.value_text = value
        rows.append(row)
    Answer.objects.bulk_create(rows)


# Publication -----------------------------------------------------------------------------------


def round_close(*, actor, round_: Round) -> Round:
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        _require_manager(actor, round_.survey)
        round_.status = Round.Status.CLOSED
        round_.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="update", instance=round_, changes={"status": "closed"})
    return round_


def round_publish(*, actor, round_: Round) -> ResultSnapshot:
    """Freeze the round's counts with their hash and make its results public."""
    from cchc.surveys.selectors import round_counts

    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("survey").get(pk=round_.pk)
        _require_manager(actor, round_.survey)
        data = round_counts(round_)
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        snapshot = ResultSnapshot.objects.create(
            round=round_,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            data=data,
            sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        )
        round_.status = Round.Status.PUBLISHED
        round_.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor, action="publish", instance=round_, note=f"Chốt kết quả, SHA-256 {snapshot.sha256}"
        )
        refresh_scorecard_soon(round_.year)
    return snapshot


def target_link_set(*, actor, target, survey: Survey, aspect: str = "") -> TargetSurveyLink:
    with transaction.atomic():
        _require_manager(actor, survey)
        link, _ = TargetSurveyLink.objects.update_or_create(
            target=target, defaults={"survey": survey, "aspect": aspect}
        )
        audit.record(actor=actor, action="update", instance=target, note=f"Đo bằng khảo sát «{survey.title}»")
    return link


# Rate limits -----------------------------------------------------------------------------------


RATE_LIMIT = getattr(settings, "SURVEYS_POSTS_PER_WINDOW", 30)
RATE_WINDOW_SECONDS = 600


def post_rate_limited(ip: str) -> bool:
    """Count one public POST (the page's form or the API) against the salted hash of the address;
    the address itself is not kept. True once the window's allowance is spent."""
    from django.core.cache import cache

    key = f"surveys:rate:{ip_hash(ip)}"
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        return False
    try:
        return cache.incr(key) > RATE_LIMIT
    except ValueError:
        return False


def ip_hash(ip: str, today: date | None = None) -> str:
    """A salted hash of the client address whose salt changes every day: counts within a day,
    links nothing across days, and the address itself is never stored."""
    day = (today or timezone.localdate()).isoformat()
    salt = hmac.new(settings.SECRET_KEY.encode(), f"surveys-ip-salt|{day}".encode(), hashlib.sha256).digest()
    return hmac.new(salt, ip.encode(), hashlib.sha256).hexdigest()[:32]


# Survey builder: draft versions, their sections and questions ---------------------------------

FROZEN_MESSAGE = "Phiên bản này đã được dùng cho một đợt khảo sát nên không thể sửa; hãy tạo phiên bản mới."
FINISHED_MESSAGE = "Phiên bản này đã hoàn tất nên không thể sửa; hãy tạo phiên bản mới sao chép từ nó."


BUILDER_CONFLICT = (
    "Bộ câu hỏi vừa được người khác sửa; thay đổi của Anh/Chị chưa được lưu. Nội dung vừa nhập "
    "vẫn còn bên dưới: hãy xem bản mới nhất rồi lưu lại."
)


def _lock_draft(actor, version: SurveyVersion, expected_version: int) -> SurveyVersion:
    """The version row locked for this edit. Scope first (a reader outside the owner never learns
    whether it is frozen), then the freeze, then the optimistic version the page was read at; the
    lock makes parallel edits of one questionnaire queue up, so only the first one of a shared
    version gets through."""
    if actor is None:
        raise PermissionDenied("Cần đăng nhập.")
    _require_manager(actor, version.survey)
    locked = SurveyVersion.objects.select_for_update().select_related("survey").get(pk=version.pk)
    if locked.rounds.exists():
        raise ValidationError(FROZEN_MESSAGE)
    if locked.status == SurveyVersion.Status.FINISHED:
        raise ValidationError(FINISHED_MESSAGE)
    check_version(locked.version, expected_version, BUILDER_CONFLICT)
    return locked


def _bump(version: SurveyVersion) -> int:
    SurveyVersion.objects.filter(pk=version.pk).update(version=F("version") + 1, updated_at=timezone.now())
    version.version = SurveyVersion.objects.values_list("version", flat=True).get(pk=version.pk)
    return version.version


def version_finish(*, actor, version: SurveyVersion, expected_version: int) -> SurveyVersion:
    """Mark a draft ready for rounds. It needs a question in every section and at least one aspect
    on the 5-level scale, or its index would be empty."""
    with transaction.atomic():
        version = _lock_draft(actor, version, expected_version)
        sections = list(version.sections.prefetch_related("questions"))
        empty = [s.title for s in sections if not s.questions.all()]
        if not sections or empty:
            raise ValidationError(
                "Chưa hoàn tất được: "
                + (f"phần «{empty[0]}» chưa có câu hỏi." if empty else "phiên bản chưa có phần nào.")
            )
        if not any(
            s.is_aspect and any(q.kind == Question.Kind.SCALE for q in s.questions.all()) for s in sections
        ):
            raise ValidationError(
                "Chưa hoàn tất được: cần ít nhất một phần là yếu tố tính chỉ số có câu hỏi thang 5 mức."
            )
        version.status, version.finished_at = SurveyVersion.Status.FINISHED, timezone.now()
        version.version += 1
        version.save(update_fields=["status", "finished_at", "version", "updated_at"])
        audit.record(
            actor=actor, action="update", instance=version, changes={"status": ["draft", "finished"]}
        )
    return version


def version_create_from_latest(*, actor, survey: Survey, note: str = "") -> SurveyVersion:
    """A new draft version, a copy of the latest one (sections, questions, choices, skip logic)."""
    if actor is None:
        raise PermissionDenied("Cần đăng nhập.")
    note = nfc((note or "").strip())
    limit = SurveyVersion._meta.get_field("note").max_length
    if len(note) > limit:
        raise ValidationError(f"Ghi chú phiên bản dài quá {limit} ký tự.")
    with transaction.atomic():
        _require_manager(actor, survey)
        latest = survey.versions.select_for_update().order_by("-number").first()
        version = SurveyVersion.objects.create(
            survey=survey, number=(latest.number + 1) if latest else 1, note=note
        )
        if latest is not None:
            for section in latest.sections.prefetch_related("questions"):
                questions = list(section.questions.all())
                section.pk, section.version = None, version
                section.save()
                for q in questions:
                    q.pk, q.section = None, section
                Question.objects.bulk_create(questions)
        audit.record(
            actor=actor,
            action="create",
            instance=version,
            note=f"Sao chép từ phiên bản {latest.number if latest else '—'}",
        )
    return version


def _clean_code(code: str) -> str:
    from django.utils.text import slugify

    value = slugify(code.strip())[:40]
    if not value:
        raise ValidationError({"code": "Vui lòng nhập mã (chữ không dấu, số, gạch ngang)."})
    return value


def _check_lengths(obj) -> None:
    """A text longer than its column is refused by name in Vietnamese (PostgreSQL would fail the save)."""
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname, None)
        limit = getattr(field, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise ValidationError(f"«{field.verbose_name}» dài quá {limit} ký tự.")


def section_save(
    *,
    actor,
    version: SurveyVersion,
    expected_version: int,
    code: str,
    title: str,
    is_aspect: bool = False,
    section: Section | None = None,
) -> Section:
    with transaction.atomic():
        version = _lock_draft(actor, version, expected_version)
        if section is not None and section.version_id != version.pk:
            raise ValidationError("Phần này không thuộc phiên bản đang sửa.")
        title = nfc(title.strip())
        if not title:
            raise ValidationError({"title": "Vui lòng nhập tên phần."})
        code = _clean_code(code)
        clash = version.sections.filter(code=code).exclude(pk=section.pk if section else None)
        if clash.exists():
            raise ValidationError({"code": "Mã phần đã có trong phiên bản này."})
        created = section is None
        if created:
            last = version.sections.order_by("-order").first()
            section = Section(version=version, order=(last.order + 1) if last else 0)
        before = {"code": section.code, "title": section.title, "is_aspect": section.is_aspect}
        section.code, section.title, section.is_aspect = code, title, is_aspect
        _check_lengths(section)
        section.save()
        _bump(version)
        after = {"code": code, "title": title, "is_aspect": is_aspect}
        audit.record(
            actor=actor,
            action="create" if created else "update",
            instance=section,
            changes={k: [before[k], v] for k, v in after.items() if created or before[k] != v},
        )
    return section


def question_save(
    *,
    actor,
    section: Section,
    expected_version: int,
    code: str,
    text: str,
    kind: str,
    required: bool = False,
    choices: list | None = None,
    show_if_code: str = "",
    show_if_values: list | None = None,
    question: Question | None = None,
) -> Question:
    choices, show_if_values = list(choices or []), [str(v) for v in (show_if_values or [])]
    with transaction.atomic():
        version = _lock_draft(actor, section.version, expected_version)
        if question is not None and question.section.version_id != version.pk:
            raise ValidationError("Câu hỏi này không thuộc phiên bản đang sửa.")
        errors: dict[str, str] = {}
        text = nfc(text.strip())
        if not text:
            errors["text"] = "Vui lòng nhập nội dung câu hỏi."
        if kind not in Question.Kind.values:
            errors["kind"] = "Loại câu hỏi không hợp lệ."
        code = _clean_code(code)
        others = Question.objects.filter(section__version=version).exclude(
            pk=question.pk if question else None
        )
        if others.filter(code=code).exists():
            errors["code"] = "Mã câu hỏi đã có trong phiên bản này."
        clean_choices = []
        for pair in choices:
            if (
                not isinstance(pair, list | tuple)
                or len(pair) != 2
                or not str(pair[0]).strip()
                or not str(pair[1]).strip()
            ):
                errors["choices"] = "Mỗi lựa chọn cần có giá trị và nhãn."
                break
            clean_choices.append([str(pair[0]).strip(), nfc(str(pair[1]).strip())])
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and len(clean_choices) < 2:
            errors.setdefault("choices", "Câu chọn một hoặc chọn nhiều cần ít nhất hai lựa chọn.")
        if show_if_code:
            if show_if_code == code or not others.filter(code=show_if_code).exists():
                errors["show_if_code"] = "Câu điều kiện phải là một câu hỏi khác trong phiên bản này."
            elif not show_if_values:
                errors["show_if_values"] = "Vui lòng chọn giá trị của câu điều kiện để hiện câu này."
        if errors:
            raise ValidationError(errors)
        created = question is None
        if created:
            last = section.questions.order_by("-order").first()
            question = Question(section=section, order=(last.order + 1) if last else 0)
        fields = {
            "code": code,
            "text": text,
            "kind": kind,
            "required": required,
            "choices": clean_choices,
            "show_if_code": show_if_code,
            "show_if_values": show_if_values if show_if_code else [],
        }
        changes = {
            k: [getattr(question, k), v] for k, v in fields.items() if created or getattr(question, k) != v
        }
        for k, v in fields.items():
            setattr(question, k, v)
        _check_lengths(question)
        question.save()
        _bump(version)
        audit.record(
            actor=actor, action="create" if created else "update", instance=question, changes=changes
        )
    return question


def builder_delete(*, actor, item: Section | Question, expected_version: int) -> None:
    """Delete a section (with its questions) or a question of a draft version."""
    version = item.version if isinstance(item, Section) else item.section.version
    with transaction.atomic():
        version = _lock_draft(actor, version, expected_version)
        audit.record(actor=actor, action="delete", instance=item, note=str(item))
        item.delete()
        _bump(version)


def builder_move(*, actor, item: Section | Question, step: int, expected_version: int) -> None:
    """Move a section or a question one place up (step -1) or down (+1) among its siblings."""
    if step not in (-1, 1):
        raise ValidationError("Chỉ dời lên hoặc xuống một vị trí.")
    version = item.version if isinstance(item, Section) else item.section.version
    with transaction.atomic():
        version = _lock_draft(actor, version, expected_version)
        if isinstance(item, Section):
            siblings = list(version.sections.order_by("order", "pk"))
        else:
            siblings = list(item.section.questions.order_by("order", "pk"))
        index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
        target = index + step
        if not 0 <= target < len(siblings):
            return
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for order, sibling in enumerate(siblings):
            sibling.order = order
        type(item).objects.bulk_update(siblings, ["order"])
        _bump(version)
        audit.record(actor=actor, action="update", instance=item, changes={"order": [index, target]})
