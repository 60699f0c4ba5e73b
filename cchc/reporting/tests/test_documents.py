"""The Decree 30/2020 report writer: render a realistic commune report, then read the files back."""

import io
import unicodedata
from datetime import date

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm
from openpyxl import load_workbook

from cchc.reporting.documents import ReportDocument, Section, Table, render_docx, render_xlsx

TNR = "Times New Roman"


def build_report(
    number: str = "125", issued_on: date = date(2026, 3, 5), draft: bool = False
) -> ReportDocument:
    """Xã Mao Điền's report on administrative reform (CCHC) for the first quarter of 2026."""
    procedures = Table(
        columns=["Lĩnh vực", "Tiếp nhận", "Đúng hạn", "Quá hạn"],
        rows=[
            ["Hộ tịch", "412", "412", "0"],
            ["Chứng thực", "958", "958", "0"],
            ["Đất đai", "37", "35", "2"],
        ],
        widths_cm=[6.0, 3.0, 3.0, 3.0],
        title="Bảng 1. Kết quả giải quyết thủ tục hành chính quý I năm 2026",
    )
    sections = [
        Section(
            heading="I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
            paragraphs=[
                "Ủy ban nhân dân xã ban hành Kế hoạch số 12/KH-UBND ngày 10 tháng 01 năm 2026 về cải cách "
                "hành chính năm 2026, phân công nhiệm vụ cụ thể cho từng bộ phận, công chức.",
                "- Ban hành 03 văn bản chỉ đạo, đôn đốc thực hiện nhiệm vụ cải cách hành chính;",
                "+ Tổ chức 01 hội nghị quán triệt kế hoạch cải cách hành chính năm 2026.",
            ],
        ),
        Section(
            heading="II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
            subsections=[
                Section(
                    heading="1. Cải cách thể chế",
                    paragraphs=[
                        "Rà soát 15 văn bản quy phạm pháp luật, không phát hiện văn bản trái pháp luật."
                    ],
                ),
                Section(
                    heading="2. Cải cách thủ tục hành chính",
                    paragraphs=["Niêm yết công khai 100% thủ tục hành chính tại Bộ phận Một cửa của xã."],
                    table=procedures,
                    subsections=[
                        Section(
                            heading="a) Thực hiện cơ chế một cửa, một cửa liên thông",
                            paragraphs=["Tỷ lệ hồ sơ giải quyết đúng hạn đạt 99,86%."],
                        )
                    ],
                ),
                Section(
                    heading="3. Cải cách tổ chức bộ máy hành chính nhà nước",
                    paragraphs=["Kiện toàn Bộ phận Một cửa theo Quyết định số 05/QĐ-UBND."],
                ),
                Section(
                    heading="4. Cải cách chế độ công vụ",
                    paragraphs=["Thực hiện nghiêm kỷ luật, kỷ cương hành chính; không có cán bộ vi phạm."],
                ),
                Section(
                    heading="5. Cải cách tài chính công",
                    paragraphs=["Giải ngân vốn đầu tư công đạt 28% kế hoạch năm."],
                ),
                Section(
                    heading="6. Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
                    paragraphs=["Tỷ lệ hồ sơ trực tuyến toàn trình đạt 82,5%."],
                ),
            ],
        ),
        Section(
            heading="III. ĐÁNH GIÁ CHUNG",
            subsections=[
                Section(
                    heading="1. Ưu điểm", paragraphs=["Công tác cải cách hành chính được quan tâm chỉ đạo."]
                ),
                Section(
                    heading="2. Tồn tại, hạn chế và nguyên nhân",
                    paragraphs=["Hạ tầng công nghệ thông tin còn thiếu đồng bộ; 02 hồ sơ đất đai quá hạn."],
                ),
            ],
        ),
        Section(
            heading="IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ II NĂM 2026",
            paragraphs=["Tiếp tục đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình."],
        ),
        Section(
            heading="V. ĐỀ XUẤT, KIẾN NGHỊ",
            paragraphs=["Đề nghị Sở Nội vụ tổ chức tập huấn nghiệp vụ cải cách hành chính cho công chức xã."],
        ),
    ]
    progress = Table(
        columns=["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tiến độ", "Ghi chú"],
        rows=[
            ["I", "CẢI CÁCH THỂ CHẾ", "", "", "", ""],
            [
                "1",
                "Rà soát văn bản quy phạm pháp luật",
                "Văn phòng HĐND và UBND",
                "31/3/2026",
                "Hoàn thành",
                "",
            ],
            ["II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", "", "", ""],
            [
                "1",
                "Cải cách thủ tục hành chính lĩnh vực đất đai",
                "Phòng Kinh tế",
                "30/6/2026",
                "Đang thực hiện",
                "",
            ],
            [
                "2",
                "Số hóa kết quả giải quyết thủ tục hành chính",
                "Bộ phận Một cửa",
                "30/9/2026",
                "Đang thực hiện",
                "",
            ],
        ],
        widths_cm=[1.2, 9.0, 5.0, 2.8, 3.2, 3.0],
        title="Phụ lục I",
        subtitle="TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
        note="(Kèm theo Báo cáo số 125/BC-UBND ngày 05 tháng 3 năm 2026 của Ủy ban nhân dân xã Mao Điền)",
    )
    targets = Table(
        columns=["STT", "Chỉ tiêu", "Kế hoạch", "Kết quả", "Tỷ lệ (%)"],
        rows=[
            ["1", "Tỷ lệ hồ sơ giải quyết đúng hạn", "100%", "99,86%", "99,86"],
            ["2", "Tỷ lệ hồ sơ trực tuyến toàn trình", "80%", "82,5%", "103,1"],
            ["3", "Mức độ hài lòng của người dân, doanh nghiệp", "≥ 90%", "95,2%", "105,8"],
        ],
        title="Phụ lục II",
        subtitle="KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH",
    )
    return ReportDocument(
        superior_name="UBND THÀNH PHỐ HẢI PHÒNG",
        issuer_name="ỦY BAN NHÂN DÂN XÃ MAO ĐIỀN",
        issuer_short="UBND",
        number=number,
        place="Mao Điền",
        issued_on=issued_on,
        kind_title="BÁO CÁO",
        subject="Kết quả thực hiện công tác cải cách hành chính quý I năm 2026",
        recipients=["Sở Nội vụ thành phố Hải Phòng"],
        intro=[
            "Thực hiện Kế hoạch cải cách hành chính năm 2026, Ủy ban nhân dân xã báo cáo kết quả như sau:"
        ],
        sections=sections,
        annexes=[progress, targets],
        signer_authority="TM. ỦY BAN NHÂN DÂN",
        signer_title="CHỦ TỊCH",
        signer_name="Nguyễn Văn An",
        distribution=["- Sở Nội vụ;", "- TT Đảng ủy, HĐND xã;", "- Lưu: VT."],
        draft=draft,
    )


def _open(document: ReportDocument):
    return docx.Document(io.BytesIO(render_docx(document)))


def _all_paragraphs(doc):
    """Paragraphs of the body, including those inside tables (nested too)."""
    body = doc.element.body
    return (
        [p for p in doc.paragraphs]
        + [
            paragraph
            for table in doc.tables
            for row in table.rows
            for cell in row.cells
            for paragraph in cell.paragraphs
        ]
        + [
            docx.text.paragraph.Paragraph(p, None)
            for p in body.iter(qn("w:p"))
            if p.getparent().tag == qn("w:tc")
        ]
    )


def _texts(doc) -> list[str]:
    return [p.text for p in _all_paragraphs(doc)]


def _header_cells(doc) -> list[str]:
    header = doc.tables[0]
    return [cell.text for row in header.rows for cell in row.cells]


def test_docx_header_block_has_motto_number_and_date():
    doc = _open(build_report())
    cells = _header_cells(doc)
    joined = "\n".join(cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in joined
    assert "Độc lập - Tự do - Hạnh phúc" in joined
    assert "UBND THÀNH PHỐ HẢI PHÒNG" in joined
    assert "ỦY BAN NHÂN DÂN" in joined and "XÃ MAO ĐIỀN" in joined
    assert "Số: 125/BC-UBND" in cells
    assert "Mao Điền, ngày 05 tháng 3 năm 2026" in cells
    # The header table is borderless.
    borders = doc.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_docx_date_padding_follows_decree_30():
    assert "Mao Điền, ngày 05 tháng 02 năm 2026" in _header_cells(
        _open(build_report(issued_on=date(2026, 2, 5)))
    )
    assert "Mao Điền, ngày 15 tháng 12 năm 2026" in _header_cells(
        _open(build_report(issued_on=date(2026, 12, 15)))
    )
    assert "Mao Điền, ngày 09 tháng 7 năm 2026" in _header_cells(
        _open(build_report(issued_on=date(2026, 7, 9)))
    )


def test_docx_draft_number_is_left_blank_and_marked():
    doc = _open(build_report(number="", draft=True))
    assert "Số:      /BC-UBND" in _header_cells(doc)
    first_page_header = doc.sections[0].first_page_header
    assert "DỰ THẢO" in "".join(p.text for p in first_page_header.paragraphs)
    assert "DỰ THẢO" not in "".join(
        p.text for p in _open(build_report()).sections[0].first_page_header.paragraphs
    )


def test_docx_title_sections_and_signature():
    doc = _open(build_report())
    texts = _texts(doc)
    assert "BÁO CÁO" in texts
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2026" in texts
    assert "Kính gửi: Sở Nội vụ thành phố Hải Phòng" in texts
    by_text = {p.text: p for p in doc.paragraphs}
    for heading in (
        "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
        "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ II NĂM 2026",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
        "2. Cải cách thủ tục hành chính",
    ):
        assert heading in by_text, heading
        assert all(run.bold for run in by_text[heading].runs)
    level_three = by_text["a) Thực hiện cơ chế một cửa, một cửa liên thông"]
    assert all(run.bold and run.italic for run in level_three.runs)
    bullet = by_text["- Ban hành 03 văn bản chỉ đạo, đôn đốc thực hiện nhiệm vụ cải cách hành chính;"]
    assert bullet.paragraph_format.first_line_indent == Cm(1.27)
    assert "+ Tổ chức 01 hội nghị quán triệt kế hoạch cải cách hành chính năm 2026." in by_text
    # Embedded table of section II.2, then the signature block with "Nơi nhận".
    assert any(cell.text == "Chứng thực" for table in doc.tables for row in table.rows for cell in row.cells)
    signature = "\n".join(_texts(doc))
    for expected in ("Nơi nhận:", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"):
        assert expected in signature


def test_docx_page_setup_and_page_numbers():
    doc = _open(build_report())
    first = doc.sections[0]
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert (round(first.page_width.cm, 1), round(first.page_height.cm, 1)) == (21.0, 29.7)
    assert round(first.top_margin.cm, 2) == 2.0 and round(first.bottom_margin.cm, 2) == 2.0
    assert round(first.left_margin.cm, 2) == 3.0 and 1.5 <= round(first.right_margin.cm, 2) <= 2.0
    assert first.different_first_page_header_footer
    fields = first.header._element.findall(".//" + qn("w:fldSimple"))
    assert [f.get(qn("w:instr")).strip() for f in fields] == ["PAGE"]
    assert not first.first_page_header._element.findall(".//" + qn("w:fldSimple"))


def test_docx_annexes_are_landscape_tables_with_repeated_header_and_group_rows():
    doc = _open(build_report())
    assert len(doc.sections) == 3
    for annex_section in doc.sections[1:]:
        assert annex_section.orientation == WD_ORIENT.LANDSCAPE
        assert annex_section.page_width > annex_section.page_height
        assert annex_section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    texts = _texts(doc)
    assert "Phụ lục I" in texts
    assert "TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH" in texts
    progress = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT" and len(t.columns) == 6)
    header = progress.rows[0]
    assert [c.text for c in header.cells] == [
        "STT",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Thời hạn",
        "Tiến độ",
        "Ghi chú",
    ]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(run.bold for cell in header.cells for p in cell.paragraphs for run in p.runs)
    assert progress.style.name == "Table Grid"
    cells = [cell.text for row in progress.rows for cell in row.cells]
    assert "Cải cách thủ tục hành chính lĩnh vực đất đai" in cells
    assert "Văn phòng HĐND và UBND" in cells
    group = progress.rows[1]._tr
    spans = [tc.tcPr.find(qn("w:gridSpan")) for tc in group.tc_lst]
    assert len(group.tc_lst) == 2 and spans[1].get(qn("w:val")) == "5"
    assert progress.rows[1].cells[1].text == "CẢI CÁCH THỂ CHẾ"
    assert all(run.bold for run in progress.rows[1].cells[1].paragraphs[0].runs)
    widths = [round(col.width.cm, 1) for col in progress.columns]
    assert widths == [1.2, 9.0, 5.0, 2.8, 3.2, 3.0]
    targets = next(t for t in doc.tables if len(t.columns) == 5)
    assert "Mức độ hài lòng của người dân, doanh nghiệp" in [
        c.text for row in targets.rows for c in row.cells
    ]


def test_docx_times_new_roman_everywhere_and_nfc_text():
    doc = _open(build_report())
    styles = doc.styles.element
    assert not [
        f for f in styles.iter(qn("w:rFonts")) if f.get(qn("w:asciiTheme")) or f.get(qn("w:hAnsiTheme"))
    ]
    normal_fonts = doc.styles["Normal"].element.rPr.rFonts
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        assert normal_fonts.get(qn(attribute)) == TNR
    runs = [r for p in _all_paragraphs(doc) for r in p.runs if r.text.strip()]
    assert runs
    for run in runs:
        fonts = run._r.rPr.rFonts
        assert fonts.get(qn("w:ascii")) == TNR and fonts.get(qn("w:eastAsia")) == TNR, run.text
    for text in _texts(doc):
        assert unicodedata.is_normalized("NFC", text)


def test_docx_decomposed_input_is_written_as_nfc():
    report = build_report()
    report.subject = unicodedata.normalize("NFD", report.subject)
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2026" in _texts(_open(report))


def test_xlsx_sheets_and_cells():
    workbook = load_workbook(io.BytesIO(render_xlsx(build_report())))
    assert workbook.sheetnames == ["Báo cáo", "Phụ lục I", "Phụ lục II"]
    narrative = workbook["Báo cáo"]
    values = [c.value for row in narrative.iter_rows() for c in row if c.value]
    assert "Số: 125/BC-UBND" in values
    assert "Độc lập - Tự do - Hạnh phúc" in values
    assert "Mao Điền, ngày 05 tháng 3 năm 2026" in values
    heading = next(c for row in narrative.iter_rows() for c in row if c.value == "III. ĐÁNH GIÁ CHUNG")
    assert heading.font.bold and heading.font.name == TNR

    annex = workbook["Phụ lục I"]
    header_row = next(row for row in annex.iter_rows() if row[0].value == "STT")
    assert [c.value for c in header_row] == [
        "STT",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Thời hạn",
        "Tiến độ",
        "Ghi chú",
    ]
    assert all(c.font.bold and c.font.name == TNR and c.border.top.style == "thin" for c in header_row)
    assert header_row[0].fill.fgColor.rgb.endswith("D9E1F2")
    assert annex.freeze_panes == f"A{header_row[0].row + 1}"
    cells = [c.value for row in annex.iter_rows() for c in row if c.value]
    assert "Rà soát văn bản quy phạm pháp luật" in cells
    group = next(c for row in annex.iter_rows() for c in row if c.value == "CẢI CÁCH THỂ CHẾ")
    assert group.font.bold
    assert f"B{group.row}:F{group.row}" in [str(r) for r in annex.merged_cells.ranges]
    assert annex.column_dimensions["B"].width > annex.column_dimensions["A"].width
    assert annex.cell(row=header_row[0].row + 2, column=2).alignment.wrap_text
    assert workbook["Phụ lục II"]["A1"].value == "Phụ lục II"


def test_xlsx_sheet_titles_are_short_unique_and_valid():
    report = build_report(number="")
    long_title = "Phụ lục: Kết quả/thực hiện [chi tiết] các chỉ tiêu cải cách hành chính"
    report.annexes = [
        Table(columns=["STT", "Nội dung"], rows=[["1", "Một"]], title=long_title),
        Table(columns=["STT", "Nội dung"], rows=[["1", "Hai"]], title=long_title),
        Table(columns=["STT", "Nội dung"], rows=[["1", "Ba"]], title="Báo cáo"),
    ]
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    names = workbook.sheetnames
    assert len(names) == 4 and len({n.casefold() for n in names}) == 4
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert "Số:      /BC-UBND" in [c.value for row in workbook["Báo cáo"].iter_rows() for c in row]
