"""Tables in the structure model, stage by stage: header words → columns, a header repeated (or
garbled) on a later page, table nodes from " | " rows and from lines, and tasks read from the nodes.

Plain pytest, no database."""

import pytest

from cchc.docimport.extractors.table_tasks import tasks_from_table
from cchc.docimport.structure.lines import _prepare
from cchc.docimport.structure.table_model import (
    Table,
    TableRow,
    column_order,
    header_columns,
    header_similarity,
    is_repeated_header,
)
from cchc.docimport.structure.tables import flat_table, pipe_table, task_tables


def lines_of(text: str):
    return _prepare(text)[1]


def cells_of(row: str) -> list[str]:
    return row.split("|")


# ------------------------------------------------------------------------------- header words


def test_columns_are_named_from_the_header_words_whatever_their_order_and_number():
    cells = cells_of("Thời gian | TT | Cơ quan phối hợp | Tên nhiệm vụ | Cơ quan chủ trì")
    assert header_columns(cells) == {0: "time", 1: "number", 2: "partner", 3: "content", 4: "lead"}
    seven = cells_of("STT | Nội dung | Sản phẩm | Đơn vị thực hiện | Phối hợp | Tiến độ | Ghi chú")
    assert header_columns(seven) == {
        0: "number",
        1: "content",
        2: "product",
        3: "lead",
        4: "partner",
        5: "time",
    }


def test_header_words_are_read_without_diacritics_too():
    cells = cells_of("TT | NOI DUNG | CO QUAN CHU TRI | PHOI HOP | KET QUA | THOI HAN")
    assert sorted(header_columns(cells).values()) == sorted(
        ["number", "content", "lead", "partner", "product", "time"]
    )


def test_a_flattened_header_gives_the_columns_in_its_own_order():
    assert column_order("tt noi dung co quan chu tri co quan phoi hop san pham thoi gian") == [
        "content",
        "lead",
        "partner",
        "product",
        "time",
    ]
    assert column_order("tt noi dung thoi gian chu tri phoi hop san pham") == [
        "content",
        "time",
        "lead",
        "partner",
        "product",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "T T | Nôi dung | Chu trì | Phôi hợp | San phâm | Thoi gian",
        "STT | N0I DUNG | Co quan chu trl | Co quan phoi hop | Thoi glan",
        "tt noi dung co quan chu tri phoi hop san pham thoi gian",
    ],
)
def test_a_header_repeated_after_a_page_break_is_recognised_even_garbled(line):
    assert is_repeated_header(lines_of(line)[0].key)


@pytest.mark.parametrize(
    "line",
    [
        "4 | Rà soát vị trí việc làm | Phòng Nội vụ xã | Văn phòng HĐND và UBND xã | Đề án | Tháng 6/2027",
        "chủ trì phối hợp với các đơn vị có liên quan ban 2026-2027",
        "Báo cáo kết quả thực hiện cải cách hành chính",
    ],
)
def test_a_body_row_is_not_taken_for_a_header(line):
    assert not is_repeated_header(lines_of(line)[0].key)


def test_header_similarity_is_high_for_a_header_and_low_for_a_task():
    assert header_similarity("noi dung co quan chu tri thoi gian") == 1.0
    assert header_similarity("ra soat van ban quy pham phap luat cua xa") < 0.5


# ------------------------------------------------------------------------------- table nodes

SPLIT_TABLE = """PHỤ LỤC
TT | Nội dung | Chủ trì | Phối hợp | Sản phẩm | Thời gian
(1) | (2) | (3) | (4) | (5) | (6)
I | CẢI CÁCH THỦ TỤC HÀNH CHÍNH | | | |
1 | Công khai thủ tục hành chính trên Cổng thông tin điện tử của xã | Văn phòng HĐND và UBND xã | Bộ phận Một cửa | Thủ tục được công khai | Quý I/2027
2 | Tổ chức đối thoại với người dân về thủ tục hành | Văn phòng HĐND và UBND xã | Mặt trận Tổ quốc xã | Biên bản | Quý III/2027
- 2 -
T T | Nôi dung | Chu trì | Phôi hợp | San phâm | Thoi gian
 | chính | | | |
II | CẢI CÁCH CHẾ ĐỘ CÔNG VỤ | | | |
1 | Rà soát vị trí việc làm của công chức xã | Phòng Nội vụ xã | | Đề án vị trí việc làm | Tháng 6/2027
 | | Phòng Nội vụ xã | | | Quý II/2027
2 | Theo dõi thi hành pháp luật: | | | |
a | Xây dựng kế hoạch theo dõi | Phòng Nội vụ xã | | Kế hoạch | 10/01/2027
b | Báo cáo theo dõi ¶ hằng năm | Phòng Nội vụ xã | Các ban | Báo cáo | Tháng 12/2027
"""


def test_a_table_split_over_pages_with_a_garbled_repeated_header_is_one_table_node():
    table = pipe_table(lines_of(SPLIT_TABLE), 0)
    assert table.source == "pipes" and table.pages == 2
    assert table.columns == ["number", "content", "lead", "partner", "product", "time"]
    assert [(r.kind, r.first) for r in table.header] == [("header", 2), ("numbering", 3), ("header", 8)]
    groups = [(r.area, r.first) for r in table.rows if r.kind == "group"]
    assert groups == [(2, 4), (4, 10)]
    second = table.body[1]
    # the row continued after the page break is joined to it, with both source lines
    assert second.cells()["content"] == "Tổ chức đối thoại với người dân về thủ tục hành chính"
    assert (second.first, second.last) == (6, 9)
    assert second.cells()["lead"] == "Văn phòng HĐND và UBND xã" and second.cells()["time"] == "Quý III/2027"


def test_a_flattened_table_becomes_a_node_with_cells_per_column():
    text = """PHỤ LỤC
DANH MỤC NHIỆM VỤ
TT
Nội dung
Cơ quan chủ trì
Cơ quan phối hợp
Sản phẩm
Thời gian
I
CẢI CÁCH THỂ CHẾ
1
Rà soát, hệ thống hóa các văn bản quy phạm pháp luật do xã ban hành
Văn phòng HĐND và UBND
Các phòng, ban
Báo cáo rà soát
Quý II/2027
2
Tuyên truyền, phổ biến pháp luật cho cán bộ, công chức và người dân xã
Phòng Văn hóa - Xã hội
Các đoàn thể
Tin, bài
Cả năm 2027
"""
    table = flat_table(lines_of(text), 0)
    assert table.source == "vertical"
    assert [r.kind for r in table.rows] == ["group", "body", "body"]
    first = table.body[0].cells()
    assert first["lead"] == "Văn phòng HĐND và UBND" and first["time"] == "Quý II/2027"
    assert first["product"] == "Báo cáo rà soát" and table.body[0].number == "1"
    assert (table.body[1].first, table.body[1].last) == (18, 22)


def test_without_a_task_table_there_is_no_table_node():
    assert task_tables(lines_of("I. MỤC ĐÍCH\nNâng cao chất lượng phục vụ.\n"), -1) == []


# ------------------------------------------------------------------------------ table → tasks


def test_tasks_are_read_from_the_node_grouped_under_area_rows_with_sub_items():
    warnings: list[str] = []
    tasks, skipped = tasks_from_table(pipe_table(lines_of(SPLIT_TABLE), 0), False, warnings)
    # numbering restarts in each area; the area comes from the area row above
    assert [(t.area, t.number) for t in tasks] == [(2, "1"), (2, "2"), (4, "1"), (4, "2")]
    parent = tasks[3]
    assert [c.number for c in parent.children] == ["a", "b"]
    assert parent.children[1].content == "Báo cáo theo dõi hằng năm"  # two paragraphs, one cell
    assert parent.children[1].partners == ["Các ban"]
    # the row of cells without a task's content is not a task: it is returned as skipped
    assert [(s["lines"], s["part"]) for s in skipped] == [([12, 12], "dòng trong bảng nhiệm vụ")]
    assert "không có nội dung" in skipped[0]["reason"]


def test_numbering_that_runs_on_across_areas_is_kept():
    table = Table(
        source="pipes",
        columns=["number", "content", "lead"],
        rows=[
            TableRow(kind="group", area=1, first=1, last=1),
            TableRow(number="1", content=["Rà soát văn bản"], lead=["Văn phòng"], first=2, last=2),
            TableRow(kind="group", area=2, first=3, last=3),
            TableRow(number="2", content=["Công khai thủ tục"], lead=["Bộ phận Một cửa"], first=4, last=4),
        ],
    )
    tasks, skipped = tasks_from_table(table, False, [])
    assert [(t.area, t.number, t.lead) for t in tasks] == [
        (1, "1", ["Văn phòng"]),
        (2, "2", ["Bộ phận Một cửa"]),
    ]
    assert skipped == []


def test_a_cell_written_over_several_lines_is_one_cell():
    table = Table(
        source="vertical",
        columns=["content", "lead", "partner", "product", "time"],
        rows=[
            TableRow(
                number="1",
                content=["Xây dựng và vận hành", "hệ thống một cửa điện tử"],
                lead=["Trung tâm Phục vụ", "hành chính công"],
                time=["Quý IV/2027 đến", "Quý I/2028"],
                first=5,
                last=10,
                area=2,
            )
        ],
    )
    (task,), _ = tasks_from_table(table, False, [])
    assert task.content == "Xây dựng và vận hành hệ thống một cửa điện tử"
    assert task.lead == ["Trung tâm Phục vụ hành chính công"]
    assert task.time_text == "Quý IV/2027 đến Quý I/2028" and task.lines == (5, 10)


def test_ocr_lines_whose_columns_interleave_become_one_table_node_over_its_pages():
    from cchc.docimport.tests.test_parse import SEEDS

    path = SEEDS / "ke-hoach-cchc-2026-2030-dac-khu-bach-long-vi.txt"
    if not path.exists():
        pytest.skip(f"seed plan not found: {path}")
    from cchc.docimport.structure.sections import _find_appendix

    lines = lines_of(path.read_text(encoding="utf-8"))
    (table,) = task_tables(lines, _find_appendix(lines))
    assert table.source == "interleaved"
    assert table.pages >= 4  # the header repeated on each page, OCR-garbled, stays one table
    assert len(table.body) == 30
    assert all(row.first <= row.last for row in table.body)
