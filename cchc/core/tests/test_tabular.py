import pytest

from cchc.core.tabular import ImportFileError, read_workbook


def test_csv_in_utf8_with_semicolons_is_read_with_row_numbers():
    data = "Mã;Tên đơn vị\n10930;Xã Mao Điền\n\n10606;Xã Nam Sách\n".encode()
    sheet = read_workbook(data, "don-vi.csv")[0]
    assert sheet.header == ["Mã", "Tên đơn vị"]
    assert sheet.rows == [(2, ["10930", "Xã Mao Điền"]), (4, ["10606", "Xã Nam Sách"])]


def test_a_file_that_is_not_a_workbook_is_refused_in_vietnamese():
    with pytest.raises(ImportFileError) as caught:
        read_workbook(b"not a zip", "ke-hoach.xlsx")
    assert "không phải là bảng tính Excel" in str(caught.value)


def test_other_formats_are_refused():
    with pytest.raises(ImportFileError, match="Chỉ nhận tệp"):
        read_workbook(b"x", "ke-hoach.docx")
