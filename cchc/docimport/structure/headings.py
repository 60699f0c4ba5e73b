"""Numbering of a line: Roman, Arabic (1. / 1.2.), lettered (a) …), "Điều N", bullets — with the OCR
noise scans put into them ("IL." for "II.", "IIL." for "III.", "¢)" for "c)", "Piéu" for "Điều")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cchc.core.text import fold

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
ROMAN_NAMES = {value: name.upper() for name, value in ROMAN.items()}
# OCR reads the last stroke of a Roman numeral as "L", "l", "1" or "|"
_ROMAN_TOKEN = re.compile(r"^([IVXLl1|]{1,5})\s*[.:)]\s*(.*)$")
_ROMAN_BARE = re.compile(r"^([IVX][IVXLl1|]{0,4})\s+(\S.*)$")  # "II MỤC TIÊU" (OCR lost the dot)
_ARABIC = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s*(?:[.)]|\s-)\s*(.*)$")
_LETTER = re.compile(r"^([a-zđ¢©])\s*[)]\s*(.*)$", re.IGNORECASE)
_LETTER_DOT = re.compile(r"^([a-hđ])\s*[.]\s+(.*)$")
_ARTICLE = re.compile(r"^(?:dieu|pieu|bieu|dleu)\s*(\d{1,2})\s*[.:]\s*(.*)$")  # on the folded line
_BULLET = re.compile(r"^([-+•*–])\s*(.*)$")

LEVEL_ARTICLE, LEVEL_ROMAN, LEVEL_ARABIC, LEVEL_LETTER, LEVEL_BULLET = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Numbered:
    level: int  # 0 Điều, 1 Roman, 2 Arabic (deeper "1.2." still 2 + depth), 3 lettered, 4 bullet
    label: str  # normalised: "II", "2", "2.1", "c", "-"
    rest: str  # the text after the numbering
    noisy: bool = False  # the numbering was repaired


def roman(token: str) -> tuple[int | None, bool]:
    """Value of an OCR'd Roman numeral and whether it had to be repaired."""
    t = token.lower()
    if t in ROMAN:
        return ROMAN[t], False
    fixed = t.replace("|", "i").replace("1", "i").replace("l", "i")
    if fixed in ROMAN and re.search(r"[iv x]", t):
        return ROMAN[fixed], True
    return None, False


def numbered(text: str) -> Numbered | None:
    """The numbering at the start of a line, or None for a line that is not numbered."""
    text = text.strip()
    if not text:
        return None
    m = _ARTICLE.match(fold(text))
    if m:
        rest = text[len(text) - len(m.group(2)) :].strip() if m.group(2) else ""
        return Numbered(LEVEL_ARTICLE, m.group(1), rest, not fold(text).startswith("dieu"))
    m = _ROMAN_TOKEN.match(text)
    if m and not re.fullmatch(r"[1l|]+", m.group(1)):
        value, noisy = roman(m.group(1))
        if value is not None:
            return Numbered(LEVEL_ROMAN, ROMAN_NAMES[value], m.group(2).strip(), noisy)
    m = _ROMAN_BARE.match(text)
    if m and _upperish(m.group(2)):
        value, noisy = roman(m.group(1))
        if value is not None:
            return Numbered(LEVEL_ROMAN, ROMAN_NAMES[value], m.group(2).strip(), True)
    m = _ARABIC.match(text)
    if m and not re.match(r"\d", m.group(2) or "x") or (m and "%" in (m.group(2) or "")[:6]):
        label = m.group(1)
        return Numbered(LEVEL_ARABIC + label.count("."), label, m.group(2).strip())
    m = _LETTER.match(text) or _LETTER_DOT.match(text)
    if m:
        letter = m.group(1).lower()
        noisy = letter in "¢©"
        return Numbered(LEVEL_LETTER, "c" if noisy else letter, m.group(2).strip(), noisy)
    m = _BULLET.match(text)
    if m and m.group(2):
        return Numbered(LEVEL_BULLET, m.group(1), m.group(2).strip())
    return None


def _upperish(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.75 * len(letters)


# what a section is about, by the words of its title (folded: no accents, lower case)
_KINDS = (
    ("appendix", r"^(?:phu luc|danh muc nhiem vu)\b"),
    ("purpose", r"\bmuc dich\b|\byeu cau\b"),
    ("targets", r"\bmuc tieu\b|\bchi tieu\b"),
    ("tasks", r"\bnhiem vu\b|\bnoi dung\b|\bnhiem vu trong tam\b"),
    ("solutions", r"\bgiai phap\b"),
    ("budget", r"\bkinh phi\b"),
    ("implementation", r"\bto chuc thuc hien\b|\btrach nhiem\b"),
)


def classify(title_key: str) -> frozenset[str]:
    """The kinds a heading's (folded) title names: "muc dich, yeu cau va chi tieu" → {purpose, targets}."""
    key = title_key.strip()
    if len(key.split()) > 16:
        return frozenset()
    return frozenset(kind for kind, pattern in _KINDS if re.search(pattern, key))
