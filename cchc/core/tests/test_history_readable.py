"""History pages read like Vietnamese: field labels, choice labels, dd/mm/yyyy dates, names, lists."""

from datetime import date

from django.urls import reverse

from cchc.org import services as org
from cchc.plans import services as plans


def _history(client, label: str, pk: int) -> str:
    response = client.get(reverse("object_history", args=[label, pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_status_change_shows_the_field_label_and_the_choice_labels(world, personas, login):
    world.task.refresh_from_db()
    plans.task_update(
        actor=personas["officer"],
        task=world.task,
        expected_version=world.task.version,
        status="in_progress",
        progress=25,
    )
    html = _history(login(personas["head"]), "plans.task", world.task.pk)
    assert "<dt>Trạng thái</dt>" in html and "Chưa thực hiện</span> → Đang thực hiện" in html
    assert "<dt>Tiến độ (%)</dt>" in html or "<dt>Tiến độ</dt>" in html
    for internal in ("not_started", "in_progress", "<dt>status</dt>", "<dt>progress</dt>"):
        assert internal not in html


def test_a_completion_date_is_shown_as_day_month_year(world, personas, login):
    world.task.refresh_from_db()
    plans.task_update(
        actor=personas["officer"],
        task=world.task,
        expected_version=world.task.version,
        status="done",
        progress=100,
        completed_on=date(2026, 3, 9),
    )
    html = _history(login(personas["head"]), "plans.task", world.task.pk)
    assert "09/03/2026" in html and "2026-03-09" not in html
    assert "Hoàn thành" in html


def test_lead_units_are_named_and_joined_not_a_python_list(world, personas, login):
    world.task.refresh_from_db()
    plans.task_update(
        actor=personas["officer"],
        task=world.task,
        expected_version=world.task.version,
        lead=["Văn phòng HĐND và UBND", "Phòng Văn hóa - Xã hội"],
    )
    html = _history(login(personas["head"]), "plans.task", world.task.pk)
    assert "<dt>Đơn vị chủ trì</dt>" in html
    assert "→ Phòng Văn hóa - Xã hội, Văn phòng HĐND và UBND</dd>" in html
    assert "[&#x27;" not in html and "['" not in html and "lead_units" not in html


def test_a_new_plan_shows_its_issuer_by_name_and_its_date_the_vietnamese_way(world, personas, login):
    plan = plans.plan_create(
        actor=personas["officer"],
        issuer=world.mao_dien,
        title="Kế hoạch kiểm soát thủ tục hành chính",
        year_start=2026,
        year_end=2026,
        number="12/KH-UBND",
        issued_on=date(2026, 1, 5),
    )
    html = _history(login(personas["head"]), "plans.plan", plan.pk)
    assert "<dt>Cơ quan ban hành</dt><dd>Xã Mao Điền</dd>" in html
    assert "05/01/2026" in html and "2026-01-05" not in html
    assert "<dt>Ngày ban hành</dt>" in html and "issued_on" not in html
    assert "<dt>Từ năm</dt><dd>2026</dd>" in html  # a year, not "2.026"


def test_a_unit_change_shows_the_kind_label(world, personas, login):
    org.unit_update(actor=personas["admin"], unit=world.nam_sach, kind="ward", name="Phường Nam Sách")
    html = _history(login(personas["admin"]), "org.unit", world.nam_sach.pk)
    assert "Xã</span> → Phường" in html and "Xã Nam Sách</span> → Phường Nam Sách" in html
    assert "commune" not in html


def test_the_history_page_reads_the_same_number_of_queries_for_many_changes(
    world, personas, login, django_assert_max_num_queries
):
    client = login(personas["head"])
    world.task.refresh_from_db()
    plans.task_update(
        actor=personas["officer"],
        task=world.task,
        expected_version=world.task.version,
        status="in_progress",
        progress=5,
    )
    client.get(reverse("object_history", args=["plans.task", world.task.pk]))
    for progress in range(10, 60, 5):
        world.task.refresh_from_db()
        plans.task_update(
            actor=personas["officer"], task=world.task, expected_version=world.task.version, progress=progress
        )
    with django_assert_max_num_queries(12):
        _history(client, "plans.task", world.task.pk)
