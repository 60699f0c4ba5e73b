"""Table nodes built from the lines of a document, whatever the table came as:

- ``pipe_table``: " | " rows (a Word table, a ruled PDF table): the header row names the columns, a
  header repeated on a later page (garbled or not) and the "(1) (2) (3)" numbering row are kept as
  header rows, a row continued from the previous page is joined to it;
- ``flat_table``: a table flattened to text, one cell fragment per line (Word → text, PDF text of a
  simple table), or OCR lines whose cells interleave; its header lines, repeated on each page, are
  kept as header rows, the lines between them are one table.

``task_tables(lines, appendix_at)`` returns the task tables of a document (one, merged across its
pages). Rows are not read as tasks here: ``extractors.table_tasks`` does that.
"""

from __future__ import annotations

import re

from cchc.core.text import fold
from cchc.docimport.extract import CELL_SEP, DITTO
from cchc.docimport.extractors.tables import (
    _TAIL_TIME,
    _group_heading,
    _rows_interleaved,
    _rows_vertical,
    _table_header_end,
)
from cchc.docimport.structure.lines import _Line
from cchc.docimport.structure.table_model import (
    HEADER_KEYS,
    Table,
    TableRow,
    column_order,
    header_columns,
    is_repeated_header,
)
from cchc.docimport.vocab import _PRODUCT_START, _UNIT_START, _is_upperish, area_of, roman_value


def pipe_table(lines: list[_Line], start: int) -> Table | None:
    """The first " | " table at/after ``start`` whose header names a content and a lead or partner
    column, with every " | " row after it (a table split over pages is one table)."""
    header_index = -1
    columns: dict[int, str] = {}
    for index in range(start, len(lines)):
        line = lines[index]
        if CELL_SEP.strip() not in line.text:
            continue
        found = header_columns(line.text.split("|"))
        if "content" in found.values() and ("lead" in found.values() or "partner" in found.values()):
            header_index, columns = index, found
            break
    if header_index < 0:
        return None
    if 0 not in columns:
        columns[0] = "number"
    head = lines[header_index]
    table = Table(
        source="pipes",
        columns=[columns[i] for i in sorted(columns)],
        header=[TableRow(kind="header", first=head.no, last=head.no, text=head.text)],
    )
    area: int | None = None
    header_cells = len(head.text.split("|"))
    previous: list[str] = []
    last_body: TableRow | None = None
    for line in lines[header_index + 1 :]:
        if "|" not in line.text:
            continue
        cells = [c.strip() for c in line.text.split("|")]
        keys = [fold(c) for c in cells]
        joined = " ".join(keys)
        if is_repeated_header(joined, head.key):
            table.header.append(TableRow(kind="header", first=line.no, last=line.no, text=line.text))
            continue
        if all(re.fullmatch(r"\(?\d{1,2}\)?", k) or not k for k in keys):
            table.header.append(TableRow(kind="numbering", first=line.no, last=line.no, text=line.text))
            continue
        non_empty = [c for c in cells if c and c != DITTO]
        group = _pipe_group_area(cells, non_empty, header_cells)
        if group is not None:
            area = group
            table.rows.append(
                TableRow(
                    kind="group",
                    area=group,
                    content=[" ".join(non_empty)],
                    first=line.no,
                    last=line.no,
                    text=line.text,
                )
            )
            continue
        if len(cells) < header_cells:
            cells += [""] * (header_cells - len(cells))
        values: dict[str, str] = {}
        for i, cell in enumerate(cells):
            name = columns.get(i)
            if not name:
                continue
            if cell == DITTO:
                cell = "" if name in ("number", "content") else (previous[i] if i < len(previous) else "")
            values[name] = cell
        previous = [values.get(columns.get(i, ""), c) for i, c in enumerate(cells)]
        number = values.get("number", "").strip().rstrip(".")
        content = values.get("content", "")
        row = TableRow(number=number, first=line.no, last=line.no, area=area, confidence=0.95, text=line.text)
        if number in ("-", "+", "•"):
            row.marker, row.number = number, ""
        row.content = [content]
        row.lead = [values.get("lead", "")]
        row.partner = [values.get("partner", "")]
        row.product = [values.get("product", "")]
        row.time = [values.get("time", "")]
        if not content.strip() and not number:
            if any(values.get(k) for k in ("lead", "partner", "product", "time")):
                table.rows.append(row)  # cells without a task: the extractor lists it as not read
            continue
        # a row continued from the previous page: no number, content starts in lower case
        if (
            last_body is not None
            and not number
            and not re.match(r"^\s*[-+•]", content)
            and content[:1].islower()
            and not any(values.get(k) for k in ("lead", "partner", "product", "time"))
        ):
            last_body.content.append(content)
            last_body.last = line.no
            continue
        table.rows.append(row)
        last_body = row
    return table


def _pipe_group_area(cells: list[str], non_empty: list[str], header_cells: int) -> int | None:
    """Area named by a row merged across the table: "I | CẢI CÁCH THỂ CHẾ", "A | CẢI CÁCH THỂ CHẾ",
    "2 | CẢI CÁCH TỔ CHỨC BỘ MÁY" in capitals, "1. Cải cách thủ tục hành chính"."""
    if (
        len(non_empty) <= 2
        and len(cells) < header_cells
        or (len(non_empty) <= 2 and non_empty and roman_value(cells[0]) is not None)
    ):
        text = " ".join(non_empty)
        found = area_of(fold(text))
        if found is not None and (roman_value(cells[0]) is not None or _is_upperish(text)):
            return found
    if (
        len(non_empty) <= 2
        and non_empty
        and not any(cells[2:])
        and (
            re.fullmatch(r"[A-HĐ]\.?", cells[0])
            or re.match(r"^\d{1,2}\s*[.)]\s*\S", cells[0])
            or (re.fullmatch(r"\d{1,2}\.?", cells[0]) and _is_upperish(" ".join(non_empty[1:])))
        )
    ):
        text = re.sub(r"^\d{1,2}\s*[.)]\s*", "", " ".join(non_empty))
        return area_of(fold(text))
    return None


_FLAT_HEADER_WORDS = ("noi dung", "chu tri", "phoi hop", "thoi gian", "ket qua", "san pham")


def _flat_body(lines: list[_Line], body_start: int, header_key: str, table: Table) -> list[_Line]:
    """Non-empty lines of a flattened table; the header repeated on a new page becomes a header row."""
    body: list[_Line] = []
    for line in lines[body_start:]:
        if not line.text:
            continue
        words = sum(1 for p in _FLAT_HEADER_WORDS if p in line.key)
        if (
            words >= 3
            or (words >= 2 and len(line.text) < 45)
            or (len(line.text) < 80 and is_repeated_header(line.key, header_key))
        ):
            table.header.append(TableRow(kind="header", first=line.no, last=line.no, text=line.text))
            continue
        body.append(line)
    return body


def flat_table(lines: list[_Line], appendix_at: int) -> Table | None:
    """The task table of an appendix flattened to lines: one cell fragment per line, or OCR lines
    that interleave a row's cells."""
    if appendix_at < 0:
        return None
    found = _table_header_end(lines, appendix_at)
    if found is None:
        return None
    body_start, header_key = found
    first_header = next((ln for ln in lines[appendix_at:body_start] if ln.text), lines[body_start - 1])
    order = column_order(header_key)
    table = Table(
        source="vertical",
        columns=order,
        header=[
            TableRow(kind="header", first=first_header.no, last=lines[body_start - 1].no, text=header_key)
        ],
    )
    body = _flat_body(lines, body_start, header_key, table)
    interleaved = sum(
        1
        for line in body
        if len(line.text) >= 45 and _TAIL_TIME.search(line.text) and not line.text.startswith("-")
    )
    if interleaved >= 3:
        table.source = "interleaved"
        rows, notes = _rows_interleaved(body)
        table.notes.extend(notes)
        table.rows.extend(rows)
        return table
    _vertical_rows(body, order, table)
    return table


def _vertical_rows(body: list[_Line], order: list[str], table: Table) -> None:
    """Rows of a table flattened one cell fragment per line; area rows (capitals, Roman or not, over
    one to three lines) split it into groups."""
    chunk: list[_Line] = []
    area = None

    def flush():
        for row in _rows_vertical(chunk, order):
            row.area = area
            table.rows.append(row)

    i = 0
    while i < len(body):
        line = body[i]
        group = _group_heading(line)
        heading_lines = 1
        if group is None and roman_value(line.text) is not None and len(line.text) <= 4:
            # "VI" on its own line, the heading in capitals on the next one or two
            caps = [ln for ln in body[i + 1 : i + 3] if _is_upperish(ln.text)]
            for n in (1, 2):
                joined = " ".join(ln.key for ln in caps[:n])
                if len(caps) >= n and area_of(joined) is not None:
                    group, heading_lines = area_of(joined), 1 + n
        if group is None and _is_upperish(line.text) and len(line.text) > 8:
            nxt = body[i + 1] if i + 1 < len(body) else None
            both = line.key + " " + (nxt.key if nxt is not None else "")
            if (
                nxt is not None
                and _is_upperish(nxt.text)
                and area_of(both) is not None
                and (area_of(line.key) is None and "cai cach" in both or "chinh phu" in line.key)
            ):
                group, heading_lines = area_of(both), 2
        if group is not None:
            flush()
            chunk = []
            area = group
            start = i
            i += heading_lines
            # a wrapped heading: its next line in capitals too ("ĐIỆN TỬ, CHÍNH PHỦ SỐ")
            while (
                i < len(body)
                and _is_upperish(body[i].text)
                and len(body[i].text) < 40
                and not re.match(r"^\d", body[i].text)
            ):
                if _UNIT_START.match(body[i].key) or _PRODUCT_START.match(body[i].key):
                    break
                i += 1
            words = [ln.text for ln in body[start:i]]
            table.rows.append(
                TableRow(
                    kind="group",
                    area=group,
                    content=[" ".join(words)],
                    first=body[start].no,
                    last=body[i - 1].no,
                    text=" ".join(words),
                )
            )
            continue
        chunk.append(line)
        i += 1
    flush()


def task_tables(lines: list[_Line], appendix_at: int) -> list[Table]:
    """The document's task table: " | " rows anywhere from the appendix on (from the start without an
    appendix), else a flattened table under the appendix heading."""
    table = pipe_table(lines, appendix_at if appendix_at >= 0 else 0)
    if table is not None and table.body:
        return [table]
    table = flat_table(lines, appendix_at)
    return [table] if table is not None else []


__all__ = ["HEADER_KEYS", "Table", "TableRow", "flat_table", "pipe_table", "task_tables"]
