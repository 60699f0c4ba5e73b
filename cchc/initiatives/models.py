"""PAR reform initiatives (sáng kiến CCHC): a yearly campaign as data, the units' submissions, the
council's blind scoring with conflicts of interest, the verdicts, the recognition decision and the
replications that follow (Công văn 2345/UBND-NVKTGS of Hải Phòng, 11/9/2025)."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from cchc.core.models import TimeStampedModel
from cchc.org.models import Unit


class Campaign(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Đang nhận hồ sơ"
        SCORING = "scoring", "Hội đồng đang chấm"
        DECIDED = "decided", "Đã có quyết định công nhận"

    class TieRule(models.TextChoices):
        CRITERIA_ORDER = (
            "criteria_order",
            "Bằng điểm: xét lần lượt điểm các tiêu chí theo thứ tự của thang điểm",
        )
        EARLIER_SUBMISSION = "earlier_submission", "Bằng điểm: hồ sơ gửi sớm hơn xếp trước"

    issuer = models.ForeignKey(
        Unit, verbose_name="cơ quan phát động", on_delete=models.PROTECT, related_name="+"
    )
    reviewing_unit = models.ForeignKey(
        Unit, verbose_name="cơ quan tiếp nhận, thẩm định", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("năm")
    number = models.CharField("số văn bản phát động", max_length=60)
    issued_on = models.DateField("ngày phát động")
    title = models.CharField("trích yếu", max_length=300)
    conditions = models.JSONField("tiêu chí, điều kiện công nhận", default=list)
    submission_deadline = models.DateTimeField("hạn gửi hồ sơ")
    decision_due = models.DateField("hạn ban hành quyết định công nhận", null=True, blank=True)
    award_count = models.PositiveSmallIntegerField("số sáng kiến đề nghị tặng Bằng khen tối đa", default=5)
    tie_rule = models.CharField(
        "quy tắc khi bằng điểm", max_length=30, choices=TieRule.choices, default=TieRule.CRITERIA_ORDER
    )
    discuss_spread = models.DecimalField(
        "độ chênh điểm cần thảo luận", max_digits=6, decimal_places=2, default=Decimal("20")
    )
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.OPEN)
    decision_number = models.CharField("số quyết định công nhận", max_length=60, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    decision_signer = models.CharField("người ký", max_length=150, blank=True)
    decision_signer_title = models.CharField("chức vụ người ký", max_length=150, blank=True)
    notified_at = models.DateTimeField("đã gửi thông báo lúc", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "đợt phát động sáng kiến"
        verbose_name_plural = "đợt phát động sáng kiến"
        ordering = ["-year", "-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "number"], name="campaign_unique_number")
        ]

    def __str__(self) -> str:
        return f"Sáng kiến CCHC năm {self.year} ({self.number})"


class Field(models.Model):
    """One of the focus fields the campaign names (a–h of Công văn 2345)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField("ký hiệu", max_length=4)
    name = models.CharField("lĩnh vực", max_length=200)
    description = models.TextField("nội dung", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "lĩnh vực sáng kiến"
        verbose_name_plural = "lĩnh vực sáng kiến"
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="field_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}) {self.name}"


class Criterion(models.Model):
    """A rubric line: the score given is within [min_score, max_score] and counts `weight` times."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField("mã", max_length=20)
    name = models.CharField("tiêu chí", max_length=200)
    weight = models.DecimalField("hệ số", max_digits=5, decimal_places=2, default=Decimal("1"))
    min_score = models.DecimalField("điểm tối thiểu", max_digits=6, decimal_places=2, default=Decimal("0"))
    max_score = models.DecimalField("điểm tối đa", max_digits=6, decimal_places=2, default=Decimal("10"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "tiêu chí chấm"
        verbose_name_plural = "tiêu chí chấm"
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="criterion_unique_code")]

    def __str__(self) -> str:
        return self.name


class CouncilMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="thành viên", on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, verbose_name="đơn vị công tác", on_delete=models.PROTECT, related_name="+")
    is_chair = models.BooleanField("chủ tịch hội đồng", default=False)
    role_title = models.CharField("chức danh trong hội đồng", max_length=100, blank=True)

    class Meta:
        verbose_name = "thành viên hội đồng"
        verbose_name_plural = "thành viên hội đồng"
        ordering = ["-is_chair", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="member_once_per_campaign")]

    def __str__(self) -> str:
        return str(self.user)


class Initiative(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Đang soạn"
        SUBMITTED = "submitted", "Đã gửi, chờ thẩm định"
        RETURNED = "returned", "Trả lại để bổ sung"
        ELIGIBLE = "eligible", "Đủ điều kiện, chuyển Hội đồng"
        INELIGIBLE = "ineligible", "Không đủ điều kiện"
        RECOGNISED = "recognised", "Được công nhận"
        NOT_RECOGNISED = "not_recognised", "Không được công nhận"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="initiatives")
    unit = models.ForeignKey(Unit, verbose_name="đơn vị đề xuất", on_delete=models.PROTECT, related_name="+")
    field = models.ForeignKey(
        Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="initiatives"
    )
    title = models.CharField("tên sáng kiến", max_length=300)
    owner = models.CharField("chủ đầu tư tạo ra sáng kiến", max_length=255)
    first_applied_on = models.DateField("ngày áp dụng lần đầu hoặc áp dụng thử")
    situation_before = models.TextField("tình trạng trước khi có sáng kiến")
    solution = models.TextField("nội dung, giải pháp của sáng kiến")
    conditions_to_apply = models.TextField("điều kiện cần thiết để áp dụng")
    benefits = models.TextField("lợi ích thu được")
    applied_by = models.TextField("tổ chức, cá nhân đã áp dụng hoặc áp dụng thử", blank=True)
    confidential = models.TextField("thông tin cần được bảo mật", blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField("lý do trả lại", blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    first_submitted_at = models.DateTimeField("gửi lần đầu lúc", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    search_text = models.TextField(default="", blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "sáng kiến"
        verbose_name_plural = "sáng kiến"
        ordering = ["field__position", "pk"]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return self.title


class Author(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="authors")
    full_name = models.CharField("họ và tên", max_length=150)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    workplace = models.CharField("nơi công tác", max_length=255, blank=True)
    job_title = models.CharField("chức danh", max_length=150, blank=True)
    qualification = models.CharField("trình độ chuyên môn", max_length=150, blank=True)
    contribution = models.DecimalField("tỷ lệ đóng góp (%)", max_digits=5, decimal_places=2)
    email = models.EmailField("thư điện tử", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "tác giả"
        verbose_name_plural = "tác giả"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.full_name


def _attachment_path(instance, filename: str) -> str:
    return f"initiatives/{instance.initiative_id}/{filename}"


class Attachment(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    original_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tài liệu kèm theo"
        verbose_name_plural = "tài liệu kèm theo"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class Conflict(models.Model):
    """A member who must not judge an initiative. Pinned rows stay whatever later edits say."""

    class Kind(models.TextChoices):
        TREE = "tree", "Cùng đơn vị, đơn vị cấp trên hoặc cấp dưới"
        DECLARED = "declared", "Tự khai báo"

    member = models.ForeignKey(CouncilMember, on_delete=models.CASCADE, related_name="conflicts")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField("lý do", max_length=300, blank=True)
    pinned = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "xung đột lợi ích"
        verbose_name_plural = "xung đột lợi ích"
        constraints = [models.UniqueConstraint(fields=["member", "initiative"], name="one_conflict_per_pair")]

    def __str__(self) -> str:
        return f"{self.member} – {self.initiative}"


class Review(TimeStampedModel):
    """One member's scores of one initiative. `total` is derived from the scores, never typed."""

    member = models.ForeignKey(CouncilMember, on_delete=models.CASCADE, related_name="reviews")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="reviews")
    scores = models.JSONField("điểm từng tiêu chí", default=dict)
    total = models.DecimalField("tổng điểm", max_digits=8, decimal_places=2)
    comment = models.TextField("nhận xét", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "phiếu chấm"
        verbose_name_plural = "phiếu chấm"
        constraints = [models.UniqueConstraint(fields=["member", "initiative"], name="one_review_per_member")]

    def __str__(self) -> str:
        return f"Phiếu chấm của {self.member}: {self.initiative}"


class Verdict(TimeStampedModel):
    class Method(models.TextChoices):
        MEAN = "mean", "Theo điểm trung bình của Hội đồng"
        VOTE = "vote", "Biểu quyết tại phiên họp Hội đồng"
        CONSENSUS = "consensus", "Hội đồng thống nhất"

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE, related_name="verdict")
    recognised = models.BooleanField("được công nhận")
    reason = models.TextField("lý do", blank=True)
    method = models.CharField("hình thức kết luận", max_length=10, choices=Method.choices)
    final_score = models.DecimalField("điểm cuối cùng", max_digits=8, decimal_places=2, null=True)
    criterion_means = models.JSONField(default=list)
    is_final = models.BooleanField(default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reopen_reason = models.TextField("lý do mở lại", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "kết luận của Hội đồng"
        verbose_name_plural = "kết luận của Hội đồng"

    def __str__(self) -> str:
        return f"Kết luận: {self.initiative}"


class Replication(models.Model):
    """Another unit applied a recognised initiative (nhân rộng)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="replications")
    unit = models.ForeignKey(Unit, verbose_name="đơn vị áp dụng", on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField("ngày áp dụng")
    note = models.TextField("kết quả áp dụng", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "nhân rộng sáng kiến"
        verbose_name_plural = "nhân rộng sáng kiến"
        ordering = ["applied_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "unit"], name="one_replication_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.initiative} – {self.unit}"


class Notice(models.Model):
    """An in-app notice and its e-mail; unique per event so a retried send never doubles."""

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", "Phát động sáng kiến"
        SUBMITTED = "submitted", "Sáng kiến đã được gửi"
        RETURNED = "returned", "Sáng kiến bị trả lại"
        ELIGIBLE = "eligible", "Sáng kiến đủ điều kiện"
        INELIGIBLE = "ineligible", "Sáng kiến không đủ điều kiện"
        VERDICT = "verdict", "Kết luận của Hội đồng"
        ASSIGNED = "assigned", "Phân công chấm sáng kiến"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="initiative_notices"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=60, default="", blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "campaign", "kind", "key"], name="one_initiative_notice")
        ]

    def __str__(self) -> str:
        return self.message
