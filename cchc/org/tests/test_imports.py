import io

import pytest
from openpyxl import Workbook

from cchc.core.tabular import ImportFileError
from cchc.org import services
from cchc.org.models import Membership, Unit, User


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_units_import_creates_children_in_file_order(world, personas):
    data = _xlsx(
        [
            ["Mã", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên", "Khối"],
            ["11311", "Phường Hồng Bàng", "Phường", "HP", "Khối phường"],
            ["11311-VHXH", "Phòng Văn hóa - Xã hội", "division", "11311", ""],
        ]
    )
    result = services.units_import(actor=personas["admin"], data=data, filename="don-vi.xlsx")
    assert result == {"created": 2, "updated": 0}
    assert Unit.objects.get(code="11311-VHXH").parent.code == "11311"


def test_units_import_with_one_bad_row_creates_nothing_and_names_row_and_column(world, personas):
    before = Unit.objects.count()
    data = _xlsx(
        [
            ["Mã", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"],
            ["11311", "Phường Hồng Bàng", "Phường", "HP"],
            ["11329", "Phường Ngô Quyền", "Quận", "HP"],
        ]
    )
    with pytest.raises(ImportFileError) as caught:
        services.units_import(actor=personas["admin"], data=data, filename="don-vi.xlsx")
    assert Unit.objects.count() == before
    assert (
        str(caught.value.errors[0]) == "Trang tính «Sheet», dòng 3, cột C: loại đơn vị «Quận» không hợp lệ."
    )


def test_users_import_creates_people_with_roles(world, personas):
    data = "Tên đăng nhập,Họ và tên,Email,Mã đơn vị,Vai trò\nnguyen.an,Nguyễn An,an@hp.gov.vn,10930,Chuyên viên\n".encode()
    result = services.users_import(actor=personas["admin"], data=data, filename="nguoi-dung.csv")
    assert result == {"created": 1, "granted": 1}
    user = User.objects.get(username="nguyen.an")
    assert user.full_name == "Nguyễn An" and not user.has_usable_password()
    assert Membership.objects.get(user=user).role == "officer"


def test_users_import_refuses_unknown_units_and_roles(world, personas):
    data = "Tên đăng nhập,Họ và tên,Mã đơn vị,Vai trò\nx,X,99999,Chuyên viên\ny,Y,10930,Thủ quỹ\n".encode()
    with pytest.raises(ImportFileError) as caught:
        services.users_import(actor=personas["admin"], data=data, filename="u.csv")
    messages = [str(e) for e in caught.value.errors]
    assert "Trang tính «CSV», dòng 2, cột C: không có đơn vị mã «99999»." in messages
    assert "Trang tính «CSV», dòng 3, cột D: vai trò «Thủ quỹ» không hợp lệ." in messages
    assert not User.objects.filter(username__in=["x", "y"]).exists()


def test_only_administrators_import(world, personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.users_import(actor=personas["city_standing"], data=b"", filename="u.csv")
