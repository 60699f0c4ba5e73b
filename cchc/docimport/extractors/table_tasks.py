"""Tasks read from table nodes (``structure.table_model.Table``), whatever the table came as.

Rows are grouped under the area rows before them; numbering may restart in each area or run on across
areas; a row lettered "a", "b" under a numbered row is its sub-item, as are "-" / "+" rows; a cell
written over several lines is one cell. A body row that is neither a task nor an area row (cells
without a task's content) is returned as skipped, with its source lines and the reason, so the
review page can list it under "phần không đọc được".
"""

from __future__ import annotations

import re

from cchc.docimport.extractors.tables import _renumber, _rows_to_tasks
from cchc.docimport.model import DraftTask
from cchc.docimport.structure.table_model import Table, TableRow

_LETTERS = "abcdđefgh"

REASON_MERGED = (
    "Dòng gộp ô của bảng nhiệm vụ không gọi tên lĩnh vực nào và không có số thứ tự, đơn vị hay thời "
    "gian nên không được coi là nhiệm vụ: cần xem lại (có thể là tiêu đề nhóm, ghi chú hoặc dòng tổng)."
)
REASON_NO_CONTENT = (
    "Dòng của bảng nhiệm vụ có ô đơn vị, sản phẩm hoặc thời gian nhưng không có nội dung nhiệm vụ: "
    "cần xem lại và nhập bằng tay nếu đây là một nhiệm vụ."
)


def skipped_entry(row: TableRow, reason: str) -> dict:
    """A row not read, as listed in ``DraftPlan.unread``."""
    return {
        "part": "dòng trong bảng nhiệm vụ",
        "title": row.shown(),
        "lines": [row.first, row.last or row.first],
        "reason": reason,
    }


def tasks_from_table(table: Table, restored: bool, warnings: list[str]) -> tuple[list[DraftTask], list[dict]]:
    """Tasks of a table node, and the rows skipped inside it."""
    warnings.extend(table.notes)
    area: int | None = None
    rows: list[TableRow] = []
    skipped: list[dict] = []
    for row in table.rows:
        if row.kind == "group":
            area = row.area
            continue
        if row.kind != "body":
            continue
        if row.area is None:
            row.area = area
        if not "".join(row.content).strip():
            if any("".join(getattr(row, c)).strip() for c in ("lead", "partner", "product", "time")):
                skipped.append(skipped_entry(row, REASON_NO_CONTENT))
            continue
        if table.source == "pipes" and _merged_without_task(row):
            skipped.append(skipped_entry(row, REASON_MERGED))
            continue
        rows.append(row)
    tasks = _rows_to_tasks(rows, restored, None, warnings)
    if table.source != "interleaved":  # OCR reads row numbers as letters there ("g" for 8)
        tasks = _letter_items_under_parent(tasks)
    if table.source in ("pipes", "interleaved"):
        _renumber(tasks, warnings)
    return tasks, skipped


def _merged_without_task(row: TableRow) -> bool:
    """A " | " row with only a content cell, no number, no bullet, that introduces nothing (no ":")
    and that did not name an area: "Tổng cộng", "Ghi chú: …", a sub-heading of the issuer's own."""
    cells = row.cells()
    content = cells["content"]
    if row.number or row.marker or any(cells[c] for c in ("lead", "partner", "product", "time")):
        return False
    introduces = content.rstrip().endswith(":")
    return not (re.match(r"^[-+•]", content) or introduces or content[:1].islower())


def _letter_items_under_parent(tasks: list[DraftTask]) -> list[DraftTask]:
    """ "3 | Theo dõi thi hành pháp luật:" then "a | …", "b | …": a and b are sub-items of 3 (a run of
    letters in order from "a")."""
    out: list[DraftTask] = []
    for task in tasks:
        parent = out[-1] if out else None
        if (
            parent is not None
            and parent.number[:1].isdigit()
            and len(task.number) == 1
            and task.number in _LETTERS
            and task.number == _next_letter(parent)
            and not task.children
            and task.area == parent.area
        ):
            parent.children.append(task)
            parent.lines = (parent.lines[0], task.lines[1])
            continue
        out.append(task)
    return out


def _next_letter(parent: DraftTask) -> str:
    letters = [c.number for c in parent.children if c.number in _LETTERS]
    if len(letters) != len(parent.children):
        return ""
    return _LETTERS[len(letters)] if len(letters) < len(_LETTERS) else ""
