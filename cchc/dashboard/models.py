"""The leader's scorecard reads one pre-aggregated row per (year, reporting unit).

Every figure is stored as a numerator and a denominator summed over the unit's subtree, so a block
or a level is one SUM over rows and a ratio is computed at display time. The rows are rewritten by
``services.refresh_scorecard`` on the job queue when a source changes (report accepted, dossier import
finished, PAR Index published; ``refresh_scorecard_soon`` queues one coalesced job per year) and by the
nightly ``refresh_scorecard`` command; pages never join the source tables.
"""

from django.db import models

from cchc.org.models import Unit


class ScorecardRow(models.Model):
    year = models.PositiveSmallIntegerField("năm")
    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.CASCADE, related_name="+")
    # Nearest reporting unit above (the city for a commune); the drill-down walks this link.
    parent = models.ForeignKey(
        Unit, verbose_name="đơn vị cấp trên", null=True, on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(max_length=255)
    block = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=40)
    child_count = models.PositiveIntegerField(default=0)

    tasks_total = models.PositiveIntegerField(default=0)
    tasks_done = models.PositiveIntegerField(default=0)
    tasks_overdue = models.PositiveIntegerField(default=0)
    reports_due = models.PositiveIntegerField(default=0)
    reports_on_time = models.PositiveIntegerField(default=0)
    reports_missing = models.PositiveIntegerField(default=0)
    dossiers_finished = models.BigIntegerField(default=0)
    dossiers_on_time = models.BigIntegerField(default=0)
    online_den = models.BigIntegerField(default=0)
    online_num = models.BigIntegerField(default=0)
    fee_dossiers = models.BigIntegerField(default=0)
    paid_online = models.BigIntegerField(default=0)
    components_total = models.BigIntegerField(default=0)
    components_digitised = models.BigIntegerField(default=0)
    satisfaction = models.FloatField(null=True)  # 0..1, the subtree's published survey index
    satisfaction_n = models.PositiveIntegerField(default=0)
    par_index = models.FloatField(null=True)  # the unit's own PAR Index (published release)
    par_rank = models.PositiveIntegerField(null=True)
    par_ranked = models.PositiveIntegerField(default=0)  # units ranked in its block
    areas = models.JSONField(default=dict)  # {"1": [done, total], ...} over the subtree
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = "dòng bảng điểm"
        verbose_name_plural = "bảng điểm (tổng hợp sẵn)"
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="scorecard_row_unique")]
        indexes = [
            models.Index(fields=["year", "parent", "block"]),
            models.Index(fields=["unit", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.year}"
