"""The upload guard on its own: limits, messages, the zip directory, rows, PDFs, images, the child."""

import io
import time
import zipfile

import pytest

from cchc.core import uploads
from cchc.core.tabular import ImportFileError, read_workbook
from cchc.core.tests import samples


def _refused(func, *args, **kwargs) -> tuple[str, float]:
    started = time.perf_counter()
    with pytest.raises(uploads.UploadRefused) as caught:
        func(*args, **kwargs)
    return " ".join(caught.value.messages), time.perf_counter() - started


def test_numbers_in_messages_use_the_vietnamese_separators():
    assert uploads.vn_int(1_999_950) == "1.999.950"
    assert uploads.vn_size(100 * 1024 * 1024) == "100 MB"
    assert uploads.vn_size(int(400.6 * 1024 * 1024)) == "400,6 MB"


def test_a_long_error_list_shows_the_first_ones_and_counts_the_rest():
    shown = uploads.capped([f"dòng {n}: thiếu nội dung." for n in range(2_000_000)], shown=50)
    assert len(shown) == 51
    assert shown[0] == "dòng 0: thiếu nội dung."
    assert shown[-1] == "và 1.999.950 lỗi khác."
    assert uploads.capped(["một lỗi"], shown=50) == ["một lỗi"]


def test_import_errors_are_capped_where_they_are_shown(settings):
    settings.IMPORT_ERRORS_SHOWN = 3
    error = ImportFileError([f"lỗi {n}" for n in range(10)])
    assert error.count == 10
    assert error.shown == ["lỗi 0", "lỗi 1", "lỗi 2", "và 7 lỗi khác."]


def test_a_docx_that_inflates_to_400_mb_is_refused_from_its_directory_in_under_a_second():
    bomb = samples.docx_bomb()
    assert len(bomb) < 1.2 * samples.MB
    message, seconds = _refused(uploads.check_zip, bomb, name="ke-hoach.docx")
    print(f"\ndocx bomb ({len(bomb)} bytes → 400 MB): refused in {seconds:.3f} s")
    assert message.startswith("Tệp giải nén ra quá lớn (400,6 MB), giới hạn là 100 MB")
    assert seconds < samples.EARLY_REFUSAL_SECONDS


def test_a_zip_with_too_many_entries_or_one_suspiciously_compressed_entry_is_refused(settings):
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(30):
            archive.writestr(f"tep-{n}.txt", "x")
    settings.UPLOAD_ZIP_MAX_ENTRIES = 20
    assert "quá nhiều thành phần (30), giới hạn là 20" in _refused(uploads.check_zip, many.getvalue())[0]

    dense = io.BytesIO()
    with zipfile.ZipFile(dense, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (20 * samples.MB))
    assert "thành phần nén bất thường" in _refused(uploads.check_zip, dense.getvalue())[0]


def test_data_put_in_front_of_a_zip_is_refused():
    message, _ = _refused(uploads.check_zip, b"MZ" + b"\0" * 100 + samples.tiny_docx())
    assert "dữ liệu lạ nằm trước nội dung nén" in message


def test_a_million_row_sheet_is_refused_at_the_row_limit_in_under_a_second_without_reading_it():
    import tracemalloc

    workbook = samples.xlsx_rows(1_000_000)
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read_workbook(workbook, "ke-hoach.xlsx")
    seconds = time.perf_counter() - started
    assert "giới hạn mỗi lần nhập là 20.000 dòng" in caught.value.shown[0]
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    tracemalloc.start()  # a second read for its memory: tracing slows Python, so not timed
    with pytest.raises(ImportFileError):
        read_workbook(workbook, "ke-hoach.xlsx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"\nxlsx of 1.000.000 rows ({len(workbook)} bytes): refused in {seconds:.3f} s, peak {peak / 1e6:.0f} MB"
    )
    assert peak < 100 * 1024 * 1024


def test_rows_just_over_the_limit_stop_the_reading_with_the_same_message(settings):
    settings.IMPORT_MAX_ROWS = 100
    with pytest.raises(ImportFileError) as caught:
        read_workbook(samples.xlsx_rows(1200), "ke-hoach.xlsx")
    assert "giới hạn mỗi lần nhập là 100 dòng" in caught.value.shown[0]
    csv = ("Mã;Tên\n" + "".join(f"{n};Đơn vị {n}\n" for n in range(200))).encode()
    with pytest.raises(ImportFileError, match="hơn 100 dòng dữ liệu"):
        read_workbook(csv, "don-vi.csv")
    assert len(read_workbook(samples.xlsx_rows(90), "ke-hoach.xlsx")[0].rows) == 90


def test_a_pdf_over_the_page_limit_is_refused_from_its_page_tree(settings):
    settings.UPLOAD_PDF_MAX_PAGES = 2
    message, seconds = _refused(uploads.check_pdf_pages, samples.tiny_pdf(3), name="dai.pdf")
    assert message == "Tệp PDF «dai.pdf» có quá nhiều trang (3), giới hạn là 2 trang."
    assert uploads.check_pdf_pages(samples.tiny_pdf(2)) == 2


def test_a_25_mb_junk_pdf_is_refused_in_under_a_second():
    junk = samples.junk_pdf()
    message, seconds = _refused(uploads.check_pdf_structure, junk, name="rac.pdf")
    print(f"\njunk PDF of 25 MB: structure refused in {seconds:.3f} s")
    assert "thiếu phần kết thúc" in message
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    message, seconds = _refused(uploads.check_pdf_structure, junk + b"\n%%EOF\n", name="rac.pdf")
    print(f"junk PDF of 25 MB with an end marker: structure refused in {seconds:.3f} s")
    assert "không có nội dung PDF nào" in message
    assert seconds < samples.EARLY_REFUSAL_SECONDS
    # Junk dressed with an object and an end marker is left to pdfium, which scans it once, in C.
    dressed = junk + b"\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    uploads.check_pdf_structure(dressed, name="rac.pdf")
    message, seconds = _refused(uploads.check_pdf_pages, dressed, name="rac.pdf")
    print(f"junk PDF of 25 MB dressed as a PDF: pdfium refused in {seconds:.3f} s")
    assert "không phải PDF hợp lệ" in message
    assert seconds < 3  # about 0.4 s on an idle two-core machine


_BAD_EVIDENCE = {
    "pdf-exe": lambda: samples.pdf_exe_polyglot(),
    "pdf-html": lambda: samples.tiny_pdf() + b"<html><script>alert(1)</script></html>",
    "html-jpeg": lambda: samples.html_behind_jpeg(),
    "jpeg-html": lambda: samples.jpeg_with_html_after_it(),
    "png-script": lambda: samples.tiny_image("PNG") + b"<script>x</script>",
    "png-as-jpg": lambda: samples.tiny_image("PNG"),
    "docx-bomb": lambda: samples.docx_bomb(),
    "docx-as-xlsx": lambda: samples.tiny_docx(),
    "ole-html": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"<html><script>",
}


@pytest.mark.parametrize(
    ("sample", "name", "extension", "message"),
    [
        ("pdf-exe", "bao-cao.pdf", "pdf", "chương trình (EXE) nằm trước phần đầu «%PDF»"),
        ("pdf-html", "bao-cao.pdf", "pdf", "sau phần kết thúc"),
        ("html-jpeg", "anh.jpg", "jpg", "không phải ảnh .jpg hợp lệ"),
        ("jpeg-html", "anh.jpg", "jpg", "sau phần kết thúc của ảnh"),
        ("png-script", "anh.png", "png", "sau phần kết thúc của ảnh"),
        ("png-as-jpg", "anh.jpg", "jpg", "không phải ảnh .jpg hợp lệ"),
        ("docx-bomb", "bom.docx", "docx", "Tệp giải nén ra quá lớn"),
        ("docx-as-xlsx", "bang.xlsx", "xlsx", "không phải bảng tính Excel (.xlsx) hợp lệ"),
        ("ole-html", "cu.doc", "doc", "mã trang web"),
    ],
)
def test_evidence_is_checked_from_first_byte_to_last(sample, name, extension, message):
    data = _BAD_EVIDENCE[sample]()
    text, seconds = _refused(uploads.check_evidence_content, data, name=name, extension=extension)
    assert message in text
    assert seconds < samples.EARLY_REFUSAL_SECONDS


_GOOD_EVIDENCE = {
    "pdf": lambda: samples.tiny_pdf(2),
    "png": lambda: samples.tiny_image("PNG"),
    "jpg": lambda: samples.tiny_image("JPEG"),
    "docx": lambda: samples.tiny_docx(),
}


@pytest.mark.parametrize("extension", sorted(_GOOD_EVIDENCE))
def test_honest_evidence_passes(extension):
    uploads.check_evidence_content(_GOOD_EVIDENCE[extension](), name=f"tep.{extension}", extension=extension)


def test_the_child_process_is_killed_at_its_time_limit_with_a_vietnamese_message():
    started = time.perf_counter()
    with pytest.raises(uploads.BoundedFailure, match="quá thời gian cho phép \\(1 giây\\)"):
        uploads.run_bounded("time:sleep", 30, seconds=1)
    assert time.perf_counter() - started < 3


def test_the_child_process_cannot_take_more_memory_than_its_cap():
    with pytest.raises(uploads.BoundedFailure, match="quá nhiều bộ nhớ \\(giới hạn 300 MB\\)"):
        uploads.run_bounded("builtins:bytearray", 2 * 1024 * 1024 * 1024, memory_mb=300)


def test_the_child_returns_results_and_raises_the_functions_own_errors():
    assert uploads.run_bounded("cchc.core.uploads:vn_int", 1234567) == "1.234.567"
    from cchc.docimport.extract import ExtractError

    with pytest.raises(ExtractError, match="Tệp là hình ảnh"):
        uploads.run_bounded("cchc.docimport.extract:extract_text", samples.tiny_image("PNG"), "anh.png")


def test_only_so_many_children_run_at_once_and_the_next_upload_is_told_to_come_back(settings):
    import threading

    settings.UPLOAD_PROCESS_CONCURRENCY = 1
    settings.UPLOAD_PROCESS_WAIT_SECONDS = 0.3
    busy = threading.Thread(target=uploads.run_bounded, args=("time:sleep", 2), kwargs={"seconds": 5})
    busy.start()
    time.sleep(0.5)  # the first child holds the only place
    try:
        with pytest.raises(uploads.BoundedFailure, match="đang đọc nhiều tệp cùng lúc"):
            uploads.run_bounded("cchc.core.uploads:vn_int", 1)
    finally:
        busy.join()
    assert uploads.run_bounded("cchc.core.uploads:vn_int", 1000) == "1.000"
