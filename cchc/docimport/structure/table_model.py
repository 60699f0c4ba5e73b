"""The table node of the structure model: header rows, body rows, cells by column, source lines.

A table is read the same way whatever it came from (a Word or PDF table as " | " rows, a table
flattened one cell per line, OCR lines whose columns interleave); the task extractor reads only these
nodes. The column of a header cell is named from its words in any accent state ("Cơ quan chủ trì",
"CO QUAN CHU TRI", "Đơn vị thực hiện" → lead), and a header repeated on a later page — also when OCR
garbled it ("N0I DUNG | Co quan chu trl") — is told from a body row by its words' similarity to the
table's first header, so a table split over pages stays one table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from cchc.core.text import fold

COLUMNS = ("number", "content", "lead", "partner", "product", "time")

# folded header words → column; checked in this order, so "Cơ quan phối hợp" is a partner column
HEADER_KEYS = {
    "content": r"noi dung|ten nhiem vu|nhiem vu",
    "lead": r"chu tri|^(?:don vi|co quan|bo phan)? ?thuc hien$",
    "partner": r"phoi hop",
    "product": r"san pham|ket qua",
    "time": r"thoi gian|thoi han|tien do",
    "number": r"^(stt|tt|so tt)$",
}
# the same words inside a flattened header's running text (no cell boundaries, no anchors)
_FLAT_KEYS = {
    "lead": r"chu tri|(?:don vi|co quan|bo phan) thuc hien",
    "partner": r"phoi hop",
    "product": r"san pham|ket qua",
    "time": r"thoi gian|thoi han|tien do",
}
HEADER_VOCABULARY = frozenset(
    [
        "stt",
        "tt",
        "so",
        "noi",
        "dung",
        "ten",
        "nhiem",
        "vu",
        "co",
        "quan",
        "don",
        "vi",
        "bo",
        "phan",
        "chu",
        "tri",
        "phoi",
        "hop",
        "thuc",
        "hien",
        "san",
        "pham",
        "ket",
        "qua",
        "dau",
        "ra",
        "thoi",
        "gian",
        "han",
        "tien",
        "do",
        "hoan",
        "thanh",
        "du",
        "kien",
        "ghi",
        "chu",
    ]
)


@dataclass
class TableRow:
    """One row of a table. ``kind`` is "header", "numbering" (the "(1) (2) (3)" row), "group" (a
    row merged across the table that names an area) or "body"; cells hold the row's text per column,
    one fragment per source line for multi-line cells."""

    number: str = ""
    marker: str = ""  # "-" / "+" for sub-items
    content: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    partner: list[str] = field(default_factory=list)
    product: list[str] = field(default_factory=list)
    time: list[str] = field(default_factory=list)
    first: int = 0
    last: int = 0
    area: int | None = None
    confidence: float = 0.9
    notes: list[str] = field(default_factory=list)
    kind: str = "body"
    text: str = ""  # the row as read, for a reviewer (what a skipped row said)

    def cells(self) -> dict[str, str]:
        """Column → the cell's text, fragments joined."""
        out = {"number": self.number}
        for name in COLUMNS[1:]:
            out[name] = " ".join(part for part in getattr(self, name) if part).strip()
        return out

    def shown(self) -> str:
        """The row's text for the review page: as read, else its cells."""
        if self.text:
            return self.text
        return " | ".join(v for v in self.cells().values() if v)


@dataclass
class Table:
    source: str  # pipes | vertical | interleaved
    columns: list[str]  # column names in the order of the header
    header: list[TableRow] = field(default_factory=list)  # first header, then its repeats on later pages
    rows: list[TableRow] = field(default_factory=list)  # body and group rows in document order
    notes: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Pieces of the table: its first header and each header repeated after a page break."""
        return max(1, sum(1 for row in self.header if row.kind == "header"))

    @property
    def body(self) -> list[TableRow]:
        return [row for row in self.rows if row.kind == "body"]

    @property
    def lines(self) -> tuple[int, int]:
        every = [r for r in self.header + self.rows if r.first]
        if not every:
            return (0, 0)
        return (min(r.first for r in every), max(r.last or r.first for r in every))


def column_of(cell: str) -> str | None:
    """Column a header cell names, from its words in any accent state."""
    key = fold(cell).strip()
    for name, pattern in HEADER_KEYS.items():
        if re.search(pattern, key):
            return name
    return None


def header_columns(cells: list[str]) -> dict[int, str]:
    """Cell index → column for a header row, whatever the columns' order and number; a column name
    is given to its first cell only."""
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        key = fold(cell).strip()
        for name, pattern in HEADER_KEYS.items():
            if name not in found.values() and re.search(pattern, key):
                found[i] = name
                break
    return found


def column_order(header_key: str) -> list[str]:
    """Order of the columns after the content in a flattened header's folded text. With all four of
    lead, partner, product and time named, their order is the header's; otherwise lead and partner
    come first and the product and time keep the order the header gives them."""
    positions = {}
    for name, pattern in _FLAT_KEYS.items():
        m = re.search(pattern, header_key)
        if m:
            positions[name] = m.start()
    if len(positions) == 4:
        return ["content", *sorted(positions, key=positions.get)]
    order = ["content", "lead", "partner"]
    product, time = positions.get("product"), positions.get("time")
    if product is not None and time is not None and time < product:
        return [*order, "time", "product"]
    return [*order, "product", "time"]


@lru_cache(maxsize=4096)
def _close(a: str, b: str) -> bool:
    """Same word, or one OCR slip away (one letter changed, dropped or added) for words of 3+ letters."""
    if a == b:
        return True
    if min(len(a), len(b)) < 3 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _words(key: str) -> list[str]:
    # OCR reads o as 0 and l as 1 in headers ("N0I DUNG", "chu tr1")
    return re.findall(r"[a-z0-9]+", key.replace("0", "o").replace("1", "l"))


_HEADER_PHRASES = (
    ("stt",),
    ("noi", "dung"),
    ("chu", "tri"),
    ("phoi", "hop"),
    ("san", "pham"),
    ("ket", "qua"),
    ("thoi", "gian"),
    ("tien", "do"),
)


def _phrases_in(words: list[str]) -> int:
    """Header phrases ("noi dung", "chu tri" …) in the words, each word through one OCR slip."""
    found = 0
    for phrase in _HEADER_PHRASES:
        n = len(phrase)
        if any(all(_close(words[i + k], phrase[k]) for k in range(n)) for i in range(len(words) - n + 1)):
            found += 1
    return found


def header_similarity(key: str, header_key: str = "") -> float:
    """How much a folded line reads like a table header: the share of its words that are usual
    header words, each through one OCR slip. 1.0 for a header, near 0 for a body row."""
    words = _words(key)
    if not words:
        return 0.0
    vocabulary = HEADER_VOCABULARY
    hits = sum(1 for w in words if w in vocabulary or (len(w) >= 4 and any(_close(w, v) for v in vocabulary)))
    return hits / len(words)


def is_repeated_header(key: str, header_key: str = "") -> bool:
    """A header repeated after a page break, in any accent state and through OCR noise: three of the
    columns' names as written (the old test), or three header phrases read through OCR slips in a
    line made mostly of header words."""
    named = sum(1 for pattern in HEADER_KEYS.values() if re.search(pattern, key))
    if named >= 3:
        return True
    words = _words(key)
    if not 4 <= len(words) <= 24 or sum(w in HEADER_VOCABULARY for w in words) < 0.4 * len(words):
        return False  # most lines of a table: not worth the OCR-tolerant comparison
    return header_similarity(key) >= 0.7 and _phrases_in(words) >= 3
