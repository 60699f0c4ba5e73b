"""The demo: Hải Phòng's units, the city plan 3470/QĐ-UBND and the three seed plans that concretise
it (transcribed with restored diacritics in data/plan_*.json), people for every role, and some
progress so the pages are not empty. Everything is written through the services, as a user would."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from cchc.delivery.selectors import current_import
from cchc.demo.delivery_seed import DEMO_DOSSIERS, load_delivery_demo
from cchc.demo.initiatives_seed import load_initiatives_demo
from cchc.demo.reporting_seed import load_reporting_demo
from cchc.demo.scoring_seed import load_scoring_demo
from cchc.demo.surveys_seed import load_surveys_demo
from cchc.demo.units import CITY_CODE, department_code, load_units
from cchc.org import services as org_services
from cchc.org.models import Membership, Unit
from cchc.org.selectors import UnitMatcher
from cchc.plans import services as plan_services
from cchc.plans.models import Plan, Target, Task

DATA = Path(__file__).parent / "data"
PLAN_FILES = [
    "plan_city_3470.json",
    "plan_so_gddt_6252.json",
    "plan_bach_long_vi_95.json",
    "plan_mao_dien_84.json",
]
DEMO_PASSWORD = "cchc@2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit_code: str
    role: str
    position: str


DEMO_USERS = [
    DemoUser("quantri", "Quản trị hệ thống", CITY_CODE, Membership.Role.ADMIN, "Quản trị viên"),
    DemoUser(
        "snv.thuongtruc",
        "Trần Thị Thu Hà",
        "SNV",
        Membership.Role.STANDING,
        "Chuyên viên Phòng CCHC, Sở Nội vụ",
    ),
    DemoUser(
        "lanhdao.thanhpho", "Lê Văn Minh", CITY_CODE, Membership.Role.VIEWER, "Phó Chủ tịch UBND thành phố"
    ),
    DemoUser(
        "sgddt.vanphong", "Phạm Thị Lan", "SGDDT-VP", Membership.Role.STANDING, "Chuyên viên Văn phòng Sở"
    ),
    DemoUser("sgddt.chuyenvien", "Vũ Đức Thắng", "SGDDT", Membership.Role.OFFICER, "Chuyên viên Sở GD&ĐT"),
    DemoUser(
        "maodien.vhxh",
        "Nguyễn Thị Hồng",
        "10930-VHXH",
        Membership.Role.STANDING,
        "Công chức Phòng Văn hóa - Xã hội",
    ),
    DemoUser(
        "maodien.chuyenvien", "Đỗ Văn Hùng", "10930", Membership.Role.OFFICER, "Công chức UBND xã Mao Điền"
    ),
    DemoUser(
        "maodien.vanphong",
        "Bùi Thị Mai",
        "10930-VP",
        Membership.Role.OFFICER,
        "Công chức Văn phòng HĐND và UBND",
    ),
    DemoUser(
        "maodien.lanhdao", "Nguyễn Đình Hiền", "10930", Membership.Role.HEAD, "Phó Chủ tịch UBND xã Mao Điền"
    ),
    DemoUser(
        "blv.chuyenvien",
        "Hoàng Văn Biển",
        "11948",
        Membership.Role.OFFICER,
        "Công chức UBND đặc khu Bạch Long Vĩ",
    ),
    DemoUser(
        "blv.lanhdao", "Đặng Quốc Đảo", "11948", Membership.Role.HEAD, "Chủ tịch UBND đặc khu Bạch Long Vĩ"
    ),
    DemoUser(
        "namsach.chuyenvien", "Trịnh Văn Nam", "10606", Membership.Role.OFFICER, "Công chức UBND xã Nam Sách"
    ),
]


def _read(name: str) -> dict:
    with open(DATA / name, encoding="utf-8") as handle:
        return json.load(handle)


def _issuer_code(code: str) -> str:
    if code == "CITY":
        return CITY_CODE
    return code if code.isdigit() else department_code(code)


def demo_loaded() -> bool:
    return Unit.objects.filter(code=CITY_CODE).exists()


@transaction.atomic
def load_demo(*, with_progress: bool = True, dossiers: int = DEMO_DOSSIERS) -> dict[str, int]:
    documents = [_read(name) for name in PLAN_FILES]
    extra = {_issuer_code(d["plan"]["issuer_code"]): d.get("sub_units", []) for d in documents}
    units = load_units(extra_sub_units=extra)
    matcher = UnitMatcher()
    plans: dict[str, Plan] = {}
    city_targets: dict[str, Target] = {}
    for document in documents:
        meta = document["plan"]
        issuer = units[_issuer_code(meta["issuer_code"])]
        plan = plan_services.plan_create(
            actor=None,
            issuer=issuer,
            number=meta["number"],
            title=meta["title"],
            issued_on=date.fromisoformat(meta["date"]) if meta.get("date") else None,
            kind=meta.get("kind") or Plan.Kind.PERIOD,
            year_start=meta["year_start"],
            year_end=meta["year_end"],
            parent=plans.get(meta.get("parent_number") or ""),
            status=Plan.Status.ISSUED,
            signer=meta.get("signer") or "",
            signer_title=meta.get("signer_title") or "",
        )
        plans[meta["number"]] = plan
        for position, item in enumerate(document["targets"], start=1):
            target = plan_services.target_create(
                actor=None,
                plan=plan,
                area=item["area"],
                text=item["text"],
                metric=item.get("metric") or "",
                comparator=item["comparator"],
                threshold=item.get("threshold"),
                unit_of_measure=item.get("unit") or "",
                deadline_year=item.get("deadline_year"),
                key=item.get("key") or "",
                position=position,
                parent_target=city_targets.get(item.get("parent_key") or ""),
            )
            if item.get("key"):
                city_targets[item["key"]] = target
        position = 0
        for item in document["tasks"]:
            position += 10
            task = _task(plan, item, position, matcher, parent=None)
            for child_position, child in enumerate(item.get("children") or [], start=1):
                _task(
                    plan,
                    {**child, "area": child.get("area", item["area"])},
                    position + child_position,
                    matcher,
                    parent=task,
                )
    for person in DEMO_USERS:
        user = org_services.user_create(
            actor=None,
            username=person.username,
            password=DEMO_PASSWORD,
            full_name=person.full_name,
            email=f"{person.username}@haiphong.gov.vn",
            position=person.position,
            is_superuser=person.role == Membership.Role.ADMIN,
        )
        org_services.membership_grant(actor=None, user=user, unit=units[person.unit_code], role=person.role)
    if with_progress:
        _progress(plans)
        # Dossiers before reports: a report opened for a period starts from the KPIs of its window.
        if dossiers:
            load_delivery_demo(rows=dossiers)
        load_reporting_demo()
        load_surveys_demo()
        load_initiatives_demo()
        load_scoring_demo()
    return {
        "units": Unit.objects.count(),
        "plans": Plan.objects.count(),
        "targets": Target.objects.count(),
        "tasks": Task.objects.count(),
        "dossiers": getattr(current_import(), "total_after", 0),
    }


def _task(plan: Plan, item: dict, position: int, matcher: UnitMatcher, parent: Task | None) -> Task:
    return plan_services.task_create(
        actor=None,
        plan=plan,
        area=item["area"],
        content=item["content"],
        number=item.get("number") or ("-" if parent else ""),
        lead=item.get("lead") or [],
        partners=item.get("partners") or [],
        product=item.get("product") or "",
        time_text=item.get("time_text") or "",
        position=position,
        parent=parent,
        matcher=matcher,
    )


# (plan number, task number, area, status, progress, result)
PROGRESS = [
    (
        "84/KH-UBND",
        "1",
        1,
        Task.Status.DONE,
        100,
        "Đã rà soát 46 văn bản; đề nghị bãi bỏ 3, sửa đổi 5 văn bản cho phù hợp chính quyền địa phương 2 cấp.",
    ),
    (
        "84/KH-UBND",
        "2",
        1,
        Task.Status.IN_PROGRESS,
        60,
        "Đã ban hành Kế hoạch rà soát văn bản năm 2026; đang tổng hợp kết quả quý I.",
    ),
    (
        "84/KH-UBND",
        "5",
        1,
        Task.Status.IN_PROGRESS,
        40,
        "Đã phân công theo dõi thi hành pháp luật trong 4 lĩnh vực trọng tâm.",
    ),
    (
        "84/KH-UBND",
        "1",
        2,
        Task.Status.IN_PROGRESS,
        50,
        "Tỷ lệ hồ sơ trực tuyến quý I/2026 đạt 78,4%; đúng hạn 99,1%.",
    ),
    (
        "84/KH-UBND",
        "3",
        2,
        Task.Status.IN_PROGRESS,
        70,
        "Trung tâm Phục vụ hành chính công vận hành theo Nghị định 118/2025/NĐ-CP.",
    ),
    (
        "84/KH-UBND",
        "1",
        3,
        Task.Status.DONE,
        100,
        "Đã ban hành quy chế làm việc của UBND xã nhiệm kỳ 2025–2030.",
    ),
    ("84/KH-UBND", "1", 4, Task.Status.IN_PROGRESS, 30, ""),
    (
        "84/KH-UBND",
        "1",
        6,
        Task.Status.IN_PROGRESS,
        55,
        "85% hồ sơ công việc được xử lý trên môi trường mạng.",
    ),
    (
        "95/QĐ-UBND",
        "1",
        1,
        Task.Status.DONE,
        100,
        "Đã hoàn thành rà soát văn bản quy phạm pháp luật năm 2026.",
    ),
    (
        "95/QĐ-UBND",
        "6",
        2,
        Task.Status.IN_PROGRESS,
        45,
        "Niêm yết công khai 100% TTHC tại Trung tâm Phục vụ hành chính công.",
    ),
    ("95/QĐ-UBND", "16", 4, Task.Status.PAUSED, 20, "Chờ hướng dẫn của Sở Nội vụ về vị trí việc làm."),
    (
        "6252/KH-SGDĐT",
        "1.1",
        1,
        Task.Status.IN_PROGRESS,
        50,
        "Đã rà soát các văn bản hướng dẫn chuyên môn năm học 2025–2026.",
    ),
    (
        "6252/KH-SGDĐT",
        "2.1",
        2,
        Task.Status.DONE,
        100,
        "Công bố danh mục TTHC ngành giáo dục trên Cổng Dịch vụ công quốc gia.",
    ),
]


def _progress(plans: dict[str, Plan]) -> None:
    for number, task_number, area, status, progress, result in PROGRESS:
        plan = plans.get(number)
        task = plan and plan.tasks.filter(number=task_number, area=area, parent=None).first()
        if task is None:
            continue
        completed = date(2026, 3, 20) if status in Task.FINISHED else None
        plan_services.task_update(
            actor=None,
            task=task,
            expected_version=task.version,
            status=status,
            progress=progress,
            result=result,
            completed_on=completed,
        )
