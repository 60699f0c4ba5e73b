"""The structure model, the target and task extractors, and the held-out documents.

Plain pytest, no database (except the one test that goes through ``services.propose``)."""

import json
import re
import shutil
from pathlib import Path

import pytest

from bench.docimport_score import documents, read_document, score_document
from cchc.core.text import fold_key
from cchc.docimport.extractors.targets import split_quantities
from cchc.docimport.extractors.tasks import quarter_roman, split_fields
from cchc.docimport.parse import _prepare, parse_plan_text
from cchc.docimport.structure import classify, numbered, outline

DOCUMENTS = Path(__file__).resolve().parent / "documents"


# ------------------------------------------------------------------------------------ numbering


@pytest.mark.parametrize(
    "line, level, label, noisy",
    [
        ("II. MỤC TIÊU", 1, "II", False),
        ("IL. MUC TIEU, CHI TIEU", 1, "II", True),
        ("IIL. NHIEM VU", 1, "III", True),
        ("II MỤC TIÊU VÀ NHIỆM VỤ", 1, "II", True),
        ("2. Một số chỉ tiêu chủ yếu", 2, "2", False),
        ("2.1. Cải cách thể chế", 3, "2.1", False),
        ("c) Tỷ lệ hồ sơ", 3, "c", False),
        ("¢) Ty le ho so truc tuyen", 3, "c", True),
        ("Piéu 1. Ban hanh kem theo", 0, "1", True),
        ("Điều 2. Quyết định có hiệu lực", 0, "2", False),
        ("- 100% thủ tục hành chính", 4, "-", False),
    ],
)
def test_numbering_is_read_in_any_accent_state_and_through_ocr_noise(line, level, label, noisy):
    found = numbered(line)
    assert (found.level, found.label, found.noisy) == (level, label, noisy)


def test_a_plain_sentence_and_a_percentage_are_not_numbering():
    assert numbered("Ủy ban nhân dân xã ban hành Kế hoạch") is None
    assert numbered("100% hồ sơ được số hóa") is None


@pytest.mark.parametrize(
    "title, kinds",
    [
        ("muc dich, yeu cau va chi tieu", {"purpose", "targets"}),
        ("mot so chi tieu chu yeu", {"targets"}),
        ("muc tieu va nhiem vu cu the", {"targets", "tasks"}),
        ("nhiem vu, giai phap", {"tasks", "solutions"}),
        ("kinh phi thuc hien", {"budget"}),
        ("to chuc thuc hien", {"implementation"}),
        ("phu luc", {"appendix"}),
        ("cai cach the che", set()),
    ],
)
def test_sections_are_classified_by_their_words(title, kinds):
    assert classify(title) == kinds


def test_the_outline_nests_sub_sections_under_their_roman_section():
    _raw, lines, _restored = _prepare((DOCUMENTS / "kh-cchc-nam-2027-thanh-pho.txt").read_text())
    sections = outline(lines)
    first = sections[0]
    assert first.label == "I" and first.kinds == {"purpose", "targets"}
    assert [(c.label, sorted(c.kinds)) for c in first.children] == [("1", ["purpose"]), ("2", ["targets"])]
    assert any(s.kinds == {"appendix"} for s in sections)


# -------------------------------------------------------------------------------------- targets


def test_one_sentence_with_several_quantities_gives_one_target_each():
    sentence = (
        "Tỷ lệ thanh toán trực tuyến đạt tối thiểu 60%, đồng thời tỷ lệ hồ sơ được số hóa đạt 100% "
        "và tỷ lệ hồ sơ giải quyết trước và đúng hạn đạt từ 98% trở lên"
    )
    assert split_quantities(sentence) == [
        "Tỷ lệ thanh toán trực tuyến đạt tối thiểu 60%",
        "tỷ lệ hồ sơ được số hóa đạt 100%",
        "tỷ lệ hồ sơ giải quyết trước và đúng hạn đạt từ 98% trở lên",
    ]


def test_a_yearly_plan_with_lettered_targets_under_chi_tieu_in_section_one_yields_them():
    plan = parse_plan_text((DOCUMENTS / "kh-cchc-nam-2027-thanh-pho.txt").read_text())
    assert plan.kind == "yearly" and plan.year_start == plan.year_end == 2027
    got = [(t.comparator, t.threshold) for t in plan.targets]
    assert got == [
        ("eq", 100),
        ("eq", 100),
        ("gte", 98),
        ("gte", 80),
        ("gte", 90),
        ("eq", 100),
        ("reduce_by", 10),
        ("text", None),
    ]
    assert plan.targets[2].lines == (17, 17)
    assert "nhóm dẫn đầu" in plan.targets[-1].text


# ---------------------------------------------------------------------------------------- tasks


def test_labelled_fields_of_a_task_paragraph_are_split_out():
    content, fields = split_fields(
        "Số hóa hồ sơ hộ tịch lưu trữ. Chủ trì: Phòng Văn hóa - Xã hội xã. Thời gian: Quý 2/2027."
    )
    assert content == "Số hóa hồ sơ hộ tịch lưu trữ"
    assert fields == {"lead": "Phòng Văn hóa - Xã hội xã", "time": "Quý 2/2027"}
    assert quarter_roman(fields["time"]) == "Quý II/2027"


# ------------------------------------------------------------------------- never "nothing found"

UNREADABLE_APPENDIX = """ỦY BAN NHÂN DÂN XÃ AN LÃO
Số: 10/KH-UBND                        An Lão, ngày 21 tháng 01 năm 2027
KẾ HOẠCH
Cải cách hành chính năm 2027 của xã An Lão
I. MỤC ĐÍCH, YÊU CẦU
- Nâng cao hiệu quả phục vụ người dân.
II. CHỈ TIÊU
1. 100% hồ sơ thủ tục hành chính được tiếp nhận qua Bộ phận Một cửa.
2. Tỷ lệ hồ sơ trực tuyến toàn trình đạt từ 70% trở lên.
III. TỔ CHỨC THỰC HIỆN
Văn phòng HĐND và UBND xã theo dõi, tổng hợp.
PHỤ LỤC
NHIỆM VỤ NĂM 2027
%%% ### ~~~ ảnh bảng bị mờ ~~~
@@ ## ..
"""


TABLE_WITH_SKIPPED_ROWS = """ỦY BAN NHÂN DÂN XÃ AN LÃO
Số: 11/KH-UBND                        An Lão, ngày 22 tháng 01 năm 2027
KẾ HOẠCH
Cải cách hành chính năm 2027 của xã An Lão
I. MỤC ĐÍCH, YÊU CẦU
- Nâng cao hiệu quả phục vụ người dân.
II. CHỈ TIÊU
1. 100% hồ sơ thủ tục hành chính được tiếp nhận qua Bộ phận Một cửa.
III. TỔ CHỨC THỰC HIỆN
Văn phòng HĐND và UBND xã theo dõi, tổng hợp.
PHỤ LỤC
TT | Nội dung | Chủ trì | Phối hợp | Thời gian
I | CẢI CÁCH THỦ TỤC HÀNH CHÍNH | | |
1 | Công khai thủ tục hành chính trên Cổng thông tin điện tử của xã | Văn phòng HĐND và UBND xã | Bộ phận Một cửa | Quý I/2027
 | | Bộ phận Một cửa | | Quý II/2027
2 | Tổ chức đối thoại với người dân về thủ tục hành chính | Văn phòng HĐND và UBND xã | Mặt trận Tổ quốc xã | Quý III/2027
 | Tổng cộng: 02 nhiệm vụ | | |
"""


def test_rows_skipped_inside_a_read_table_are_listed_as_not_read_with_their_lines_and_reason():
    plan = parse_plan_text(TABLE_WITH_SKIPPED_ROWS)
    assert [t.number for t in plan.tasks] == ["1", "2"] and plan.task_source == "table"
    rows = [(u["part"], u["lines"]) for u in plan.unread]
    assert rows == [("dòng trong bảng nhiệm vụ", [15, 15]), ("dòng trong bảng nhiệm vụ", [17, 17])]
    no_content, merged = plan.to_json()["unread"]
    assert "không có nội dung nhiệm vụ" in no_content["reason"] and "Quý II/2027" in no_content["title"]
    assert "không gọi tên lĩnh vực" in merged["reason"] and "Tổng cộng" in merged["title"]


def test_a_plan_whose_appendix_cannot_be_read_yields_its_targets_and_says_which_part_was_not_read():
    plan = parse_plan_text(UNREADABLE_APPENDIX)
    assert [(t.comparator, t.threshold) for t in plan.targets] == [("eq", 100), ("gte", 70)]
    assert plan.tasks == [] and plan.looks_like_plan
    [part] = plan.unread
    assert part["part"] == "phụ lục nhiệm vụ"
    assert part["lines"] == [12, 16]
    assert "nhập nhiệm vụ bằng tay" in part["reason"]
    assert plan.to_json()["unread"] == [part]


@pytest.mark.django_db
def test_propose_gives_a_partial_draft_for_such_a_plan_and_refuses_a_file_that_is_not_a_plan():
    from django.core.exceptions import ValidationError

    from cchc.docimport.services import propose

    proposal = propose(data=UNREADABLE_APPENDIX.encode(), filename="ke-hoach.txt")
    assert len(proposal["targets"]) == 2 and proposal["unread"][0]["lines"] == [12, 16]
    with pytest.raises(ValidationError):
        propose(data="Thực đơn tuần này: thứ hai cơm gà, thứ ba phở bò.".encode(), filename="thuc-don.txt")


# ---------------------------------------------------------------------------- held-out documents


def _needs_ocr(path: Path) -> bool:
    return path.suffix == ".pdf"


@pytest.mark.parametrize("path, expected", documents(DOCUMENTS), ids=lambda v: getattr(v, "name", ""))
def test_held_out_documents_keep_their_scores(path, expected):
    if _needs_ocr(path) and not shutil.which("tesseract"):
        pytest.skip("tesseract is not installed")
    rows, _elapsed, details = score_document(read_document(path), expected)
    for field in ("tasks", "targets"):
        n_expected, n_predicted, n_matched = rows[field]
        assert n_matched >= 0.85 * n_expected, (field, details)
        assert n_matched >= 0.85 * n_predicted, (field, details)
    assert rows["header (5 fields)"][2] >= 4, details["header"]


def test_every_held_out_document_has_its_hand_written_expectation():
    found = documents(DOCUMENTS)
    assert len(found) >= 7
    for path, expected in found:
        assert path.exists(), path
        assert expected["set"] in ("held-out", "blind")
        assert expected["tasks"] and expected["targets"], path
        json.dumps(expected)


def test_an_issuer_read_from_a_header_in_capitals_keeps_its_place_name_capitalised():
    plan = parse_plan_text((DOCUMENTS / "kh-cchc-nam-2027-thanh-pho.txt").read_text())
    assert plan.issuer == "Ủy ban nhân dân thành phố Hải Phòng"


def test_targets_given_as_an_appendix_table_are_read_row_by_row():
    plan = parse_plan_text((DOCUMENTS / "kh-cchc-2027-so-noi-vu-phu-luc-chi-tieu.txt").read_text())
    assert [(t.text, t.comparator, t.threshold) for t in plan.targets] == [
        ("Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn", "gte", 98),
        ("Tỷ lệ văn bản đi được ký số", "eq", 100),
        ("Tỷ lệ hồ sơ trực tuyến toàn trình", "gte", 80),
        ("Số cuộc họp trực tiếp so với năm 2026", "reduce_by", 15),
    ]
    assert len(plan.tasks) == 3  # the task table of Phụ lục II is not read as targets


def test_the_structure_model_reads_first_and_the_older_rules_only_where_they_read_more():
    yearly = parse_plan_text((DOCUMENTS / "kh-cchc-nam-2027-thanh-pho.txt").read_text())
    assert (yearly.target_source, yearly.task_source) == ("structure", "table")
    text = (DOCUMENTS / "kh-cchc-2026-2030-so-tu-phap-bang-cot-khac.txt").read_text()
    plan = parse_plan_text(text)
    # the a/b rows of the Sở Tư pháp table are sub-items of row 3, read from the table node
    third = next(t for t in plan.tasks if t.number == "3")
    assert [c.number for c in third.children] == ["a", "b"]
    assert plan.target_source == "structure"


def test_a_lettered_area_row_of_an_ocr_table_keeps_its_letter_through_restoration():
    text = (DOCUMENTS / "blind-kh-cchc-2027-phuong-lam-ha-ocr-bang-tach-trang.txt").read_text()
    _raw, lines, restored = _prepare(text)
    letters = [ln.text.split(" | ")[0] for ln in lines if re.match(r"^\S{1,3} \| .+ \| \| \| \|$", ln.text)]
    assert restored and letters == ["A", "B", "C", "D"]  # not "Cơ", "Đề"


def test_an_unknown_ward_in_the_header_is_named_like_the_known_ones():
    plan = parse_plan_text(
        "UY BAN NHAN DAN CONG HOA XA HOI CHU NGHIA VIET NAM\n"
        "PHUONG LAM HA Doc lap - Tu do - Hanh phuc\n"
        "So: 14/KH-UBND Lam Ha, ngay 12 thang 01 nam 2027\n\nKE HOACH\n"
        "Cai cach hanh chinh nam 2027 cua phuong Lam Ha\nI. MUC DICH, YEU CAU\n- Nang cao chat luong.\n"
    )
    assert fold_key(plan.issuer) == "phuong lam ha" and plan.issuer.startswith("Phường ")
