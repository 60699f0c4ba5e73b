"""Roman sections of a period plan (mục đích, mục tiêu và nhiệm vụ, tổ chức thực hiện) and the appendix heading."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cchc.docimport.extractors.tables import _table_header_end
from cchc.docimport.structure.lines import _Line
from cchc.docimport.vocab import _is_upperish, roman_value

# -------------------------------------------------------------------------------------- sections


@dataclass
class _Section:
    kind: str  # purpose | goals | solutions | budget | implementation | appendix | other
    start: int  # index into lines (heading line)
    end: int = 0


_ROMAN_HEAD = re.compile(r"^([ivxl1|]{1,4})(?:\s*[.):|]\s*|\s+)(.+)$")


def _section_kind(rest: str) -> str:
    if "muc dich" in rest:
        return "purpose"
    if "to chuc thuc hien" in rest:
        return "implementation"
    if re.search(r"muc tieu|chi tieu|nhiem vu", rest):
        return "goals"
    if "giai phap" in rest:
        return "solutions"
    if "kinh phi" in rest:
        return "budget"
    return "other"


def _find_sections(lines: list[_Line], appendix_at: int) -> list[_Section]:
    sections: list[_Section] = []
    limit = appendix_at if appendix_at >= 0 else len(lines)
    for index, line in enumerate(lines[:limit]):
        m = _ROMAN_HEAD.match(line.key)
        if not m or roman_value(m.group(1)) is None:
            continue
        rest = m.group(2)
        if len(rest.split()) > 14:
            continue
        original_rest = (
            line.text[len(line.text) - len(m.group(2)) :] if len(line.text) >= len(m.group(2)) else ""
        )
        if re.fullmatch(r"[1l|]+", m.group(1)) and not _is_upperish(original_rest):
            continue  # "1. Mục đích" is not "I. MỤC ĐÍCH"
        if not re.match(r"^\S+\s*[.):|]", line.key) and not _is_upperish(original_rest):
            continue  # without "." only a heading in capitals ("II MỤC TIÊU …" from OCR)
        kind = _section_kind(rest)
        if kind == "other" and not _is_upperish(original_rest):
            continue
        sections.append(_Section(kind, index))
    for i, section in enumerate(sections):
        section.end = sections[i + 1].start if i + 1 < len(sections) else limit
    return sections


def _find_appendix(lines: list[_Line]) -> int:
    """Index of the appendix heading ("DANH MỤC NHIỆM VỤ …", "Phụ lục"), -1 if there is none."""
    for index, line in enumerate(lines):
        key = line.key
        if not re.match(r"^(phu luc|danh muc)\b", key):
            continue
        header = _table_header_end(lines, index) is not None
        if header or (
            _is_upperish(line.text) and "nhiem vu" in " ".join(ln.key for ln in lines[index : index + 3])
        ):
            return index
    return -1
