"""Service delivery (giải quyết TTHC): where dossier data comes from and what it yields.

The dossiers themselves are not Django rows: they live in a Parquet snapshot store read by DuckDB
(``cchc.delivery.store``), tens of millions of rows a year being an analytics workload. Django holds
what people manage and what pages read: saved column mappings per source system, the import
batches with their counts and errors, the KPI settings, the month KPI sums computed from the
current snapshot (``KpiFigure``) and the links from plan targets to KPIs.
"""

from django.conf import settings
from django.db import models

from cchc.core.models import TimeStampedModel
from cchc.delivery.kpi.catalogue import KPI_BY_CODE, KPI_CHOICES
from cchc.delivery.kpi.engine import KpiSettings
from cchc.org.models import Unit
from cchc.plans.models import Target


class KpiConfig(models.Model):
    """The choices one-stop systems make differently (docs/kpi-definitions.md), one row for the
    installation. Changing it recomputes the figures."""

    class TimelinessBasis(models.TextChoices):
        FINISHED_AT = "finished_at", "Ngày kết thúc xử lý (trạng thái 9, 10)"
        RETURNED_AT = "returned_at", "Ngày trả kết quả (trạng thái 10)"

    class LateRateDenominator(models.TextChoices):
        TO_PROCESS = "to_process", "Tổng số hồ sơ phải giải quyết (tiếp nhận + kỳ trước chuyển sang)"
        FINISHED = "finished", "Số hồ sơ đã giải quyết"

    class OnlineShareDenominator(models.TextChoices):
        ALL = "all", "Tổng số hồ sơ tiếp nhận"
        ONLINE_ELIGIBLE = "online_eligible", "Hồ sơ của TTHC có cung cấp dịch vụ công trực tuyến"

    cutoff_day = models.PositiveSmallIntegerField(
        "ngày chốt số liệu",
        null=True,
        blank=True,
        default=15,
        help_text="15: kỳ báo cáo theo Nghị định 09/2019 (từ ngày 15 tháng trước đến ngày 14); để trống: tháng dương lịch.",
    )
    timeliness_basis = models.CharField(
        "tính đúng hạn theo",
        max_length=20,
        choices=TimelinessBasis.choices,
        default=TimelinessBasis.FINISHED_AT,
    )
    late_rate_denominator = models.CharField(
        "mẫu số tỷ lệ trễ hạn",
        max_length=20,
        choices=LateRateDenominator.choices,
        default=LateRateDenominator.TO_PROCESS,
    )
    online_share_denominator = models.CharField(
        "mẫu số tỷ lệ hồ sơ trực tuyến",
        max_length=20,
        choices=OnlineShareDenominator.choices,
        default=OnlineShareDenominator.ALL,
    )
    satisfied_min_rating = models.PositiveSmallIntegerField("điểm đánh giá tính là hài lòng (từ)", default=4)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "cấu hình cách tính chỉ số"
        verbose_name_plural = "cấu hình cách tính chỉ số"

    def __str__(self) -> str:
        return "Cấu hình cách tính chỉ số giải quyết TTHC"

    def engine_settings(self, **overrides) -> KpiSettings:
        values = {
            "granularity": "month",
            "cutoff_day": self.cutoff_day,
            "timeliness_basis": self.timeliness_basis,
            "late_rate_denominator": self.late_rate_denominator,
            "online_share_denominator": self.online_share_denominator,
            "satisfied_min_rating": self.satisfied_min_rating,
        }
        values.update(overrides)
        return KpiSettings(**values)


class SourceMapping(TimeStampedModel):
    """How one source system's export names its columns and values, saved for reuse
    (``import_dossiers FILE --mapping NAME``). ``spec`` is ``ingest.SourceMapping.to_json()``."""

    name = models.SlugField("mã cấu hình", max_length=60, unique=True)
    title = models.CharField("tên hệ thống nguồn", max_length=200)
    description = models.TextField("ghi chú", blank=True)
    spec = models.JSONField("ánh xạ cột và giá trị", default=dict)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "cấu hình ánh xạ cột"
        verbose_name_plural = "cấu hình ánh xạ cột"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class DossierImport(models.Model):
    """One file imported (or refused). Counts and the first errors stay for the record."""

    class Status(models.TextChoices):
        RUNNING = "running", "Đang nhập"
        SUCCEEDED = "succeeded", "Đã nhập"
        FAILED = "failed", "Bị từ chối"

    file_name = models.CharField("tệp", max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.BigIntegerField("dung lượng", default=0)
    mapping = models.ForeignKey(
        SourceMapping, verbose_name="ánh xạ", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người nhập", null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField("bắt đầu")
    finished_at = models.DateTimeField("kết thúc", null=True, blank=True)
    status = models.CharField("trạng thái", max_length=12, choices=Status.choices, default=Status.RUNNING)
    rows_read = models.BigIntegerField("số dòng đọc", default=0)
    inserted = models.BigIntegerField("thêm mới", default=0)
    updated = models.BigIntegerField("cập nhật", default=0)
    unchanged = models.BigIntegerField("không đổi", default=0)
    total_after = models.BigIntegerField("tổng số hồ sơ sau khi nhập", default=0)
    error_count = models.BigIntegerField("số lỗi", default=0)
    errors = models.JSONField("lỗi (tối đa 200 lỗi đầu)", default=list, blank=True)
    message = models.TextField("thông báo", blank=True)
    # File name of the snapshot this import produced, in DOSSIER_STORE_DIR; blank when it changed
    # nothing (the store stays on the previous snapshot) or failed.
    snapshot = models.CharField("bản dữ liệu", max_length=120, blank=True)
    # A file byte for byte identical to one already imported over the same data: recorded, not read.
    same_as = models.ForeignKey(
        "self",
        verbose_name="trùng với lần nhập",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the file held, for a later file with some of the same content (a re-export in another
    # order, a full export in which only the last month moved): the key of how it was read (mapping,
    # date formats, unit catalogue, hash: kpi.ingest._Plan.reading_key), the order-free digest of its
    # cells as read, and month by month the digest of the month's cells and of the canonical rows
    # they converted to ({"kind": digest kind, "months": {"2026-01": [content, rows], ...}}).
    reading_key = models.CharField("khóa cách đọc", max_length=64, blank=True, db_index=True)
    content_digest = models.CharField("dấu nội dung", max_length=160, blank=True)
    month_digests = models.JSONField("dấu theo tháng", null=True, blank=True)
    seconds = models.FloatField("thời gian (giây)", default=0)
    # The span of the data after this import: first reception, last event (the export day).
    data_from = models.DateField("số liệu từ ngày", null=True, blank=True)
    data_until = models.DateField("số liệu đến ngày", null=True, blank=True)
    # Who runs a running import and when it last said it was alive: an import whose process was
    # killed is found (pid gone on this host, or no heartbeat for a while) and marked failed.
    worker_host = models.CharField("máy chạy", max_length=255, blank=True)
    worker_pid = models.IntegerField("tiến trình", null=True, blank=True)
    heartbeat_at = models.DateTimeField("lần báo hoạt động cuối", null=True, blank=True)

    class Meta:
        verbose_name = "lần nhập hồ sơ"
        verbose_name_plural = "các lần nhập hồ sơ"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class KpiFigure(models.Model):
    """The additive measures of one (level, unit, field, month) from the current snapshot; every
    rate and every longer period is derived from these (``kpi.periods``)."""

    class Level(models.TextChoices):
        UNIT = "unit", "Hồ sơ của chính đơn vị"
        SUBTREE = "subtree", "Đơn vị và các đơn vị trực thuộc"
        ALL = "all", "Toàn bộ"

    level = models.CharField(max_length=8, choices=Level.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="kpi_figures"
    )
    unit_code = models.CharField(max_length=40, blank=True)
    field = models.CharField("lĩnh vực", max_length=200, blank=True)  # "" = every field
    period = models.CharField("tháng", max_length=7)  # "2026-03": the month the period ends in
    period_start = models.DateField()
    period_end = models.DateField()
    received = models.BigIntegerField(default=0)
    online_num = models.BigIntegerField(default=0)
    online_den = models.BigIntegerField(default=0)
    fee_dossiers = models.BigIntegerField(default=0)
    paid_online = models.BigIntegerField(default=0)
    components_total = models.BigIntegerField(default=0)
    components_digitised = models.BigIntegerField(default=0)
    wait_n = models.BigIntegerField(default=0)
    wait_sum = models.FloatField(default=0)
    finished_early = models.BigIntegerField(default=0)
    finished_on_time = models.BigIntegerField(default=0)
    finished_late = models.BigIntegerField(default=0)
    result_digitised = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    satisfied = models.BigIntegerField(default=0)
    apology_finished_late = models.BigIntegerField(default=0)
    processing_days_sum = models.FloatField(default=0)
    withdrawn_stopped = models.BigIntegerField(default=0)
    carried_over = models.BigIntegerField(default=0)
    unfinished_late_at_period_end = models.BigIntegerField(default=0)
    apology_unfinished_late = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "số liệu tháng"
        verbose_name_plural = "số liệu tháng"
        constraints = [
            models.UniqueConstraint(
                fields=["level", "unit_code", "field", "period"], name="one_figure_per_month"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "field", "period_start"], name="kpi_unit_field_start"),
            models.Index(fields=["level", "field", "period_start"], name="kpi_level_field_start"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_code or 'toàn bộ'} · {self.field or 'mọi lĩnh vực'} · {self.period}"


class TargetKpiLink(models.Model):
    """A plan target measured by a KPI: its actual value per period comes from the dossiers."""

    target = models.OneToOneField(
        Target, verbose_name="chỉ tiêu", on_delete=models.CASCADE, related_name="kpi_link"
    )
    kpi = models.CharField("chỉ số", max_length=40, choices=KPI_CHOICES)
    field = models.CharField("chỉ tính lĩnh vực", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "liên kết chỉ tiêu – chỉ số"
        verbose_name_plural = "liên kết chỉ tiêu – chỉ số"

    def __str__(self) -> str:
        return f"{self.target} ← {self.get_kpi_display()}"

    @property
    def definition(self):
        return KPI_BY_CODE[self.kpi]


class KpiPublication(models.Model):
    """A period of KPIs the city's standing agency has made public (the disclosure portal shows these and
    nothing else). ``rows`` freezes each unit's KPIs at publication: a later import that corrects the
    month figures changes the portal only when the period is published again."""

    period = models.CharField("kỳ", max_length=20, unique=True)  # a period key: "2026-03", "2026-Q1", "2026"
    label = models.CharField("tên kỳ", max_length=100)
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày")
    complete = models.BooleanField("kỳ đã kết thúc", default=True)
    data_until = models.DateField("số liệu đến ngày", null=True, blank=True)
    rows = models.JSONField("chỉ số từng đơn vị", default=list)
    published = models.BooleanField("đang công khai", default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người công bố",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("ngày công bố")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thu hồi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField("ngày thu hồi", null=True, blank=True)

    class Meta:
        verbose_name = "kỳ chỉ số đã công bố"
        verbose_name_plural = "các kỳ chỉ số đã công bố"
        ordering = ["-end", "-start"]

    def __str__(self) -> str:
        state = "đang công khai" if self.published else "đã thu hồi"
        return f"Chỉ số giải quyết TTHC {self.label} ({state})"

    @property
    def stamp(self) -> str:
        """Changes whenever what the portal shows for this period changes (ETag, cache keys)."""
        return f"{self.pk}-{int(self.published)}-{self.published_at.timestamp():.6f}"
