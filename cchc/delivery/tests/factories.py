"""Dossier files for tests: hand-made rows in the canonical CSV, or generated ones for the test world."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from cchc.delivery.kpi.schema import COLUMN_NAMES

WORLD_UNITS = [("10930", 30_000), ("10606", 25_000), ("SGDDT", 20_000), ("HP", 5_000)]


def dossier(
    unit: str,
    seq: int,
    received: str,
    *,
    online: bool = True,
    due_days: int = 3,
    done_days: int | None = 1,
    field: str = "Hộ tịch",
    status: int | None = None,
    fee: int = 0,
    paid_online: bool = False,
    rating: int | None = None,
    apology: bool = False,
) -> dict:
    """One received dossier; ``done_days`` None = still open; late when done_days > due_days."""
    at = datetime.fromisoformat(received)
    due = at + timedelta(days=due_days)
    done = at + timedelta(days=done_days) if done_days is not None else None
    return {
        "dossier_code": f"{unit}-{at:%y%m%d}-{seq:04d}",
        "unit_code": unit,
        "procedure_code": "1.000894",
        "field": field,
        "level": "full",
        "online_eligible": True,
        "channel": 2 if online else 1,
        "submitted_at": at,
        "received_at": at,
        "due_at": due,
        "finished_at": done,
        "returned_at": done,
        "status": status or (10 if done else 4),
        "fee": fee,
        "paid_online": paid_online,
        "components_total": 2,
        "components_digitised": 2 if online else 1,
        "result_digitised": done is not None,
        "rating": rating,
        "apology_letter": apology,
        "wait_minutes": None,
        "due_reset": False,
    }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    """The rows as a CSV export, with the columns in the order ``columns`` (default: canonical)."""
    columns = list(columns or COLUMN_NAMES)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(row[name]) for name in columns])
    return path
