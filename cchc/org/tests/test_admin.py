from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.core.models import AuditEntry
from cchc.org.models import Unit


def test_admin_pages_are_for_administrators_only(world, personas, login):
    urls = [
        reverse("admin:org_unit_changelist"),
        reverse("admin:org_user_changelist"),
        reverse("admin:unit_import"),
        reverse("admin:user_import"),
        reverse("admin:org_unit_change", args=[world.mao_dien.pk]),
    ]
    for url in urls:
        assert login(personas["admin"]).get(url).status_code == 200, url
        for persona in ("anonymous", "officer", "city_standing", "leader"):
            response = login(personas[persona]).get(url)
            assert response.status_code == 302 and "/login/" in response["Location"], (persona, url)


def test_the_unit_import_page_reports_errors_and_saves_nothing(world, personas, login):
    before = Unit.objects.count()
    upload = SimpleUploadedFile("u.csv", "Mã,Tên đơn vị,Loại,Mã đơn vị cấp trên\n1,Xã A,Xã,KHONG\n".encode())
    response = login(personas["admin"]).post(reverse("admin:unit_import"), {"file": upload})
    assert "dòng 2, cột D: không có đơn vị cấp trên mã «KHONG»" in response.content.decode()
    assert Unit.objects.count() == before


def test_editing_a_unit_in_the_admin_goes_through_the_service_and_is_audited(world, personas, login):
    url = reverse("admin:org_unit_change", args=[world.nam_sach.pk])
    data = {
        "code": "10606",
        "name": "Xã Nam Sách mới",
        "short_name": "",
        "kind": "commune",
        "block": "commune",
        "parent": world.city.pk,
        "standing_agency_for": "",
        "aliases": "[]",
        "sort_order": 0,
        "is_active": "on",
        "established_on": "",
        "dissolved_on": "",
    }
    response = login(personas["admin"]).post(url, data)
    assert response.status_code == 302
    assert Unit.objects.get(pk=world.nam_sach.pk).name == "Xã Nam Sách mới"
    entry = AuditEntry.objects.filter(object_id=str(world.nam_sach.pk), content_type__model="unit").first()
    assert entry.changes["name"] == ["Xã Nam Sách", "Xã Nam Sách mới"]
    assert entry.actor == personas["admin"]
