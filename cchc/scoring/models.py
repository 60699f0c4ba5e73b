"""The PAR Index (Chỉ số CCHC): criteria sets as data, seasons, self-assessments, the council, the
score ledger, releases and heads' classification. Tables and constraints only; writes live in
services.py."""

from django.conf import settings
from django.db import models

from cchc.core.models import TimeStampedModel
from cchc.org.models import Unit

Block = Unit.Block


class Method(models.TextChoices):
    BANDS = "bands", "Chọn mức"
    RATE_BANDS = "rate_bands", "Mức theo tỷ lệ"
    PROPORTIONAL = "proportional", "Tỷ lệ, có trần"
    YES_NO = "yes_no", "Có/Không"
    FREE = "free", "Chấm tự do đến điểm tối đa"
    BONUS = "bonus", "Điểm thưởng/trừ"
    TOTAL = "total", "Tổng các mục con"


class CriteriaSet(TimeStampedModel):
    """One block's criteria for one year. `edition` counts versions of the same year and block:
    a frozen set is never edited, a change is a new edition."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        FROZEN = "frozen", "Đã khóa (đang áp dụng)"

    year = models.PositiveSmallIntegerField("năm đánh giá")
    block = models.CharField("khối", max_length=20, choices=Block.choices)
    edition = models.PositiveSmallIntegerField("phiên bản", default=1)
    title = models.CharField("tên bộ tiêu chí", max_length=300)
    basis = models.CharField("căn cứ", max_length=300, blank=True)
    is_sample = models.BooleanField("bộ mẫu (không phải quyết định chính thức)", default=False)
    status = models.CharField("trạng thái", max_length=8, choices=Status.choices, default=Status.DRAFT)
    appraised_points = models.DecimalField("điểm thẩm định tối đa", max_digits=6, decimal_places=2)
    survey_points = models.DecimalField("điểm điều tra xã hội học", max_digits=6, decimal_places=2, default=0)
    # [{"label": "Xuất sắc", "min": 93}, …] from the highest band down; bands are the city's to set.
    bands = models.JSONField("xếp loại theo chỉ số", default=list, blank=True)
    # Four levels for heads of units, same shape as `bands`.
    head_levels = models.JSONField("mức phân loại người đứng đầu", default=list, blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "bộ tiêu chí"
        verbose_name_plural = "bộ tiêu chí"
        ordering = ["-year", "block", "-edition"]
        constraints = [
            models.UniqueConstraint(fields=["year", "block", "edition"], name="scoring_set_edition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} (năm {self.year}, phiên bản {self.edition})"

    @property
    def total_points(self):
        return self.appraised_points + self.survey_points


class Criterion(models.Model):
    """An area (lĩnh vực), a criterion (tiêu chí) or a sub-criterion (tiêu chí thành phần): the
    level is the number of dots in the code ("1", "1.1", "1.1.1")."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    code = models.CharField("mã", max_length=20)
    # The area's code ("1" for "1.2.3"), kept so per-area totals are one GROUP BY.
    area_code = models.CharField("mã lĩnh vực", max_length=20, db_index=True)
    content = models.TextField("nội dung")
    max_points = models.DecimalField("điểm tối đa", max_digits=6, decimal_places=2)
    min_points = models.DecimalField("điểm tối thiểu", max_digits=6, decimal_places=2, default=0)
    method = models.CharField("cách chấm", max_length=16, choices=Method.choices, default=Method.TOTAL)
    # [{"label": "Ban hành kịp thời", "points": 1, "min": null}, …]; `min` is the lowest rate (%)
    # of the band for bands over a rate.
    bands = models.JSONField("các mức điểm", default=list, blank=True)
    threshold = models.DecimalField(
        "ngưỡng đạt tối đa (%)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    rule_text = models.TextField("cách chấm điểm (như văn bản)", blank=True)
    evidence_asked = models.TextField("tài liệu kiểm chứng", blank=True)
    # Unit kinds the criterion applies to; empty means every unit of the block.
    applies_to = models.JSONField("áp dụng cho loại đơn vị", default=list, blank=True)
    source = models.CharField("nguồn dữ liệu đề xuất", max_length=60, blank=True)

    class Meta:
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        ordering = ["criteria_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="scoring_criterion_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.content[:80]}"

    @property
    def level(self) -> int:
        return self.code.count(".")

    @property
    def is_leaf(self) -> bool:
        return self.method != Method.TOTAL


class Season(TimeStampedModel):
    """The yearly round for one block: self-assessment → appraisal → explanation → locked."""

    class Stage(models.TextChoices):
        SELF = "self", "Tự đánh giá"
        APPRAISAL = "appraisal", "Thẩm định"
        EXPLANATION = "explanation", "Giải trình"
        LOCKED = "locked", "Đã chốt kết quả"

    year = models.PositiveSmallIntegerField("năm đánh giá")
    block = models.CharField("khối", max_length=20, choices=Block.choices)
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="seasons")
    stage = models.CharField("giai đoạn", max_length=12, choices=Stage.choices, default=Stage.SELF)
    self_deadline = models.DateField("hạn gửi tự đánh giá")
    appraisal_deadline = models.DateField("hạn thẩm định", null=True, blank=True)
    explanation_deadline = models.DateField("hạn giải trình", null=True, blank=True)
    locked_at = models.DateTimeField("chốt lúc", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lock_reason = models.CharField("lý do chốt", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "đợt đánh giá"
        verbose_name_plural = "đợt đánh giá"
        ordering = ["-year", "block"]
        constraints = [models.UniqueConstraint(fields=["year", "block"], name="scoring_season_unique")]

    def __str__(self) -> str:
        return f"Chỉ số CCHC năm {self.year} — {self.get_block_display()}"


class Assessment(TimeStampedModel):
    """A unit's self-assessment in a season, and everything scored on it afterwards."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang tự chấm"
        SUBMITTED = "submitted", "Đã gửi"

    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="assessments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="par_assessments")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    survey_points = models.DecimalField(
        "điểm điều tra xã hội học", max_digits=6, decimal_places=2, null=True, blank=True
    )
    survey_source = models.CharField("nguồn điểm điều tra", max_length=300, blank=True)
    excluded = models.BooleanField("không xếp hạng", default=False)
    excluded_reason = models.CharField("lý do không xếp hạng", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "bản tự đánh giá"
        verbose_name_plural = "bản tự đánh giá"
        constraints = [models.UniqueConstraint(fields=["season", "unit"], name="scoring_assessment_unique")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.season}"


class ItemScore(models.Model):
    """One sub-criterion of one assessment: the score of each stage, kept side by side; the history
    of every change is the ledger (`ScoreEntry`)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    applicable = models.BooleanField("áp dụng", default=True)
    inapplicable_reason = models.CharField("lý do không áp dụng", max_length=300, blank=True)
    self_points = models.DecimalField("điểm tự chấm", max_digits=6, decimal_places=2, null=True, blank=True)
    explanation = models.TextField("giải thích", blank=True)
    proposed_points = models.DecimalField(
        "điểm đề xuất từ dữ liệu", max_digits=6, decimal_places=2, null=True, blank=True
    )
    proposed_figures = models.JSONField("số liệu đề xuất", default=dict, blank=True)
    override_reason = models.TextField("lý do chấm khác đề xuất", blank=True)
    appraised_points = models.DecimalField(
        "điểm thẩm định", max_digits=6, decimal_places=2, null=True, blank=True
    )
    appraisal_method = models.CharField("cách chốt điểm thẩm định", max_length=12, blank=True)
    appraisal_comment = models.TextField("ý kiến thẩm định", blank=True)
    explanation_answer = models.TextField("nội dung giải trình", blank=True)
    explained_points = models.DecimalField(
        "điểm sau giải trình", max_digits=6, decimal_places=2, null=True, blank=True
    )
    final_points = models.DecimalField(
        "điểm chính thức", max_digits=6, decimal_places=2, null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "điểm tiêu chí"
        verbose_name_plural = "điểm tiêu chí"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="scoring_item_unique")
        ]
        indexes = [models.Index(fields=["assessment", "applicable"])]

    def __str__(self) -> str:
        return f"{self.criterion.code} — {self.assessment.unit}"


class ItemEvidence(models.Model):
    """An uploaded file or a link to something already in cchc (a report, a task's evidence, a plan)."""

    class LinkKind(models.TextChoices):
        FILE = "file", "Tệp tải lên"
        REPORT = "report", "Báo cáo"
        TASK_EVIDENCE = "task_evidence", "Tài liệu của nhiệm vụ"
        PLAN = "plan", "Kế hoạch"

    item = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField("loại", max_length=16, choices=LinkKind.choices)
    file = models.FileField(upload_to="par-evidence/%Y/%m/", blank=True)
    original_name = models.CharField("tên tệp", max_length=255, blank=True)
    object_id = models.PositiveIntegerField(null=True, blank=True)
    label = models.CharField("mô tả", max_length=300)
    section_page = models.CharField("mục/trang", max_length=100, blank=True)
    stage = models.CharField("giai đoạn", max_length=12, default="self")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.label


class ScoreEntry(models.Model):
    """The ledger: one row per score given at one stage, never updated."""

    class Stage(models.TextChoices):
        SELF = "self", "Tự chấm"
        PROPOSED = "proposed", "Đề xuất từ dữ liệu"
        APPRAISED = "appraised", "Thẩm định"
        EXPLAINED = "explained", "Sau giải trình"
        FINAL = "final", "Chính thức"

    item = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="ledger")
    stage = models.CharField("giai đoạn", max_length=10, choices=Stage.choices)
    points = models.DecimalField("điểm", max_digits=6, decimal_places=2, null=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("lúc", auto_now_add=True)
    reason = models.TextField("lý do", blank=True)
    evidence_seen = models.JSONField("tài liệu đã xem", default=list, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item", "stage"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.points}"


class Council(TimeStampedModel):
    season = models.OneToOneField(Season, on_delete=models.CASCADE, related_name="council")
    decision = models.CharField("quyết định thành lập", max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Hội đồng thẩm định — {self.season}"


class CouncilMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", "Chủ tịch Hội đồng"
        SECRETARY = "secretary", "Thư ký"
        MEMBER = "member", "Thành viên"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="par_councils")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("vai trò", max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["council", "user"], name="scoring_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Assignment(models.Model):
    member = models.ForeignKey(CouncilMember, on_delete=models.CASCADE, related_name="assignments")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "assessment"], name="scoring_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.assessment}"


class ConflictDeclaration(models.Model):
    member = models.ForeignKey(CouncilMember, on_delete=models.CASCADE, related_name="declarations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("lý do", max_length=300)

    def __str__(self) -> str:
        return f"{self.member} — {self.unit}"


class MemberScore(models.Model):
    item = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="member_scores")
    member = models.ForeignKey(CouncilMember, on_delete=models.CASCADE, related_name="scores")
    points = models.DecimalField("điểm", max_digits=6, decimal_places=2)
    reason = models.TextField("lý do", blank=True)
    at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="scoring_member_score_unique")]

    def __str__(self) -> str:
        return f"{self.member}: {self.points}"


class Release(models.Model):
    """A publication of a season's results: written once, never changed. A re-publication is a new
    release listing what changed against the previous one."""

    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="releases")
    number = models.PositiveSmallIntegerField("lần công bố")
    published_at = models.DateTimeField("công bố lúc", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)
    rows = models.JSONField("kết quả")
    changes = models.JSONField("thay đổi so với lần trước", default=list, blank=True)

    class Meta:
        ordering = ["season", "-number"]
        constraints = [models.UniqueConstraint(fields=["season", "number"], name="scoring_release_unique")]

    def __str__(self) -> str:
        return f"{self.season} — công bố lần {self.number}"


class HeadClassification(models.Model):
    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Đề xuất theo chỉ số"
        OVERRIDE_PENDING = "pending", "Đề nghị điều chỉnh, chờ phê duyệt"
        APPROVED = "approved", "Đã phê duyệt"

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="head_class")
    suggested = models.CharField("mức đề xuất", max_length=60)
    proposed = models.CharField("mức đề nghị điều chỉnh", max_length=60, blank=True)
    final = models.CharField("mức chính thức", max_length=60)
    reason = models.TextField("lý do điều chỉnh", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.assessment.unit}: {self.final}"
