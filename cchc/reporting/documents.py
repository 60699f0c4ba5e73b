"""Official administrative reports in the form of Decree 30/2020/NĐ-CP, written as .docx and .xlsx.

The caller builds a :class:`ReportDocument` (already worded and numbered) and gets bytes back:

* :func:`render_docx` lays it out as Phụ lục I of Decree 30 prescribes: A4 portrait, margins
  2/2/3/2 cm, Times New Roman, the two-column header block (agency / national title, number /
  place and date), the document type and subject, the body, the signature block with "Nơi nhận",
  page numbers centred in the header from page 2 on, and each annex on its own landscape pages
  (numbered separately, as Decree 30 asks for annexes).
* :func:`render_xlsx` writes the same content as a workbook: one narrative sheet "Báo cáo", then
  one sheet per annex table.

Everything is self-contained: no Django, no database, only python-docx and openpyxl (cells are
written through :mod:`cchc.core.xlsx`, which needs neither).
"""

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from math import ceil

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from cchc.core.xlsx import put, put_text_or_number

__all__ = ["ReportDocument", "Section", "Table", "render_docx", "render_xlsx"]


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    widths_cm: list[float] | None = None
    title: str = ""
    subtitle: str = ""
    note: str = ""


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    subsections: list["Section"] = field(default_factory=list)
    table: Table | None = None


@dataclass
class ReportDocument:
    superior_name: str
    issuer_name: str
    issuer_short: str
    number: str
    place: str
    issued_on: date
    kind_title: str
    subject: str
    recipients: list[str]
    intro: list[str]
    sections: list[Section]
    annexes: list[Table]
    signer_authority: str
    signer_title: str
    signer_name: str
    distribution: list[str]
    draft: bool = False


# ---------------------------------------------------------------------------------------------
# Wording shared by both writers
# ---------------------------------------------------------------------------------------------

FONT_NAME = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT_MARK = "DỰ THẢO"
# Where the number goes when it has not been issued yet: the clerk writes it in by hand.
BLANK_NUMBER = " " * 6

# Abbreviations of document types (Decree 30/2020, Phụ lục III); BC for anything unknown.
_KIND_ABBREVIATIONS = {
    "BÁO CÁO": "BC",
    "KẾ HOẠCH": "KH",
    "TỜ TRÌNH": "TTr",
    "THÔNG BÁO": "TB",
    "QUYẾT ĐỊNH": "QĐ",
    "CHƯƠNG TRÌNH": "CTr",
    "ĐỀ ÁN": "ĐA",
    "PHƯƠNG ÁN": "PA",
    "HƯỚNG DẪN": "HD",
    "BIÊN BẢN": "BB",
    "KẾT LUẬN": "KL",
}

_ROMAN = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_CELL = re.compile(rf"^(?=[IVXLCDM])({_ROMAN})\.?$")
_ROMAN_LEAD = re.compile(rf"^(?=[IVXLCDM])({_ROMAN})[.:]\s+\S")
_NUMERIC_CELL = re.compile(r"^[\d\s.,%/+\-–≥≤<>~()]+$")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: object) -> str:
    """NFC text without characters XML cannot carry (both formats are XML inside)."""
    if text is None:
        return ""
    return _XML_ILLEGAL.sub("", unicodedata.normalize("NFC", str(text)))


def _symbol(document: ReportDocument) -> str:
    kind = _clean(document.kind_title).strip().upper()
    abbreviation = _KIND_ABBREVIATIONS.get(kind, "BC")
    short = _clean(document.issuer_short).strip()
    return f"{abbreviation}-{short}" if short else abbreviation


def number_line(document: ReportDocument) -> str:
    """'Số: 125/BC-UBND', or 'Số:      /BC-UBND' while the number is still blank."""
    number = _clean(document.number).strip()
    return f"Số: {number}/{_symbol(document)}" if number else f"Số:{BLANK_NUMBER}/{_symbol(document)}"


def date_line(place: str, day: date) -> str:
    """'Mao Điền, ngày 05 tháng 02 năm 2026': days below 10 and months 1-2 get a leading zero."""
    dd = f"{day.day:02d}" if day.day < 10 else str(day.day)
    mm = f"{day.month:02d}" if day.month < 3 else str(day.month)
    place = _clean(place).strip()
    if place:
        return f"{place}, ngày {dd} tháng {mm} năm {day.year}"
    return f"Ngày {dd} tháng {mm} năm {day.year}"


def _recipient_lines(recipients: Sequence[str]) -> list[str]:
    names = [_clean(r).strip() for r in recipients if _clean(r).strip()]
    names = [re.sub(r"^Kính gửi\s*:\s*", "", n, flags=re.IGNORECASE) for n in names]
    if not names:
        return []
    if len(names) == 1:
        return [f"Kính gửi: {names[0]}"]
    return ["Kính gửi:", *names]


def _group_row_kind(row: Sequence[str], width: int) -> str:
    """'' for a data row; 'split' for ['I', 'Name', '', ...]; 'whole' for ['I. Name', '', ...]."""
    if width < 2 or not row:
        return ""
    first = row[0].strip()
    rest_after_second = all(not c.strip() for c in row[2:])
    if _ROMAN_CELL.match(first) and rest_after_second:
        return "split"
    if _ROMAN_LEAD.match(first) and all(not c.strip() for c in row[1:]):
        return "whole"
    return ""


def _centred_cell(text: str, index: int) -> bool:
    """Numbers, percentages and dates are centred, so is a short first cell (STT); text is not."""
    stripped = text.strip()
    if not stripped:
        return False
    return bool(_NUMERIC_CELL.match(stripped)) or (index == 0 and len(stripped) <= 5)


def _normalised_rows(table: Table) -> list[list[str]]:
    width = len(table.columns)
    rows = []
    for row in table.rows:
        cells = [_clean(c) for c in row][:width]
        cells += [""] * (width - len(cells))
        rows.append(cells)
    return rows


# ---------------------------------------------------------------------------------------------
# Text width estimate (Times New Roman metrics, good to a few per cent) for short rules and
# for breaking long agency names at a sensible place.
# ---------------------------------------------------------------------------------------------


def _em_width(ch: str, bold: bool) -> float:
    base = unicodedata.normalize("NFD", ch)[0]
    if base == " ":
        return 0.25
    if base in "Đđ":
        return 0.72 if base == "Đ" else 0.5
    if base.isupper():
        return 0.72 if bold else 0.68
    if base.islower():
        return 0.47 if bold else 0.44
    if base.isdigit():
        return 0.5
    return 0.33


def _text_width_cm(text: str, size_pt: float, bold: bool = False) -> float:
    return sum(_em_width(ch, bold) for ch in text) * size_pt / 72 * 2.54


_NAME_PREFIXES = ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")


def _break_name(name: str, size_pt: float, bold: bool, available_cm: float) -> list[str]:
    """Lines for an agency name: the caller's own line breaks, else one line if it fits, else a
    break after 'ỦY BAN NHÂN DÂN'-like prefixes, else the most balanced break between words."""
    name = _clean(name).strip()
    if not name:
        return []
    if "\n" in name:
        return [line.strip() for line in name.splitlines() if line.strip()]
    if _text_width_cm(name, size_pt, bold) <= available_cm:
        return [name]
    upper = name.upper()
    for prefix in _NAME_PREFIXES:
        if upper.startswith(prefix + " "):
            head, tail = name[: len(prefix)], name[len(prefix) :].strip()
            if _text_width_cm(tail, size_pt, bold) <= available_cm:
                return [head, tail]
    words = name.split()
    best: list[str] = words
    for count in range(2, len(words) + 1):
        best = _balanced_lines(words, count, size_pt, bold)
        if max(_text_width_cm(line, size_pt, bold) for line in best) <= available_cm:
            break
    return best


def _balanced_lines(words: list[str], count: int, size_pt: float, bold: bool) -> list[str]:
    """Words in `count` consecutive lines, the widest line as narrow as possible."""
    n = len(words)

    def width(i: int, j: int) -> float:
        return _text_width_cm(" ".join(words[i:j]), size_pt, bold)

    # best[k][i]: (widest line, breaks) for words[i:] in k lines
    best: dict[tuple[int, int], tuple[float, list[int]]] = {}
    for i in range(n):
        best[(1, i)] = (width(i, n), [])
    for k in range(2, count + 1):
        for i in range(n - k + 1):
            options = [
                (max(width(i, j), best[(k - 1, j)][0]), [j, *best[(k - 1, j)][1]])
                for j in range(i + 1, n - k + 2)
            ]
            best[(k, i)] = min(options, key=lambda option: option[0])
    cuts = [0, *best[(count, 0)][1], n]
    return [" ".join(words[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]


# ---------------------------------------------------------------------------------------------
# .docx: low-level helpers
# ---------------------------------------------------------------------------------------------

PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
MARGIN_TOP_CM = 2.0
MARGIN_BOTTOM_CM = 2.0
MARGIN_LEFT_CM = 3.0
MARGIN_RIGHT_CM = 2.0
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM  # 16 cm
LANDSCAPE_TEXT_WIDTH_CM = PAGE_HEIGHT_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM  # 24.7 cm

BODY_PT = 14
FIRST_LINE_INDENT_CM = 1.27
BODY_LINE_PT = 18  # "exactly 18 pt": between single and 1.5 lines for 14 pt text
TABLE_PT = 12

HEADER_LEFT_CM = 6.7
HEADER_RIGHT_CM = TEXT_WIDTH_CM - HEADER_LEFT_CM  # 9.3 cm
HEADER_CELL_MARGIN_CM = 0.1
SUPERIOR_PT = 12
ISSUER_PT = 13
NUMBER_PT = 13
NATIONAL_TITLE_PT = 12
MOTTO_PT = 13
MOTTO_WIDTH_CM_PER_PT = 5.61 / 13  # measured on Times New Roman bold
DATE_PT = 14
TITLE_PT = 14

_P_PR_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_TBL_PR_ORDER = (
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
)
_SECT_PR_AFTER_PGNUMTYPE = (
    "w:cols",
    "w:formProt",
    "w:vAlign",
    "w:noEndnote",
    "w:titlePg",
    "w:textDirection",
    "w:bidi",
    "w:rtlGutter",
    "w:docGrid",
    "w:printerSettings",
    "w:sectPrChange",
)


def _insert_before(parent, child, successors: Iterable[str]) -> None:
    """Insert child before the first existing element among successors (schema order)."""
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _set_tbl_pr(tbl, tag: str, element) -> None:
    tbl_pr = tbl.tblPr
    existing = tbl_pr.find(qn(tag))
    if existing is not None:
        tbl_pr.remove(existing)
    index = _TBL_PR_ORDER.index(tag)
    _insert_before(tbl_pr, element, _TBL_PR_ORDER[index + 1 :])


def _fonts_element_to_tnr(r_fonts) -> None:
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if r_fonts.get(qn(attribute)) is not None:
            del r_fonts.attrib[qn(attribute)]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        r_fonts.set(qn(attribute), FONT_NAME)


def _format_run(run, size: float, bold: bool = False, italic: bool = False) -> None:
    r_pr = run._r.get_or_add_rPr()
    _fonts_element_to_tnr(r_pr.get_or_add_rFonts())
    run.font.size = Pt(size)
    size_cs = r_pr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        r_pr.get_or_add_sz().addnext(size_cs)
    size_cs.set(qn("w:val"), str(int(round(size * 2))))
    run.font.bold = bold
    run.font.italic = italic


def _format_paragraph(
    paragraph,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    before: float = 0,
    after: float = 0,
    line_pt: float | None = None,
    first_line_cm: float | None = None,
    left_cm: float | None = None,
    right_cm: float | None = None,
    keep_with_next: bool = False,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line_pt is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = Pt(line_pt)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.first_line_indent = Cm(first_line_cm) if first_line_cm is not None else Cm(0)
    if left_cm is not None:
        fmt.left_indent = Cm(left_cm)
    if right_cm is not None:
        fmt.right_indent = Cm(right_cm)
    if keep_with_next:
        fmt.keep_with_next = True


def _add_text(paragraph, text: str, size: float, bold: bool = False, italic: bool = False):
    run = paragraph.add_run(_clean(text))
    _format_run(run, size, bold, italic)
    return run


def _add_lines(paragraph, lines: Sequence[str], size: float, bold: bool = False, italic: bool = False):
    """Several lines in one paragraph, joined by line breaks (so a bottom rule follows the last)."""
    for i, line in enumerate(lines):
        run = _add_text(paragraph, line, size, bold, italic)
        if i < len(lines) - 1:
            run.add_break()


def _mark_paragraph_font(paragraph, size: float) -> None:
    """Font of the paragraph mark, so empty paragraphs keep the intended height."""
    p_pr = paragraph._p.get_or_add_pPr()
    r_pr = p_pr.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        _insert_before(p_pr, r_pr, ("w:sectPr", "w:pPrChange"))
    r_fonts = OxmlElement("w:rFonts")
    _fonts_element_to_tnr(r_fonts)
    r_pr.append(r_fonts)
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(int(round(size * 2))))
        r_pr.append(element)


def _add_rule(container, length_cm: float, available_cm: float, before: float = 0, after: float = 0):
    """A short centred solid line: an empty paragraph, indented on both sides, with a bottom
    border. Decree 30 draws such lines under the agency name, the motto and the subject."""
    length_cm = max(0.5, min(length_cm, available_cm))
    side = round((available_cm - length_cm) / 2, 3)
    paragraph = container.add_paragraph()
    _format_paragraph(paragraph, before=before, after=after, line_pt=2, left_cm=side, right_cm=side)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    _insert_before(p_pr, borders, _P_PR_AFTER_PBDR)
    _mark_paragraph_font(paragraph, 2)
    return paragraph


def _set_outline_level(paragraph, level: int) -> None:
    paragraph._p.get_or_add_pPr().get_or_add_outlineLvl().set(qn("w:val"), str(level))


def _borders_element(tag: str, value: str) -> object:
    borders = OxmlElement(tag)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    return borders


def _shape_table(table, widths_cm: Sequence[float], borders: bool, cell_margin_cm: float | None = None):
    """Fixed layout, explicit grid and cell widths (Word reads tcW, LibreOffice the grid)."""
    table.autofit = False
    tbl = table._tbl
    total = sum(widths_cm)
    tbl_w = OxmlElement("w:tblW")
    tbl_w.set(qn("w:w"), str(int(round(Cm(total).twips))))
    tbl_w.set(qn("w:type"), "dxa")
    _set_tbl_pr(tbl, "w:tblW", tbl_w)
    _set_tbl_pr(tbl, "w:tblBorders", _borders_element("w:tblBorders", "single" if borders else "nil"))
    if cell_margin_cm is not None:
        margins = OxmlElement("w:tblCellMar")
        for edge, value in (("left", cell_margin_cm), ("right", cell_margin_cm)):
            element = OxmlElement(f"w:{edge}")
            element.set(qn("w:w"), str(int(round(Cm(value).twips))))
            element.set(qn("w:type"), "dxa")
            margins.append(element)
        _set_tbl_pr(tbl, "w:tblCellMar", margins)
    for column, width in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _row_property(row, tag: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn(tag)) is None:
        tr_pr.append(OxmlElement(tag))


def _first_paragraph(cell):
    return cell.paragraphs[0]


# ---------------------------------------------------------------------------------------------
# .docx: document set-up
# ---------------------------------------------------------------------------------------------


def _setup_styles(doc) -> None:
    styles_element = doc.styles.element
    # Every font reference in the styles part: explicit Times New Roman, no theme fonts (a theme
    # attribute wins over an explicit name in Word).
    for r_fonts in styles_element.iter(qn("w:rFonts")):
        _fonts_element_to_tnr(r_fonts)
    defaults = styles_element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag, value in (("w:sz", str(BODY_PT * 2)), ("w:szCs", str(BODY_PT * 2))):
        element = r_pr.find(qn(tag))
        if element is not None:
            element.set(qn("w:val"), value)
    lang = r_pr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")

    normal = doc.styles["Normal"]
    normal.font.name = FONT_NAME
    normal.font.size = Pt(BODY_PT)
    _fonts_element_to_tnr(normal.element.get_or_add_rPr().get_or_add_rFonts())
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    normal.paragraph_format.widow_control = True
    for name in ("Header", "Footer", "Table Grid"):
        if name in [s.name for s in doc.styles]:
            style = doc.styles[name]
            style.font.name = FONT_NAME
            _fonts_element_to_tnr(style.element.get_or_add_rPr().get_or_add_rFonts())


def _page_setup(section, landscape: bool) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(PAGE_HEIGHT_CM), Cm(PAGE_WIDTH_CM)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.top_margin = Cm(MARGIN_TOP_CM)
    section.bottom_margin = Cm(MARGIN_BOTTOM_CM)
    section.left_margin = Cm(MARGIN_LEFT_CM)
    section.right_margin = Cm(MARGIN_RIGHT_CM)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)
    section.gutter = Cm(0)


def _restart_page_numbers(section) -> None:
    sect_pr = section._sectPr
    existing = sect_pr.find(qn("w:pgNumType"))
    if existing is not None:
        sect_pr.remove(existing)
    element = OxmlElement("w:pgNumType")
    element.set(qn("w:start"), "1")
    _insert_before(sect_pr, element, _SECT_PR_AFTER_PGNUMTYPE)


def _setup_headers(section, draft: bool) -> None:
    """Page number (PAGE field) centred in the header from page 2 on; page 1 has its own header,
    empty or carrying the draft marker."""
    section.different_first_page_header_footer = True

    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    _format_paragraph(paragraph)
    field_element = OxmlElement("w:fldSimple")
    field_element.set(qn("w:instr"), " PAGE ")
    run_element = OxmlElement("w:r")
    field_element.append(run_element)
    paragraph._p.append(field_element)
    placeholder = Run(run_element, paragraph)
    placeholder.text = "2"
    _format_run(placeholder, BODY_PT)

    first = section.first_page_header
    first.is_linked_to_previous = False
    paragraph = first.paragraphs[0]
    _format_paragraph(paragraph, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if draft:
        _add_text(paragraph, DRAFT_MARK, 12, bold=True)
        p_pr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        for edge in ("top", "left", "bottom", "right"):
            element = OxmlElement(f"w:{edge}")
            element.set(qn("w:val"), "single")
            element.set(qn("w:sz"), "6")
            element.set(qn("w:space"), "2")
            element.set(qn("w:color"), "000000")
            borders.append(element)
        _insert_before(p_pr, borders, _P_PR_AFTER_PBDR)
        left = TEXT_WIDTH_CM - _text_width_cm(DRAFT_MARK, 12, True) - 0.8
        paragraph.paragraph_format.left_indent = Cm(max(0.0, left))


# ---------------------------------------------------------------------------------------------
# .docx: blocks
# ---------------------------------------------------------------------------------------------


def _header_block(doc, document: ReportDocument) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _shape_table(
        table, [HEADER_LEFT_CM, HEADER_RIGHT_CM], borders=False, cell_margin_cm=HEADER_CELL_MARGIN_CM
    )
    left_available = HEADER_LEFT_CM - 2 * HEADER_CELL_MARGIN_CM
    right_available = HEADER_RIGHT_CM - 2 * HEADER_CELL_MARGIN_CM

    # Row 1, left: superior agency (upright, regular), issuing agency (bold) and a short rule.
    cell = table.cell(0, 0)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    paragraph = _first_paragraph(cell)
    _format_paragraph(paragraph)
    superior = _break_name(_clean(document.superior_name).upper(), SUPERIOR_PT, False, left_available - 0.1)
    if superior:
        _add_lines(paragraph, superior, SUPERIOR_PT)
        paragraph = cell.add_paragraph()
        _format_paragraph(paragraph)
    issuer = _break_name(_clean(document.issuer_name).upper(), ISSUER_PT, True, left_available - 0.1)
    _add_lines(paragraph, issuer or [""], ISSUER_PT, bold=True)
    widest = max((_text_width_cm(line, ISSUER_PT, True) for line in issuer), default=3.0)
    _add_rule(cell, max(1.8, widest * 0.45), left_available, before=1)

    # Row 1, right: national title, motto and a rule as long as the motto.
    cell = table.cell(0, 1)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    paragraph = _first_paragraph(cell)
    _format_paragraph(paragraph)
    _add_text(paragraph, NATIONAL_TITLE, NATIONAL_TITLE_PT, bold=True)
    paragraph = cell.add_paragraph()
    _format_paragraph(paragraph)
    _add_text(paragraph, MOTTO, MOTTO_PT, bold=True)
    _add_rule(cell, MOTTO_WIDTH_CM_PER_PT * MOTTO_PT, right_available, before=1)

    # Row 2: number and symbol | place and date (italic), on the same line.
    paragraph = _first_paragraph(table.cell(1, 0))
    _format_paragraph(paragraph, before=6)
    _add_text(paragraph, number_line(document), NUMBER_PT)
    paragraph = _first_paragraph(table.cell(1, 1))
    _format_paragraph(paragraph, before=6)
    _add_text(paragraph, date_line(document.place, document.issued_on), DATE_PT, italic=True)


def _title_block(doc, document: ReportDocument) -> None:
    paragraph = doc.add_paragraph()
    _format_paragraph(paragraph, before=24, keep_with_next=True)
    _add_text(paragraph, _clean(document.kind_title).upper() or "BÁO CÁO", TITLE_PT, bold=True)
    subject = _clean(document.subject).strip()
    if subject:
        paragraph = doc.add_paragraph()
        _format_paragraph(paragraph, line_pt=BODY_LINE_PT, keep_with_next=True)
        _add_text(paragraph, subject, TITLE_PT, bold=True)
        line_width = min(_text_width_cm(subject, TITLE_PT, True), TEXT_WIDTH_CM)
        _add_rule(doc, max(2.5, line_width / 3), TEXT_WIDTH_CM, before=1)
    else:
        _add_rule(doc, 2.5, TEXT_WIDTH_CM, before=1)

    lines = _recipient_lines(document.recipients)
    if len(lines) == 1:
        paragraph = doc.add_paragraph()
        _format_paragraph(paragraph, before=12)
        _add_text(paragraph, lines[0], BODY_PT)
    elif lines:
        paragraph = doc.add_paragraph()
        _format_paragraph(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT, before=12, left_cm=3.0)
        _add_text(paragraph, lines[0], BODY_PT)
        names = lines[1:]
        for i, name in enumerate(names):
            text = name if name.startswith("-") else f"- {name}"
            if not text.endswith((";", ".", ",")):
                text += "." if i == len(names) - 1 else ";"
            paragraph = doc.add_paragraph()
            _format_paragraph(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT, left_cm=5.0)
            _add_text(paragraph, text, BODY_PT)
    spacer = doc.add_paragraph()
    _format_paragraph(spacer, line_pt=6)
    _mark_paragraph_font(spacer, 6)


def _body_paragraph(doc, text: str) -> None:
    for piece in _clean(text).split("\n"):
        paragraph = doc.add_paragraph()
        _format_paragraph(
            paragraph,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            after=6,
            line_pt=BODY_LINE_PT,
            first_line_cm=FIRST_LINE_INDENT_CM,
        )
        _add_text(paragraph, piece, BODY_PT)


def _heading(doc, text: str, level: int) -> None:
    paragraph = doc.add_paragraph()
    _format_paragraph(
        paragraph,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        before=6 if level == 1 else 0,
        after=6,
        line_pt=BODY_LINE_PT,
        first_line_cm=FIRST_LINE_INDENT_CM,
        keep_with_next=True,
    )
    bold = level <= 3
    italic = level >= 3
    _add_text(paragraph, text, BODY_PT, bold=bold, italic=italic)
    _set_outline_level(paragraph, min(level - 1, 8))


def _section(doc, section: Section, level: int) -> None:
    heading = _clean(section.heading).strip()
    if heading:
        _heading(doc, heading, level)
    for text in section.paragraphs:
        _body_paragraph(doc, text)
    if section.table is not None and section.table.columns:
        _table_titles(doc, section.table, TEXT_WIDTH_CM, annex=False)
        _data_table(doc, section.table, TEXT_WIDTH_CM)
        spacer = doc.add_paragraph()
        _format_paragraph(spacer, line_pt=6)
        _mark_paragraph_font(spacer, 6)
    for subsection in section.subsections:
        _section(doc, subsection, level + 1)


def _table_titles(doc, table: Table, available_cm: float, annex: bool) -> None:
    title, subtitle, note = (_clean(t).strip() for t in (table.title, table.subtitle, table.note))
    if title:
        paragraph = doc.add_paragraph()
        _format_paragraph(paragraph, keep_with_next=True, after=0 if annex else 3)
        _add_text(paragraph, title, 14 if annex else BODY_PT, bold=True)
    if subtitle:
        paragraph = doc.add_paragraph()
        _format_paragraph(paragraph, keep_with_next=True)
        _add_text(paragraph, subtitle, 14 if annex else 13, bold=True)
    if note:
        paragraph = doc.add_paragraph()
        _format_paragraph(paragraph, keep_with_next=True)
        _add_text(paragraph, note, 14 if annex else 13, italic=True)
    if annex and (title or subtitle or note):
        widest = max(_text_width_cm(t, 14, True) for t in (title, subtitle, note) if t)
        _add_rule(doc, max(2.5, min(widest, available_cm) / 3), available_cm, before=1, after=12)
    elif title or subtitle or note:
        spacer = doc.add_paragraph()
        _format_paragraph(spacer, line_pt=4, keep_with_next=True)
        _mark_paragraph_font(spacer, 4)


def _column_widths(table: Table, rows: list[list[str]], available_cm: float) -> list[float]:
    count = len(table.columns)
    if table.widths_cm:
        given = [max(0.6, float(w)) for w in table.widths_cm][:count]
        if len(given) < count:  # the columns without a width share what is left, by content
            natural = _column_widths(Table(columns=table.columns, rows=table.rows), rows, available_cm)
            rest = natural[len(given) :]
            room = max(2.0 * len(rest), available_cm - sum(given))
            given += [w * room / sum(rest) for w in rest]
        total = sum(given)
        return [w * available_cm / total for w in given] if total > available_cm else given
    # Natural width of each column (about 0.22 cm a character at 12 pt, capped at 60 characters;
    # a short header is kept on one line), then all scaled to the available width.
    data = [r for r in rows if not _group_row_kind(r, count)]
    natural = []
    for index, header in enumerate(table.columns):
        header = _clean(header)
        longest_word = max(
            (len(word) for value in [header, *(r[index] for r in data)] for word in value.split()), default=2
        )
        content = max((len(r[index]) for r in data), default=0)
        header_chars = len(header) if len(header) <= 14 else len(header) / 2
        chars = min(max(content, header_chars, longest_word, 3), 60)
        natural.append(max(1.1, chars * 0.22 + 0.45))
    scale = available_cm / sum(natural)
    return [w * scale for w in natural]


def _write_cell(cell, text: str, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    pieces = _clean(text).split("\n")
    for index, piece in enumerate(pieces):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        _format_paragraph(paragraph, align=align, before=2, after=2)
        _mark_paragraph_font(paragraph, TABLE_PT)
        if piece:
            _add_text(paragraph, piece, TABLE_PT, bold=bold)


def _data_table(doc, table: Table, available_cm: float) -> None:
    rows = _normalised_rows(table)
    count = len(table.columns)
    widths = _column_widths(table, rows, available_cm)
    grid = doc.add_table(rows=1 + len(rows), cols=count)
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _shape_table(grid, widths, borders=True)

    header = grid.rows[0]
    _row_property(header, "w:tblHeader")  # repeated at the top of every page
    _row_property(header, "w:cantSplit")
    for cell, text in zip(header.cells, table.columns, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _write_cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    for row, cells in zip(grid.rows[1:], rows, strict=True):
        _row_property(row, "w:cantSplit")  # a row moves to the next page whole (unless taller than a page)
        kind = _group_row_kind(cells, count)
        if kind == "whole":
            merged = row.cells[0].merge(row.cells[count - 1])
            _write_cell(merged, cells[0], bold=True)
            continue
        if kind == "split":
            first = row.cells[0]
            first.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _write_cell(first, cells[0], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            merged = row.cells[1].merge(row.cells[count - 1]) if count > 2 else row.cells[1]
            _write_cell(merged, cells[1], bold=True)
            continue
        for index, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            align = WD_ALIGN_PARAGRAPH.CENTER if _centred_cell(text, index) else WD_ALIGN_PARAGRAPH.LEFT
            _write_cell(cell, text, align=align)


def _signature_block(doc, document: ReportDocument) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    left_cm, right_cm = 7.0, TEXT_WIDTH_CM - 7.0
    _shape_table(table, [left_cm, right_cm], borders=False, cell_margin_cm=HEADER_CELL_MARGIN_CM)
    _row_property(table.rows[0], "w:cantSplit")

    cell = table.cell(0, 0)
    paragraph = _first_paragraph(cell)
    _format_paragraph(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    distribution = [_clean(line).strip() for line in document.distribution if _clean(line).strip()]
    if distribution:
        _add_text(paragraph, "Nơi nhận:", 12, bold=True, italic=True)
        for line in distribution:
            paragraph = cell.add_paragraph()
            _format_paragraph(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT)
            _add_text(paragraph, line, 11)

    cell = table.cell(0, 1)
    paragraph = _first_paragraph(cell)
    _format_paragraph(paragraph, before=12)
    authority = _clean(document.signer_authority).strip()
    title = _clean(document.signer_title).strip()
    lines = [line for line in (authority, title) if line]
    _add_lines(paragraph, lines or [""], BODY_PT, bold=True)
    for _ in range(4):
        blank = cell.add_paragraph()
        _format_paragraph(blank, line_pt=BODY_LINE_PT)
        _mark_paragraph_font(blank, BODY_PT)
    paragraph = cell.add_paragraph()
    _format_paragraph(paragraph)
    _add_text(paragraph, _clean(document.signer_name).strip(), BODY_PT, bold=True)


def _shrink_section_break(doc) -> None:
    """The paragraph that carries a section break: as small as possible, so it never spills."""
    breaks = doc.element.body.xpath("./w:p[w:pPr/w:sectPr]")
    if not breaks:
        return
    paragraph = Paragraph(breaks[-1], doc._body)
    _format_paragraph(paragraph, line_pt=1)
    _mark_paragraph_font(paragraph, 1)


def render_docx(document: ReportDocument) -> bytes:
    """The report as a Decree 30/2020 .docx (bytes)."""
    doc = docx.Document()
    _setup_styles(doc)
    first_section = doc.sections[0]
    _page_setup(first_section, landscape=False)
    _setup_headers(first_section, document.draft)

    core = doc.core_properties
    core.title = _clean(f"{document.kind_title} {document.subject}").strip()[:255]
    core.subject = _clean(document.subject)[:255]
    core.author = _clean(document.issuer_name)[:255]
    core.last_modified_by = core.author
    core.language = "vi-VN"
    core.comments = ""
    core.keywords = ""

    _header_block(doc, document)
    _title_block(doc, document)
    for text in document.intro:
        _body_paragraph(doc, text)
    for section in document.sections:
        _section(doc, section, 1)
    _signature_block(doc, document)

    for annex in document.annexes:
        if not annex.columns:
            continue
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        _shrink_section_break(doc)
        _page_setup(section, landscape=True)
        _restart_page_numbers(section)  # Decree 30: annex pages are numbered separately
        section.different_first_page_header_footer = True
        _table_titles(doc, annex, LANDSCAPE_TEXT_WIDTH_CM, annex=True)
        _data_table(doc, annex, LANDSCAPE_TEXT_WIDTH_CM)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# .xlsx
# ---------------------------------------------------------------------------------------------

XLSX_FONT_SIZE = 12
NARRATIVE_SHEET = "Báo cáo"
NARRATIVE_WIDTH = 100  # characters
LINE_HEIGHT_PT = 15.75
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill(fill_type="solid", fgColor="D9E1F2")
_GROUP_FILL = PatternFill(fill_type="solid", fgColor="F2F2F2")
_INVALID_SHEET_CHARS = re.compile(r"[\\/?*\[\]:]")


def _font(bold: bool = False, italic: bool = False, size: float = XLSX_FONT_SIZE) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


def _put(ws, row: int, column: int, value: str, *, numbers: bool = False, **style):
    """Text safely (never a formula); with ``numbers``, a cell that is a number ("1.234", "53,30%")
    is written as that number so the table can be summed and sorted in Excel."""
    cell = ws.cell(row=row, column=column)
    (put_text_or_number if numbers else put)(cell, _clean(value))
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _lines_needed(text: str, width_chars: float) -> int:
    per_line = max(1.0, width_chars * 1.05)
    return sum(max(1, ceil(len(piece) / per_line)) for piece in (_clean(text).split("\n") or [""]))


def _sheet_title(wanted: str, used: set[str]) -> str:
    base = _INVALID_SHEET_CHARS.sub("-", _clean(wanted)).strip().strip("'") or "Phụ lục"
    base = base[:31].strip()
    candidate, counter = base, 2
    while candidate.casefold() in used:
        suffix = f" ({counter})"
        candidate = base[: 31 - len(suffix)].rstrip() + suffix
        counter += 1
    used.add(candidate.casefold())
    return candidate


def _write_narrative(ws, document: ReportDocument) -> None:
    ws.column_dimensions["A"].width = NARRATIVE_WIDTH
    wrap = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(horizontal="center", vertical="top", wrap_text=True)
    justified = Alignment(horizontal="justify", vertical="top", wrap_text=True, indent=0)
    row = 1

    def line(text: str, bold: bool = False, italic: bool = False, alignment: Alignment = wrap) -> None:
        nonlocal row
        _put(ws, row, 1, text, font=_font(bold, italic), alignment=alignment)
        lines = _lines_needed(text, NARRATIVE_WIDTH)
        if lines > 1:
            ws.row_dimensions[row].height = lines * LINE_HEIGHT_PT + 2
        row += 1

    if _clean(document.superior_name).strip():
        line(_clean(document.superior_name).upper())
    line(_clean(document.issuer_name).upper(), bold=True)
    line(number_line(document))
    if document.draft:
        line(DRAFT_MARK, bold=True)
    row += 1
    line(NATIONAL_TITLE, bold=True)
    line(MOTTO, bold=True)
    line(date_line(document.place, document.issued_on), italic=True)
    row += 1
    line(_clean(document.kind_title).upper() or "BÁO CÁO", bold=True, alignment=centred)
    if _clean(document.subject).strip():
        line(document.subject, bold=True, alignment=centred)
    for recipient in _recipient_lines(document.recipients):
        line(recipient, alignment=centred)
    row += 1
    for text in document.intro:
        line(text, alignment=justified)

    def section(item: Section, level: int) -> None:
        nonlocal row
        if _clean(item.heading).strip():
            line(item.heading, bold=level <= 3, italic=level >= 3)
        for text in item.paragraphs:
            line(text, alignment=justified)
        if item.table is not None and item.table.columns:
            for caption in (item.table.title, item.table.subtitle):
                if _clean(caption).strip():
                    line(caption, bold=True, alignment=centred)
            if _clean(item.table.note).strip():
                line(item.table.note, italic=True, alignment=centred)
            row = _write_grid(ws, item.table, row, set_widths=False) + 1
        for child in item.subsections:
            section(child, level + 1)

    for item in document.sections:
        section(item, 1)

    row += 1
    for text in (document.signer_authority, document.signer_title):
        if _clean(text).strip():
            line(text, bold=True, alignment=centred)
    row += 3
    line(document.signer_name, bold=True, alignment=centred)
    distribution = [d for d in document.distribution if _clean(d).strip()]
    if distribution:
        row += 1
        line("Nơi nhận:", bold=True, italic=True)
        for text in distribution:
            _put(ws, row, 1, text, font=_font(size=11), alignment=wrap)
            row += 1

    ws.sheet_view.showGridLines = False
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _excel_widths(table: Table, rows: list[list[str]]) -> list[float]:
    count = len(table.columns)
    if table.widths_cm:
        widths = [round(float(w) * 5.0, 1) for w in table.widths_cm][:count]
        widths += [20.0] * (count - len(widths))
        return [max(4.0, w) for w in widths]
    data = [r for r in rows if not _group_row_kind(r, count)]
    widths = []
    for index, header in enumerate(table.columns):
        header = _clean(header)
        header_chars = len(header) if len(header) <= 14 else len(header) * 0.6
        longest = max([header_chars, *(len(r[index]) for r in data)])
        widths.append(float(min(max(6, longest + 2), 50)))
    return widths


def _write_grid(ws, table: Table, top: int, set_widths: bool) -> int:
    """Header row plus data rows from row `top`; returns the last row written."""
    rows = _normalised_rows(table)
    count = len(table.columns)
    widths = _excel_widths(table, rows)
    if set_widths:
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
    else:  # narrative sheet: only ever widen the columns to the right of A
        for index, width in enumerate(widths[1:], start=2):
            letter = get_column_letter(index)
            if (ws.column_dimensions[letter].width or 0) < width:
                ws.column_dimensions[letter].width = width
    actual = [ws.column_dimensions[get_column_letter(i)].width or 9 for i in range(1, count + 1)]

    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, text in enumerate(table.columns, start=1):
        _put(
            ws,
            top,
            index,
            text,
            font=_font(bold=True),
            fill=_HEADER_FILL,
            border=_BOX,
            alignment=header_alignment,
        )
    ws.row_dimensions[top].height = (
        max(_lines_needed(t, w) for t, w in zip(table.columns, actual, strict=True)) * LINE_HEIGHT_PT + 4
    )

    row = top
    for cells in rows:
        row += 1
        kind = _group_row_kind(cells, count)
        for index, text in enumerate(cells, start=1):
            centred = _centred_cell(text, index - 1) and kind != "whole"
            alignment = Alignment(
                horizontal="center" if centred else "left",
                vertical="center",
                wrap_text=True,
            )
            _put(
                ws,
                row,
                index,
                text,
                numbers=kind != "whole",
                font=_font(bold=bool(kind)),
                border=_BOX,
                alignment=alignment,
                fill=_GROUP_FILL if kind else PatternFill(fill_type=None),
            )
        if kind == "whole":
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=count)
            lines = _lines_needed(cells[0], sum(actual))
        elif kind == "split" and count > 2:
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=count)
            lines = _lines_needed(cells[1], sum(actual[1:]))
        else:
            lines = max(_lines_needed(t, w) for t, w in zip(cells, actual, strict=True))
        if lines > 1:
            ws.row_dimensions[row].height = lines * LINE_HEIGHT_PT + 4
    return row


def _write_annex(ws, table: Table) -> None:
    count = max(1, len(table.columns))
    total_width = sum(_excel_widths(table, _normalised_rows(table))) if table.columns else 60
    row = 1
    for text, bold, italic in (
        (table.title, True, False),
        (table.subtitle, True, False),
        (table.note, False, True),
    ):
        if _clean(text).strip():
            _put(
                ws,
                row,
                1,
                text,
                font=_font(bold=bold, italic=italic, size=13),
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            )
            if count > 1:
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=count)
            lines = _lines_needed(text, total_width * 0.9)  # 13 pt is a little wider than 12 pt
            if lines > 1:
                ws.row_dimensions[row].height = lines * 17.5 + 2
            row += 1
    header_row = row + 1 if row > 1 else 1
    if not table.columns:
        return
    _write_grid(ws, table, header_row, set_widths=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def render_xlsx(document: ReportDocument) -> bytes:
    """The report as a workbook: sheet "Báo cáo" (header and narrative), one sheet per annex."""
    workbook = Workbook()
    workbook.properties.title = _clean(f"{document.kind_title} {document.subject}").strip()[:255]
    workbook.properties.creator = _clean(document.issuer_name)[:255]
    workbook.properties.language = "vi-VN"
    narrative = workbook.active
    narrative.title = NARRATIVE_SHEET
    _write_narrative(narrative, document)

    used = {NARRATIVE_SHEET.casefold()}
    for index, annex in enumerate(document.annexes, start=1):
        name = _sheet_title(annex.title or annex.subtitle or f"Phụ lục {index}", used)
        _write_annex(workbook.create_sheet(title=name), annex)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
