"""Targets wherever a plan puts them: in any section whose title names "mục tiêu" or "chỉ tiêu" (at
any level: "I. MỤC ĐÍCH, YÊU CẦU VÀ CHỈ TIÊU" › "2. Một số chỉ tiêu chủ yếu"), as lettered, numbered
or bulleted items or inside goal paragraphs, several quantities to a sentence; "phấn đấu … nhóm dẫn
đầu" is kept as a target without a number.

``targets_in_sections(lines, sections, restored)`` returns (targets, sections read without a target).
"""

from __future__ import annotations

import re

from cchc.core.text import fold
from cchc.docimport.extractors.target_rules import _deadline, _measure, _metric
from cchc.docimport.model import DraftTarget
from cchc.docimport.structure import Section, classify, numbered, section_ranges
from cchc.docimport.structure.headings import LEVEL_BULLET
from cchc.docimport.vocab import area_of

# a quantity: "100%", "từ 98%", "tối thiểu 80%", "trên 90%"
_QUANTITY = re.compile(r"\d{1,3}(?:[.,]\d+)?\s*%")
# a goal without a number a reviewer can still check at the year's end
_RANKING = re.compile(
    r"\b(?:nhom dan dau|nhom dau|dung dau|dan dau|top \d+|thu hang cao|xep hang cao|nhom cao)\b"
)
# where one sentence carries the next quantity: ", đồng thời …", "; …", "… và tỷ lệ …"
_JOINS = re.compile(r",?\s+đồng thời\s+|;\s+|,?\s+và\s+(?=[^,.;]*?\d{1,3}(?:[.,]\d+)?\s*%)", re.IGNORECASE)
_LEAD_IN = re.compile(
    r"^(?:năm \d{4},?\s*)?(?:[^,]{0,40}?\b(?:phấn đấu|tiếp tục|bảo đảm|đảm bảo)\s+)(?=\d{1,3}\s*%)",
    re.IGNORECASE,
)


def _items(lines, ranges: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Items of the ranges: a numbered, lettered or bulleted line starts one, other lines continue it;
    a blank line ends a paragraph. Sub-headings are left out."""
    items: list[list] = []
    for start, end in ranges:
        current = None
        for line in lines[start:end]:
            if not line.text:
                current = None
                continue
            n = numbered(line.text)
            if n is not None and n.rest:
                kinds = classify(fold(n.rest))
                if kinds and len(n.rest.split()) <= 10 and not _QUANTITY.search(n.rest):
                    current = None  # a sub-heading ("1. Mục tiêu chung")
                    continue
                current = [n.rest, line.no, line.no]
                items.append(current)
                continue
            if current is None or (n is None and line.text[:1].isupper() and current[0].endswith(".")):
                current = [line.text, line.no, line.no]
                items.append(current)
            else:
                current[0] = current[0] + " " + line.text
                current[2] = line.no
    return [(text, first, last) for text, first, last in items]


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9])", text)
    return [p.strip() for p in parts if p.strip()]


def split_quantities(sentence: str) -> list[str]:
    """One sentence → one piece per quantity; a piece without a quantity joins the next one."""
    pieces = [p.strip(" ,.;") for p in _JOINS.split(sentence) if p and p.strip(" ,.;")]
    out: list[str] = []
    pending = ""
    for piece in pieces:
        piece = (pending + " và " + piece) if pending else piece
        pending = ""
        if _QUANTITY.search(piece):
            out.append(piece)
        else:
            pending = piece
    if pending:
        if out and not _RANKING.search(fold(pending)):
            out[-1] = out[-1] + "; " + pending
        else:
            out.append(pending)
    return out


def targets_from_text(items, area: int, restored: bool):
    out = []
    for text, first, last in items:
        for sentence in _sentences(text):
            for piece in split_quantities(sentence):
                piece = _LEAD_IN.sub("", piece).strip(" ,.;")
                key = fold(piece)
                if len(key) < 8:
                    continue
                comparator, threshold, unit = _measure(piece)
                if comparator == "text" or not _QUANTITY.search(piece):
                    if not _RANKING.search(key):
                        continue
                    comparator, threshold, unit, confidence = "text", None, "", 0.55
                else:
                    confidence = 0.8
                if restored:
                    confidence *= 0.9
                out.append(
                    DraftTarget(
                        area=area,
                        text=piece[:1].upper() + piece[1:],
                        metric=_metric(piece, comparator),
                        comparator=comparator,
                        threshold=threshold,
                        unit=unit,
                        deadline_year=_deadline(key),
                        lines=(first, last),
                        confidence=round(confidence, 2),
                        restored=restored,
                    )
                )
    return out


_TARGET_HEADER = re.compile(r"^(?:ten |noi dung )?chi tieu\b")
_VALUE = re.compile(r"\d{1,3}(?:[.,]\d+)?\s*%|nhom dan dau|dan dau")


def _value_measure(value: str) -> tuple[str, float | None, str]:
    """ "≥ 98%" → gte 98; "≤ 5%" → lte; "100%" → eq; "Tối thiểu 80%", "Giảm 15%" as in a sentence."""
    m = re.search(r"(\d{1,3}(?:[.,]\d+)?)\s*%", value)
    if m and re.search(r"[≥>]|>=", value[: m.start()]):
        return "gte", float(m.group(1).replace(",", ".")), "%"
    if m and re.search(r"[≤<]|<=", value[: m.start()]):
        return "lte", float(m.group(1).replace(",", ".")), "%"
    return _measure(value)


def targets_in_tables(lines, restored: bool) -> list:
    """Targets given as a table (an appendix "TT | Chỉ tiêu | Năm 2027 | …"): one target per row, the
    indicator from the "Chỉ tiêu" column, comparator and threshold from the first cell with a value."""
    out = []
    name_col = None
    for line in lines:
        if "|" not in line.text:
            name_col = None if not line.text.strip() else name_col
            continue
        cells = [c.strip() for c in line.text.split("|")]
        keys = [fold(c) for c in cells]
        header = [i for i, k in enumerate(keys) if _TARGET_HEADER.match(k)]
        if header and not any(re.search(r"noi dung|nhiem vu|chu tri", k) for k in keys):
            name_col = header[0]
            continue
        if name_col is None or name_col >= len(cells):
            continue
        name = cells[name_col]
        values = [c for i, c in enumerate(cells) if i != name_col and _VALUE.search(fold(c))]
        if len(fold(name)) < 8 or not values:
            continue
        comparator, threshold, unit = _value_measure(values[0])
        if comparator == "text" and not _RANKING.search(fold(values[0])):
            continue
        out.append(
            DraftTarget(
                area=area_of(fold(name)) or 0,
                text=name,
                metric=name[:200],
                comparator=comparator,
                threshold=threshold,
                unit=unit,
                lines=(line.no, line.no),
                confidence=round(0.8 * (0.9 if restored else 1), 2),
                restored=restored,
            )
        )
    return out


def target_sections(sections: list[Section]) -> list[Section]:
    """The sections about targets, outermost first, without one nested in another already taken."""
    chosen: list[Section] = []
    for section in sections:
        if "targets" not in section.kinds or section.level >= LEVEL_BULLET:
            continue
        if any(c.index < section.index < c.end for c in chosen):
            continue
        chosen.append(section)
    return chosen


def targets_in_sections(lines, sections: list[Section], restored: bool):
    found, empty = [], []
    for section in target_sections(sections):
        ranges = section_ranges(section, "targets")
        # inside "MỤC TIÊU VÀ NHIỆM VỤ": only sub-sections about targets, not the task parts
        items = _items(lines, ranges)
        area = area_of(fold(section.title)) or 0
        targets = targets_from_text(items, area, restored)
        for target in targets:
            if not target.area:
                target.area = _area_around(lines, section, target.lines[0] - 1)
        if targets:
            found.extend(targets)
        else:
            empty.append(section)
    return found, empty


def _area_around(lines, section: Section, index: int) -> int:
    """Area named by the nearest short numbered line above a target inside its section ("1. Cải cách
    thủ tục hành chính" › "a) Mục tiêu" › the target), 0 when none names one."""
    for i in range(index - 1, section.index, -1):
        n = numbered(lines[i].text)
        if n is None or n.level >= LEVEL_BULLET or not n.rest or len(n.rest.split()) > 12:
            continue
        area = area_of(fold(n.rest))
        if area is not None:
            return area
    return 0
