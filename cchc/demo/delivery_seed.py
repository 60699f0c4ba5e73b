"""Demo dossiers: one year of Hải Phòng's one-stop dossiers up to today, imported the way a real
export arrives (Vietnamese headers and words, dd/mm/yyyy dates, ``;`` separated) through a saved
column mapping; then the plan targets whose wording names a KPI are linked to it."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from django.utils import timezone

from cchc.delivery import services
from cchc.delivery.kpi.generator import write_file
from cchc.delivery.kpi.ingest import COLUMN_LABELS, SourceMapping
from cchc.delivery.kpi.schema import CHANNEL_LABELS, COLUMN_NAMES, STATUS_LABELS
from cchc.delivery.models import DossierImport
from cchc.delivery.models import SourceMapping as SavedMapping
from cchc.plans.models import Target

DEMO_YEAR = 2026
# Dossiers of a whole year; the demo keeps those submitted up to today. The real city handles a few
# million a year: `generate_dossiers` and `bench/kpi_bench.py` go to that scale.
DEMO_DOSSIERS = int(os.environ.get("CCHC_DEMO_DOSSIERS", "240000"))
MAPPING_NAME = "mot-cua-hai-phong"
MAPPING_TITLE = "Hệ thống thông tin giải quyết TTHC thành phố Hải Phòng (tệp xuất CSV)"


def mapping_spec() -> dict:
    return SourceMapping(
        columns=dict(COLUMN_LABELS),
        datetime_formats=("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"),
        thousands_separator=".",
        delimiter=";",
    ).to_json()


def _case(column: str, labels: dict) -> str:
    whens = " ".join(f"WHEN {int(code)} THEN '{label}'" for code, label in labels.items())
    return f"CASE {column} {whens} END"


def vietnamese_export(canonical_csv: Path, out: Path) -> Path:
    """Rewrite a canonical CSV as a one-stop system exports it (headers and values in Vietnamese)."""
    import duckdb

    from cchc.delivery.kpi.schema import csv_read_sql

    def yes_no(column: str) -> str:
        return f"CASE WHEN {column} THEN 'Có' ELSE 'Không' END"

    def when(column: str) -> str:
        return f"strftime({column}, '%d/%m/%Y %H:%M:%S')"

    values = {
        "level": "CASE level WHEN 'full' THEN 'Toàn trình' ELSE 'Một phần' END",
        "online_eligible": yes_no("online_eligible"),
        "channel": _case("channel", CHANNEL_LABELS),
        "status": _case("status", STATUS_LABELS),
        "fee": "replace(format('{:,}', CAST(fee AS BIGINT)), ',', '.')",
        "wait_minutes": "replace(CAST(wait_minutes AS VARCHAR), '.', ',')",
        **{c: when(c) for c in ("submitted_at", "received_at", "due_at", "finished_at", "returned_at")},
        **{c: yes_no(c) for c in ("paid_online", "result_digitised", "apology_letter", "due_reset")},
    }
    select = ", ".join(f'{values.get(c, c)} AS "{COLUMN_LABELS[c]}"' for c in COLUMN_NAMES)
    con = duckdb.connect()
    try:
        con.execute(
            f"COPY (SELECT {select} FROM {csv_read_sql(str(canonical_csv))}) TO '{out}' (HEADER, DELIMITER ';')"
        )
    finally:
        con.close()
    return out


def load_delivery_demo(*, rows: int = DEMO_DOSSIERS, as_of: date | None = None) -> DossierImport:
    as_of = as_of or min(timezone.localdate(), date(DEMO_YEAR, 12, 31))
    existing = SavedMapping.objects.filter(name=MAPPING_NAME).first()
    mapping = services.mapping_save(
        actor=None,
        expected_version=existing.version if existing else None,
        name=MAPPING_NAME,
        title=MAPPING_TITLE,
        description="Tên cột, trạng thái, kênh nộp bằng tiếng Việt; ngày dd/mm/yyyy; phân cách «;».",
        spec=mapping_spec(),
    )
    with tempfile.TemporaryDirectory() as tmp:
        canonical = write_file(Path(tmp) / "chuan.csv", rows, DEMO_YEAR, "csv", as_of=as_of)
        export = vietnamese_export(canonical, Path(tmp) / f"ho-so-mot-cua-{as_of:%Y%m%d}.csv")
        batch = services.dossiers_import(actor=None, path=export, mapping=mapping)
    if batch.status != DossierImport.Status.SUCCEEDED:
        raise RuntimeError(f"Demo dossiers refused: {batch.message} {batch.errors[:3]}")
    services.targets_link_suggested(actor=None, targets=Target.objects.all())
    return batch
