"""The review page's save: a version is required, junk items and numbers get a Vietnamese error, and a
refused save shows again what the reviewer typed."""

import pytest
from django.urls import reverse

from cchc.docimport import services
from cchc.docimport.models import ImportDraft

PLAN_TEXT = (
    "ỦY BAN NHÂN DÂN\nXÃ MAO ĐIỀN\nSố: 12/KH-UBND\nKẾ HOẠCH\nCải cách hành chính năm 2026\n"
    "I. MỤC ĐÍCH, YÊU CẦU\nTriển khai đồng bộ các nhiệm vụ cải cách hành chính của xã.\n"
    "II. MỤC TIÊU VÀ NHIỆM VỤ CỤ THỂ\n1. Cải cách thủ tục hành chính\na) Mục tiêu\n"
    "- Tỷ lệ hồ sơ giải quyết trực tuyến đạt tối thiểu 85%.\n"
    "b) Nhiệm vụ\n- Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền của xã.\n"
)


@pytest.fixture
def draft(world, personas):
    return services.draft_create(
        actor=personas["officer"], data=PLAN_TEXT.encode(), filename="ke-hoach.txt", issuer=world.mao_dien
    )


def _save(login, personas, draft, data):
    return login(personas["officer"]).post(reverse("docimport:review", args=[draft.pk]), data)


def test_a_save_without_a_version_or_with_junk_is_refused_and_nothing_changes(draft, personas, login):
    for version in (None, "", "abc", "1.0", "-1", "99999999999999999999", "²"):
        data = {"meta__title": "Đã sửa"} | ({} if version is None else {"version": version})
        response = _save(login, personas, draft, data)
        assert response.status_code == 400, version
        assert "Không xác định được phiên bản" in response.content.decode()
        assert 'value="Đã sửa"' in response.content.decode()  # what was typed is shown again
    assert ImportDraft.objects.get(pk=draft.pk).version == 1


@pytest.mark.parametrize("index", ["99", "-1", "1e3", "0.99", "٣", "0.0.0", "99999999999999999999"])
def test_items_that_are_not_in_the_draft_are_refused_with_a_message(draft, personas, login, index):
    response = _save(
        login, personas, draft, {"version": "1", f"k__{index}__content": "x", f"t__{index}__text": "y"}
    )
    assert response.status_code == 400
    assert "không có trong bản nhập" in response.content.decode()
    assert ImportDraft.objects.get(pk=draft.pk).version == 1


@pytest.mark.parametrize("threshold", ["NaN", "Infinity", "-inf", "1e400", "9" * 40])
def test_a_threshold_that_is_not_a_finite_number_is_refused_and_kept_on_the_page(
    draft, personas, login, threshold
):
    response = _save(
        login, personas, draft, {"version": "1", "t__0__threshold": threshold, "t__0__present": "1"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chỉ tiêu 1, ngưỡng" in page and f'value="{threshold}"' in page
    assert ImportDraft.objects.get(pk=draft.pk).version == 1


def test_a_stale_version_is_a_conflict(draft, personas, login):
    assert _save(login, personas, draft, {"version": "1", "meta__title": "Lần một"}).status_code == 302
    response = _save(login, personas, draft, {"version": "1", "meta__title": "Lần hai"})
    assert response.status_code == 409
    assert ImportDraft.objects.get(pk=draft.pk).proposal["title"] == "Lần một"
