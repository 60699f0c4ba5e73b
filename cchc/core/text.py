"""Vietnamese text helpers: NFC normalisation and accent folding for search and matching.

OCR'd plans lose their diacritics ("Cai cach thu tuc hanh chinh"), so every comparison of names
and every search runs on the folded form: no combining marks, đ → d, lower case, single spaces.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def nfc(text: str | None) -> str:
    """Unicode NFC with collapsed white space; what every stored Vietnamese string looks like."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def fold(text: str | None) -> str:
    """Accent- and case-insensitive form: "Phòng Văn hóa – Xã hội" → "phong van hoa – xa hoi"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped.lower()).strip()


def fold_key(text: str | None) -> str:
    """Folded and without punctuation, for matching names typed in different ways.

    "Phòng Văn hóa - Xã hội", "phong van hoa – xa hoi" and "Phòng Văn hoá, Xã hội" share one key.
    """
    folded = fold(text)
    return _SPACES.sub(" ", _PUNCT.sub(" ", folded)).strip()
