from django.conf import settings
from django.db import models

from cchc.core.models import TimeStampedModel
from cchc.core.numbers import format_number
from cchc.org.models import Unit


class Area(models.IntegerChoices):
    """The six areas of Resolution 76/NQ-CP plus direction and management (domain §2)."""

    DIRECTION = 0, "Công tác chỉ đạo, điều hành"
    INSTITUTIONS = 1, "Cải cách thể chế"
    PROCEDURES = 2, "Cải cách thủ tục hành chính"
    ORGANISATION = 3, "Cải cách tổ chức bộ máy hành chính nhà nước"
    CIVIL_SERVICE = 4, "Cải cách chế độ công vụ"
    PUBLIC_FINANCE = 5, "Cải cách tài chính công"
    DIGITAL_GOVERNMENT = 6, "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số"


class Plan(TimeStampedModel):
    class Kind(models.TextChoices):
        PROGRAM = "program", "Chương trình"
        PERIOD = "period", "Kế hoạch giai đoạn"
        YEARLY = "yearly", "Kế hoạch năm"

    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        ISSUED = "issued", "Đã ban hành"
        SUPERSEDED = "superseded", "Đã được thay thế"

    issuer = models.ForeignKey(
        Unit, verbose_name="cơ quan ban hành", on_delete=models.PROTECT, related_name="plans"
    )
    number = models.CharField("số, ký hiệu", max_length=60, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    title = models.CharField("trích yếu", max_length=500)
    kind = models.CharField("loại", max_length=16, choices=Kind.choices, default=Kind.PERIOD)
    year_start = models.PositiveSmallIntegerField("từ năm")
    year_end = models.PositiveSmallIntegerField("đến năm")
    parent = models.ForeignKey(
        "self",
        verbose_name="kế hoạch cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices, default=Status.DRAFT)
    signer = models.CharField("người ký", max_length=150, blank=True)
    signer_title = models.CharField("chức vụ người ký", max_length=150, blank=True)
    # A draft that will replace an issued plan of the same issuer when it is issued; the old plan is
    # then kept, read-only, as superseded (history, submitted reports and child plans still point at it).
    replaces = models.ForeignKey(
        "self",
        verbose_name="thay thế kế hoạch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replacements",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        ordering = ["-year_start", "issuer__path", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_end__gte=models.F("year_start")), name="plan_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}" if self.number else self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_superseded(self) -> bool:
        return self.status == self.Status.SUPERSEDED

    @property
    def years_label(self) -> str:
        return (
            str(self.year_start) if self.year_start == self.year_end else f"{self.year_start}–{self.year_end}"
        )


class Target(TimeStampedModel):
    class Comparator(models.TextChoices):
        GTE = "gte", "≥ (tối thiểu)"
        LTE = "lte", "≤ (tối đa)"
        EQ = "eq", "= (đạt)"
        REDUCE_BY = "reduce_by", "giảm"
        INCREASE_BY = "increase_by", "tăng"
        TEXT = "text", "định tính"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    area = models.PositiveSmallIntegerField("lĩnh vực", choices=Area.choices)
    position = models.PositiveIntegerField("thứ tự", default=0)
    key = models.SlugField("mã chỉ tiêu", max_length=60, blank=True)
    text = models.TextField("nội dung chỉ tiêu (nguyên văn)")
    metric = models.CharField("chỉ số đo", max_length=300, blank=True)
    comparator = models.CharField(
        "so sánh", max_length=16, choices=Comparator.choices, default=Comparator.GTE
    )
    threshold = models.DecimalField("ngưỡng", max_digits=12, decimal_places=2, null=True, blank=True)
    unit_of_measure = models.CharField("đơn vị tính", max_length=30, blank=True)
    deadline_year = models.PositiveSmallIntegerField("năm đạt", null=True, blank=True)
    parent_target = models.ForeignKey(
        "self",
        verbose_name="chỉ tiêu cấp trên",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="child_targets",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["plan", "area", "position", "id"]

    def __str__(self) -> str:
        return self.metric or self.text[:120]

    @property
    def threshold_label(self) -> str:
        if self.comparator == self.Comparator.TEXT or self.threshold is None:
            return "định tính"
        value = format_number(self.threshold, 2, trim=True)
        unit = self.unit_of_measure or ""
        sign = {"gte": "≥ ", "lte": "≤ ", "eq": "", "reduce_by": "giảm ", "increase_by": "tăng "}[
            self.comparator
        ]
        return f"{sign}{value}{unit if unit == '%' else (' ' + unit if unit else '')}"


class Task(TimeStampedModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Chưa thực hiện"
        IN_PROGRESS = "in_progress", "Đang thực hiện"
        DONE = "done", "Hoàn thành"
        DONE_LATE = "done_late", "Hoàn thành quá hạn"
        PAUSED = "paused", "Tạm dừng"

    FINISHED = (Status.DONE, Status.DONE_LATE)

    class TimeKind(models.TextChoices):
        RANGE = "range", "Có thời hạn"
        RECURRING = "recurring", "Thường xuyên, hằng năm"
        EVENT = "event", "Theo yêu cầu, chỉ đạo"
        UNKNOWN = "unknown", "Chưa xác định"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self",
        verbose_name="thuộc nhiệm vụ",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subtasks",
    )
    area = models.PositiveSmallIntegerField("lĩnh vực", choices=Area.choices)
    position = models.PositiveIntegerField("thứ tự", default=0)
    number = models.CharField("số thứ tự", max_length=20, blank=True)
    content = models.TextField("nội dung công việc")
    lead_units = models.ManyToManyField(
        Unit, verbose_name="đơn vị chủ trì", blank=True, related_name="led_tasks"
    )
    lead_text = models.CharField("đơn vị chủ trì (nguyên văn)", max_length=500, blank=True)
    partner_units = models.ManyToManyField(
        Unit, verbose_name="đơn vị phối hợp", blank=True, related_name="partnered_tasks"
    )
    partner_text = models.CharField("đơn vị phối hợp (nguyên văn)", max_length=500, blank=True)
    product = models.CharField("sản phẩm", max_length=500, blank=True)
    time_text = models.CharField("thời gian (nguyên văn)", max_length=200, blank=True)
    time_kind = models.CharField(
        "loại thời hạn", max_length=12, choices=TimeKind.choices, default=TimeKind.UNKNOWN
    )
    start_date = models.DateField("bắt đầu", null=True, blank=True)
    end_date = models.DateField("hạn hoàn thành", null=True, blank=True, db_index=True)
    status = models.CharField(
        "trạng thái", max_length=16, choices=Status.choices, default=Status.NOT_STARTED, db_index=True
    )
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    result = models.TextField("kết quả thực hiện", blank=True)
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người phụ trách",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_tasks",
    )
    source_task = models.ForeignKey(
        "self",
        verbose_name="nhiệm vụ cấp trên",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_tasks",
    )
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["plan", "area", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="task_progress_at_most_100"),
        ]
        indexes = [models.Index(fields=["plan", "area", "position"])]

    def __str__(self) -> str:
        label = self.content if len(self.content) <= 100 else self.content[:97] + "…"
        return f"{self.number}. {label}" if self.number and self.number != "-" else label

    def is_overdue(self, today) -> bool:
        return bool(self.end_date and self.end_date < today and self.status not in self.FINISHED)


def evidence_path(instance: "TaskEvidence", filename: str) -> str:
    return f"evidence/{instance.task.plan_id}/{instance.task_id}/{filename}"


class TaskEvidence(TimeStampedModel):
    class Kind(models.TextChoices):
        DOCUMENT = "document", "Văn bản"
        REPORT = "report", "Báo cáo"
        DECISION = "decision", "Quyết định"
        IMAGE = "image", "Hình ảnh"
        DATA = "data", "Số liệu"
        OTHER = "other", "Khác"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField("loại tài liệu", max_length=16, choices=Kind.choices, default=Kind.DOCUMENT)
    file = models.FileField("tệp", upload_to=evidence_path, max_length=300)
    original_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveIntegerField("dung lượng (byte)")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "tài liệu kiểm chứng"
        verbose_name_plural = "tài liệu kiểm chứng"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
