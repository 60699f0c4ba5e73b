"""Sections of a document: each heading opens a section that runs to the next heading at its level or
above. A numbered line is a heading when its title is short and names a part of a plan, or is in
capitals; a long numbered line is a list item inside its section."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cchc.docimport.structure.headings import (
    LEVEL_ARTICLE,
    LEVEL_BULLET,
    LEVEL_LETTER,
    LEVEL_ROMAN,
    Numbered,
    _upperish,
    classify,
    numbered,
)


@dataclass
class Section:
    index: int  # index of the heading line in the lines list
    level: int
    label: str
    title: str
    kinds: frozenset[str]
    end: int = 0  # index after the section's last line
    children: list[Section] = field(default_factory=list)

    @property
    def line_no(self) -> int:
        return self.index + 1


def _is_heading(n: Numbered, text: str, key: str) -> bool:
    if n.level == LEVEL_BULLET:
        return False
    rest_key = key[len(key) - len(n.rest) :] if n.rest else ""
    words = len(n.rest.split())
    kinds = classify(rest_key)
    if n.level == LEVEL_ROMAN:
        return words <= 16 and (_upperish(n.rest) or bool(kinds))
    if n.level == LEVEL_ARTICLE:
        return True
    if "%" in n.rest:
        return False
    if kinds and words <= 10 and not n.rest.rstrip().endswith((";", ",")):
        return True
    return n.level < LEVEL_LETTER and _upperish(n.rest) and 1 <= words <= 14


def outline(lines) -> list[Section]:
    """Flat list of sections in document order (``children`` holds the nesting)."""
    found: list[Section] = []
    for index, line in enumerate(lines):
        text = line.text
        if not text:
            continue
        if re.match(r"^(?:phu luc|danh muc nhiem vu)\b", line.key) and _upperish(text):
            found.append(Section(index, LEVEL_ARTICLE - 1, "", text, frozenset({"appendix"})))
            continue
        n = numbered(text)
        if n is None or not _is_heading(n, text, line.key):
            continue
        key_rest = line.key[len(line.key) - len(n.rest) :] if n.rest else ""
        found.append(Section(index, n.level, n.label, n.rest, classify(key_rest)))
    for i, section in enumerate(found):
        section.end = len(lines)
        for later in found[i + 1 :]:
            if later.level <= section.level:
                section.end = later.index
                break
    stack: list[Section] = []
    for section in found:
        while stack and stack[-1].end <= section.index:
            stack.pop()
        if stack:
            stack[-1].children.append(section)
        stack.append(section)
    return found


def section_ranges(section: Section, keep: str) -> list[tuple[int, int]]:
    """Line ranges of a section without its sub-sections that are about something else than ``keep``
    (a "Mục đích" sub-section inside "I. MỤC ĐÍCH, YÊU CẦU VÀ CHỈ TIÊU")."""
    ranges: list[tuple[int, int]] = []
    cursor = section.index + 1
    for child in section.children:
        if child.kinds and keep not in child.kinds:
            if cursor < child.index:
                ranges.append((cursor, child.index))
            cursor = max(cursor, child.end)
    if cursor < section.end:
        ranges.append((cursor, section.end))
    return ranges
