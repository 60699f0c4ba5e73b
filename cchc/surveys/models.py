"""Satisfaction surveys (SIPAS and the city's own): surveys as data, rounds, distribution
channels, quotas, one-time receipt tokens, anonymous responses and frozen result snapshots.

Anonymity is a property of the tables: a spent token keeps only a digest and a day, a response
keeps only the hour it came in and never which token or draft it came from, and no IP is stored
(rate limits see a salted hash that rotates every day).
"""

from django.conf import settings
from django.db import models

from cchc.core.models import TimeStampedModel
from cchc.org.models import Unit
from cchc.plans.models import Target

LIKERT_LABELS = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}


class Survey(TimeStampedModel):
    class IndexMethod(models.TextChoices):
        MEAN_OF_ASPECTS = "mean_of_aspects", "Trung bình cộng chỉ số các yếu tố"
        POOLED = "pooled", "Tỷ lệ hài lòng trên tổng số câu trả lời hợp lệ"

    code = models.SlugField("mã", max_length=60, unique=True)
    title = models.CharField("tên khảo sát", max_length=300)
    description = models.TextField("giới thiệu", blank=True)
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="surveys", verbose_name="đơn vị chủ trì"
    )
    is_template = models.BooleanField("là mẫu để thành phố điều chỉnh", default=False)
    satisfied_levels = models.JSONField("mức tính là hài lòng", default=list)
    index_method = models.CharField(
        "cách tính chỉ số chung",
        max_length=20,
        choices=IndexMethod.choices,
        default=IndexMethod.MEAN_OF_ASPECTS,
    )
    min_cell = models.PositiveSmallIntegerField("số phiếu tối thiểu để công bố một ô", default=5)
    # Optimistic lock of the settings above: every settings write states the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "khảo sát"
        verbose_name_plural = "khảo sát"

    def __str__(self) -> str:
        return self.title


class SurveyVersion(TimeStampedModel):
    """A draft while the builder edits it; finished when its manager says it is ready, and only then
    usable by a round. Finished is final: answers always refer to the questions they answered, and
    a change is a new version copied from it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Bản nháp"
        FINISHED = "finished", "Đã hoàn tất"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("phiên bản")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    finished_at = models.DateTimeField("hoàn tất lúc", null=True, blank=True)
    # Optimistic lock of the whole questionnaire (not `number`, which names the version to people):
    # every builder edit of its sections and questions states the one it read and moves it on.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")]
        ordering = ["survey", "number"]

    def __str__(self) -> str:
        return f"{self.survey} · phiên bản {self.number}"


class Section(models.Model):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(max_length=40)
    title = models.CharField("tên phần", max_length=300)
    is_aspect = models.BooleanField("là yếu tố tính chỉ số", default=False)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="survey_section_code_unique")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", "Thang 5 mức"
        SINGLE = "single", "Chọn một"
        MULTIPLE = "multiple", "Chọn nhiều"
        NUMBER = "number", "Số"
        SHORT_TEXT = "short_text", "Văn bản ngắn"
        LONG_TEXT = "long_text", "Văn bản dài"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(max_length=40)
    text = models.CharField("câu hỏi", max_length=500)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    required = models.BooleanField("bắt buộc", default=False)
    choices = models.JSONField("lựa chọn", default=list, blank=True)  # [[value, label], ...]
    # Simple skip logic: shown only when question `show_if_code` was answered with one of `show_if_values`.
    show_if_code = models.SlugField(max_length=40, blank=True)
    show_if_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class Round(TimeStampedModel):
    """One survey round (đợt khảo sát), e.g. the 2026 round; it fixes the version it asks."""

    class Status(models.TextChoices):
        OPEN = "open", "Đang nhận phiếu"
        CLOSED = "closed", "Đã đóng"
        PUBLISHED = "published", "Đã công bố kết quả"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="rounds")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField("tên đợt", max_length=300)
    year = models.PositiveSmallIntegerField("năm")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    requires_token = models.BooleanField("chỉ nhận phiếu có mã biên nhận", default=False)
    units = models.ManyToManyField(Unit, related_name="survey_rounds", verbose_name="đơn vị được khảo sát")

    def __str__(self) -> str:
        return self.title


class Channel(models.Model):
    """A public link (and its QR code) for a round at one unit, optionally one desk or service field."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="channels")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(max_length=24, unique=True)
    desk = models.CharField("quầy", max_length=100, blank=True)
    field = models.CharField("lĩnh vực", max_length=200, blank=True)

    def __str__(self) -> str:
        parts = [self.unit.name, self.desk, self.field]
        return " · ".join(p for p in parts if p)


class Quota(models.Model):
    """How many finished responses a round takes from a unit (and field); `filled` only ever moves
    through a conditional UPDATE, so parallel submissions cannot overshoot `target`."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=200, blank=True)
    target = models.PositiveIntegerField("số phiếu cần")
    filled = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "field"], name="survey_quota_unique"),
            models.CheckConstraint(
                condition=models.Q(filled__lte=models.F("target")), name="survey_quota_cap"
            ),
        ]

    def __str__(self) -> str:
        return f"Chỉ tiêu {self.filled}/{self.target} phiếu"


class Draft(models.Model):
    """Partial answers a citizen saved; the key is the only way back to them (a resume link)."""

    key = models.CharField(max_length=43, primary_key=True)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    token = models.CharField(max_length=300, blank=True)
    submission_uuid = models.UUIDField()
    updated_on = models.DateField()

    def __str__(self) -> str:
        return "Phiếu đang trả lời dở"


class SpentToken(models.Model):
    """A receipt token used by a finished response: a digest and a day, nothing that points to the answer."""

    digest = models.CharField(max_length=64, primary_key=True)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    spent_on = models.DateField()

    def __str__(self) -> str:
        return "Mã biên nhận đã dùng"


class Response(models.Model):
    class Source(models.TextChoices):
        ONLINE = "online", "Trực tuyến"
        KIOSK = "kiosk", "Máy tại quầy"
        PAPER = "paper", "Phiếu giấy"
        IMPORT = "import", "Nhập từ tệp"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=200, blank=True)
    submission_uuid = models.UUIDField()
    content_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ONLINE)
    submitted_hour = models.DateTimeField("giờ nhận (làm tròn)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "submission_uuid"], name="survey_submission_once")
        ]
        indexes = [models.Index(fields=["round", "unit"])]

    def __str__(self) -> str:
        return f"Phiếu khảo sát số {self.pk}"


class Answer(models.Model):
    """One answered question. Round, unit and field are copied from the response so that indices
    over millions of answers are one GROUP BY on one table."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    round_id_copy = models.BigIntegerField(db_index=False)
    unit_id_copy = models.BigIntegerField()
    field = models.CharField(max_length=200, blank=True)
    value_int = models.IntegerField(null=True)
    value_text = models.TextField(blank=True)
    values = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["round_id_copy", "question", "value_int"], name="survey_answer_index")
        ]

    def __str__(self) -> str:
        return f"Câu trả lời số {self.pk}"


class ResultSnapshot(models.Model):
    """Counts of a round frozen at publication, with the SHA-256 of their canonical JSON."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="snapshots")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Kết quả chốt {self.sha256[:12]}"


class TargetSurveyLink(models.Model):
    """A plan target on satisfaction measured by a survey's published results (like TargetKpiLink)."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="survey_link")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="target_links")
    aspect = models.CharField("yếu tố (trống: chỉ số chung)", max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.target} ← {self.survey}"
