from django.conf import settings
from django.db import models

from cchc.core.models import TimeStampedModel
from cchc.org.models import Unit
from cchc.plans.models import Target, Task


class PeriodKind(models.TextChoices):
    Q1 = "Q1", "Quý I"
    S1 = "S1", "6 tháng"
    Q3 = "Q3", "Quý III"
    M9 = "9M", "9 tháng"
    YEAR = "Y", "Năm"
    ADHOC = "adhoc", "Đột xuất"


class ReportingRuleSet(TimeStampedModel):
    """A level's reporting regime, set by the issuer of the plan: periods, cut-offs, deadlines.

    Data, not code: a city changes its deadlines by editing rules, and each level (city, department,
    commune) may have its own set for the units that report to it."""

    issuer = models.ForeignKey(
        Unit, verbose_name="cấp nhận báo cáo", on_delete=models.PROTECT, related_name="reporting_rule_sets"
    )
    name = models.CharField("tên", max_length=200)
    basis = models.CharField("căn cứ", max_length=300, blank=True)
    deadline_exclusive = models.BooleanField(
        "hạn ghi «trước ngày»",
        default=True,
        help_text="Bật: «trước ngày 10/6» nghĩa là gửi chậm nhất ngày 9/6.",
    )
    remind_days_before = models.PositiveSmallIntegerField("nhắc trước hạn (ngày)", default=3)
    is_active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "quy định kỳ báo cáo"
        verbose_name_plural = "quy định kỳ báo cáo"

    def __str__(self) -> str:
        return self.name


class ReportingRule(models.Model):
    """One period of a rule set: the data window and the submission deadline, as day and month."""

    rule_set = models.ForeignKey(ReportingRuleSet, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField("kỳ", max_length=8, choices=PeriodKind.choices)
    cutoff_start_day = models.PositiveSmallIntegerField("số liệu từ ngày")
    cutoff_start_month = models.PositiveSmallIntegerField("từ tháng")
    cutoff_start_previous_year = models.BooleanField("từ năm trước", default=True)
    cutoff_end_day = models.PositiveSmallIntegerField("đến ngày")
    cutoff_end_month = models.PositiveSmallIntegerField("đến tháng")
    deadline_day = models.PositiveSmallIntegerField("hạn gửi: ngày")
    deadline_month = models.PositiveSmallIntegerField("hạn gửi: tháng")
    is_enabled = models.BooleanField("áp dụng", default=True)

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        constraints = [models.UniqueConstraint(fields=["rule_set", "kind"], name="one_rule_per_period_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.rule_set})"


class ReportingPeriod(TimeStampedModel):
    """A period units report on: "2026-Q1", "2026-S1", "2026-Q3", "2026-9M", "2026", or an ad-hoc request.

    Dates are computed from the rule when the period is opened and stored, so a later change of the
    rules does not move the deadlines of periods already running."""

    rule_set = models.ForeignKey(ReportingRuleSet, on_delete=models.PROTECT, related_name="periods")
    kind = models.CharField("kỳ", max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField("năm")
    code = models.CharField("mã kỳ", max_length=40)
    title = models.CharField("tên kỳ", max_length=300)
    cutoff_start = models.DateField("số liệu từ ngày")
    cutoff_end = models.DateField("số liệu đến ngày")
    deadline = models.DateField("hạn gửi (ngày cuối còn đúng hạn)")
    request_text = models.TextField("nội dung yêu cầu", blank=True)
    units = models.ManyToManyField(
        Unit, verbose_name="đơn vị phải báo cáo (đột xuất)", blank=True, related_name="adhoc_periods"
    )

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["-year", "deadline"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="period_code_unique_per_rule_set")
        ]

    def __str__(self) -> str:
        return self.title


class UnitReport(TimeStampedModel):
    """A unit's report for a period. Draft → submitted (a frozen revision) → returned (a new revision
    is edited) → submitted … → accepted. `missing` is set by the reviewer for a unit that never sent one."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang soạn"
        SUBMITTED = "submitted", "Đã gửi"
        RETURNED = "returned", "Trả lại"
        ACCEPTED = "accepted", "Đã tiếp nhận"
        MISSING = "missing", "Không gửi (ghi nhận thiếu)"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField("trạng thái", max_length=12, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveSmallIntegerField("lần gửi", default=1)
    narrative = models.JSONField("nội dung báo cáo", default=dict, blank=True)
    first_submitted_at = models.DateTimeField("gửi lần đầu", null=True, blank=True)
    submitted_at = models.DateTimeField("gửi lần gần nhất", null=True, blank=True)
    accepted_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    reviewer_note = models.TextField("ý kiến của cơ quan tiếp nhận", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "báo cáo của đơn vị"
        verbose_name_plural = "báo cáo của đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="one_report_per_unit_and_period")
        ]

    def __str__(self) -> str:
        return f"Báo cáo {self.period} – {self.unit}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class ReportTaskEntry(models.Model):
    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="task_entries")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="report_entries")
    status = models.CharField("trạng thái", max_length=16, choices=Task.Status.choices)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    result = models.TextField("kết quả", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "task"], name="one_entry_per_task")]

    def __str__(self) -> str:
        return f"{self.task} – {self.get_status_display()} {self.progress}%"


class ReportTargetValue(models.Model):
    """A target's value in a report. Rates carry numerator and denominator so that consolidation
    sums them instead of averaging rates."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="target_values")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="report_values")
    actual = models.DecimalField("giá trị đạt", max_digits=14, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField("tử số", max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField("mẫu số", max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "target"], name="one_value_per_target")]

    def __str__(self) -> str:
        return f"{self.target} = {self.actual}"


class ReportRevision(models.Model):
    """A submitted version, frozen: what the unit sent, exactly, never edited afterwards."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField("lần gửi")
    content = models.JSONField("nội dung đã gửi")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("gửi lúc")
    returned_reason = models.TextField("lý do trả lại", blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField("trả lại lúc", null=True, blank=True)

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.report}, lần gửi {self.number}"


class ConsolidatedReport(TimeStampedModel):
    """The standing agency's report for its level, built from the accepted reports below it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang tổng hợp"
        FINAL = "final", "Đã hoàn thành"

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="consolidated")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="consolidated_reports")
    status = models.CharField("trạng thái", max_length=8, choices=Status.choices, default=Status.DRAFT)
    narrative = models.JSONField("nội dung", default=dict, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "báo cáo tổng hợp"
        verbose_name_plural = "báo cáo tổng hợp"
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="one_consolidation_per_level")]

    def __str__(self) -> str:
        return f"Báo cáo tổng hợp {self.period} – {self.unit}"


class Notification(models.Model):
    """An in-app notice (and its e-mail). The unique key makes the reminder job safe to run twice."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Sắp đến hạn"
        DUE = "due", "Đến hạn hôm nay"
        LATE = "late", "Quá hạn"
        RETURNED = "returned", "Báo cáo bị trả lại"
        ACCEPTED = "accepted", "Báo cáo đã được tiếp nhận"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="notifications")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=40, default="", blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "unit", "kind", "key"], name="one_notice_per_event"
            )
        ]

    def __str__(self) -> str:
        return self.message


class Reminder(models.Model):
    """A reminder the standing agency sent from the chase page to a unit that has not reported. One per
    unit, period and day: pressing the button twice (or two officers pressing it) reminds once."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("ngày nhắc")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.PositiveIntegerField("số người nhận", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "nhắc báo cáo"
        verbose_name_plural = "nhắc báo cáo"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "day"], name="one_reminder_per_unit_period_day")
        ]

    def __str__(self) -> str:
        return f"Nhắc {self.unit} gửi {self.period} ngày {self.day:%d/%m/%Y}"
