"""Stage 1 of the parse: the text → clean lines (NFC, single spaces), diacritics restored for OCR text, each with its folded key."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from cchc.core.text import fold
from cchc.docimport.restore import _RICH, WORD_RE, restore_diacritics

# ------------------------------------------------------------------------------------------- lines


@dataclass
class _Line:
    no: int  # 1-based
    text: str  # NFC (restored when the document had lost its diacritics), single spaces, stripped
    key: str  # folded: lower case, no marks, đ → d


def _norm_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def has_diacritics(text: str) -> bool:
    """Whether text was typed with Vietnamese diacritics (OCR text keeps only stray Latin-1 marks)."""
    words = WORD_RE.findall(text)
    letters = [w for w in words if any(ch.isalpha() for ch in w)]
    if not letters:
        return True
    rich = sum(1 for w in letters if any(ch in _RICH for ch in w.lower()))
    return rich / len(letters) >= 0.12


_OCR_GLUE = re.compile(r"(?<=[^\W\d_])[&$](?=[\s,.;:)]|$)")


def _prepare(text: str) -> tuple[list[str], list[_Line], bool]:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    raw = text.split("\n")
    restored = False
    work = raw
    if not has_diacritics(text):
        fixed, restored = restore_diacritics(text)
        work = fixed.split("\n")
        if len(work) != len(raw):  # restoration keeps line breaks; guard anyway
            work, restored = raw, False
    lines = []
    for index, line in enumerate(work):
        clean = _norm_space(line.replace("\u00a0", " "))
        if restored:
            clean = _OCR_GLUE.sub("", clean)
        lines.append(_Line(index + 1, clean, fold(clean)))
    return raw, lines, restored
