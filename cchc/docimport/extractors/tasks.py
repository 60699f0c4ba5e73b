"""Tasks written as numbered paragraphs instead of a table ("1. Công khai … / Chủ trì: Văn phòng …
Thời gian: Quý I/2027."), in any section about tasks.

``inline_tasks(lines, sections, restored)`` is used only when no task table was found.
"""

from __future__ import annotations

import re

from cchc.core.text import fold
from cchc.docimport.extractors.tables import _split_units
from cchc.docimport.model import DraftTask
from cchc.docimport.structure import Section, numbered
from cchc.docimport.structure.headings import LEVEL_ARABIC, LEVEL_BULLET, LEVEL_LETTER
from cchc.docimport.vocab import area_of

_FIELDS = {
    "lead": r"(?:cơ quan |đơn vị )?chủ trì",
    "partners": r"(?:cơ quan |đơn vị )?phối hợp",
    "time": r"thời gian(?: hoàn thành| thực hiện)?|thời hạn|tiến độ",
    "product": r"sản phẩm|kết quả",
}
_FIELD_RE = re.compile(
    r"(?i)(?:^|[.;]\s+|\s+)(" + "|".join(f"(?P<{k}>{v})" for k, v in _FIELDS.items()) + r")\s*:\s*"
)
_ROMAN_QUARTER = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def quarter_roman(text: str) -> str:
    """ "Quý 1/2027" (or OCR of "Quý I") → "Quý I/2027", the way plans write quarters."""
    return re.sub(
        r"(?i)\b(quý)\s*([1-4])(?=\s*/\s*\d{4})",
        lambda m: m.group(1) + " " + _ROMAN_QUARTER[m.group(2)],
        text,
    )


_AREA_START = re.compile(
    r"^(?:cai cach|cong tac chi dao|xay dung (?:va phat trien )?chinh (?:quyen|phu)|chuyen doi so|"
    r"chinh quyen so|hien dai hoa)"
)


def _is_area_heading(text: str) -> bool:
    """ "1. Cải cách thủ tục hành chính" heads a group of tasks; "4. Kiểm tra công vụ …" is a task."""
    key = fold(text).strip(" .:")
    return (
        len(key.split()) <= 10
        and bool(_AREA_START.match(key))
        and area_of(key) is not None
        and ":" not in text
    )


def split_fields(text: str) -> tuple[str, dict[str, str]]:
    """ "Số hóa hồ sơ. Chủ trì: Phòng A. Thời gian: Quý II/2027." → content and the labelled fields."""
    matches = list(_FIELD_RE.finditer(text))
    if not matches:
        return text.strip(" .;"), {}
    content = text[: matches[0].start()].strip(" .;")
    fields: dict[str, str] = {}
    for m, nxt in zip(matches, matches[1:] + [None], strict=False):
        name = next(k for k in _FIELDS if m.group(k))
        value = text[m.end() : nxt.start() if nxt else len(text)].strip(" .;")
        fields[name] = value
    return content, fields


def inline_tasks(lines, sections: list[Section], restored: bool):
    tasks = []
    for section in sections:
        if "tasks" not in section.kinds or "targets" in section.kinds or section.level > LEVEL_ARABIC:
            continue
        if any("tasks" in s.kinds and s.index < section.index < s.end for s in sections if s is not section):
            continue
        items: list[list] = []
        area = area_of(fold(section.title)) or 0
        for line in lines[section.index + 1 : section.end]:
            if not line.text:
                continue
            n = numbered(line.text)
            if n is not None and n.level in (LEVEL_ARABIC, LEVEL_LETTER, LEVEL_BULLET) and n.rest:
                if _is_area_heading(n.rest):
                    area = area_of(fold(n.rest))  # "1. Cải cách thủ tục hành chính" heads a group
                    continue
                items.append([n.label, n.rest, line.no, line.no, area])
            elif items:
                items[-1][1] += " " + line.text
                items[-1][3] = line.no
        with_fields = [split_fields(text) for _label, text, *_rest in items]
        if not any(fields for _c, fields in with_fields):
            continue
        for (label, _text, first, last, item_area), (content, fields) in zip(items, with_fields, strict=True):
            if len(fold(content)) < 8:
                continue
            confidence = 0.7 if fields.get("lead") else 0.5
            if restored:
                confidence -= 0.05
            tasks.append(
                DraftTask(
                    area=item_area,
                    number=label if label not in "-+•*–" else "",
                    content=content,
                    lead=_split_units(fields["lead"]) if fields.get("lead") else [],
                    partners=_split_units(fields["partners"]) if fields.get("partners") else [],
                    product=fields.get("product", ""),
                    time_text=quarter_roman(fields.get("time", "")),
                    lines=(first, last),
                    confidence=round(confidence, 2),
                    restored=restored,
                )
            )
    return tasks
