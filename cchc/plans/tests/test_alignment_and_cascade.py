import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cchc.plans import selectors, services
from cchc.plans.models import Plan


def test_alignment_names_weaker_stronger_and_missing_targets(world):
    alignment = selectors.plan_alignment(plan=world.plan)
    weaker = alignment.of("weaker")
    assert [row.parent for row in weaker] == [world.city_satisfaction]
    assert weaker[0].reason == "cấp trên ≥ 95%, cấp dưới ≥ 90%"
    assert [row.parent for row in alignment.of("stronger")] == [world.city_online]
    assert [row.parent.text for row in alignment.of("missing")] == [
        "Giảm 15% chi trực tiếp từ ngân sách cho đơn vị sự nghiệp"
    ]


def test_a_target_that_gives_up_its_number_is_weaker(world, personas):
    from cchc.plans.models import Target

    child = Target.objects.get(plan=world.plan, parent_target=world.city_online)
    services.target_update(
        expected_version=child.version,
        actor=personas["officer"],
        target=child,
        comparator="text",
        threshold=None,
    )
    row = next(r for r in selectors.plan_alignment(plan=world.plan).targets if r.parent == world.city_online)
    assert row.verdict == "weaker"
    assert "không lượng hóa" in row.reason


def test_for_reductions_a_smaller_cut_is_weaker(world, personas):
    city_cut = world.city_plan.targets.get(comparator="reduce_by")
    services.target_create(
        actor=personas["officer"],
        plan=world.plan,
        area=5,
        text="Giảm 10% chi",
        comparator="reduce_by",
        threshold=10,
        unit_of_measure="%",
        parent_target=city_cut,
    )
    row = next(r for r in selectors.plan_alignment(plan=world.plan).targets if r.parent == city_cut)
    assert row.verdict == "weaker"


def test_the_alignment_page_lists_the_weaker_target(world, personas, login):
    response = login(personas["officer"]).get(reverse("plans:plan_alignment", args=[world.plan.pk]))
    html = response.content.decode()
    assert "Thấp hơn cấp trên" in html
    assert "cấp trên ≥ 95%, cấp dưới ≥ 90%" in html


def test_concretising_a_plan_carries_chosen_targets_and_tasks_with_their_links(world, personas):
    city_task = services.task_create(
        actor=personas["city_standing"],
        plan=world.city_plan,
        area=2,
        number="1",
        content="Triển khai thanh toán trực tuyến",
        lead=["Sở Nội vụ"],
        time_text="2026-2030",
    )
    plan = services.plan_concretise(
        actor=personas["commune_standing"],
        parent=world.city_plan,
        issuer=world.mao_dien,
        title="Kế hoạch CCHC năm 2026 của xã Mao Điền",
        target_ids=[world.city_satisfaction.pk],
        task_ids=[city_task.pk],
        year_start=2026,
        year_end=2026,
    )
    assert plan.status == Plan.Status.DRAFT and plan.parent == world.city_plan
    target = plan.targets.get()
    assert target.parent_target == world.city_satisfaction and target.threshold == 95
    task = plan.tasks.get()
    assert task.source_task == city_task
    assert list(task.lead_units.all()) == [world.mao_dien]
    alignment = selectors.plan_alignment(plan=plan)
    assert alignment.counts["same"] == 1
    assert alignment.counts["missing"] == 2
    assert alignment.tasks_without_child == []


def test_only_a_unit_below_the_issuer_concretises(world, personas):
    with pytest.raises(ValidationError):
        services.plan_concretise(actor=None, parent=world.plan, issuer=world.nam_sach, title="Sai")


def test_concretise_page_creates_the_draft(world, personas, login):
    client = login(personas["officer"])
    response = client.post(
        reverse("plans:plan_concretise", args=[world.city_plan.pk]),
        {"issuer": world.mao_dien.pk, "title": "Kế hoạch CCHC năm 2027", "targets": [world.city_online.pk]},
    )
    plan = Plan.objects.get(title="Kế hoạch CCHC năm 2027")
    assert response.status_code == 302 and response["Location"] == reverse(
        "plans:plan_detail", args=[plan.pk]
    )
    assert plan.targets.get().parent_target == world.city_online
