"""Plans at city scale: the task list and the plan page against hand-written SQL, and Excel round trips.

    python bench/plans_bench.py [--units 130] [--tasks 60] [--repeat 20]

Uses DATABASE_URL if set (PostgreSQL), else a throw-away SQLite file. Builds a city of N units, each
with a plan of M tasks (bulk insert: this measures reads, not the seeding), then times:
  - the task list as the city's standing agency sees it (first page, count, accent-folded search),
    against one raw SQL query pair that returns the same rows (our floor);
  - a 60-task plan page grouped by area, against raw SQL;
  - Excel export and an all-or-nothing re-import of that plan.
"""

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.django_env import setup_django  # noqa: E402

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from cchc.core.text import fold  # noqa: E402
from cchc.org import services as org  # noqa: E402
from cchc.org.models import Membership, Unit, User  # noqa: E402
from cchc.org.permissions import build_scope  # noqa: E402
from cchc.plans import excel, selectors  # noqa: E402
from cchc.plans.models import Plan, Task  # noqa: E402

WORDS = (
    "Rà soát văn bản quy phạm pháp luật",
    "Công khai thủ tục hành chính",
    "Số hóa hồ sơ",
    "Kiểm tra công tác cải cách hành chính",
    "Đào tạo, bồi dưỡng cán bộ",
    "Thanh toán trực tuyến",
)


def timed(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def build(units: int, tasks_per_plan: int):
    call_command("migrate", verbosity=0)
    city = org.unit_create(actor=None, code="HP", name="Ủy ban nhân dân thành phố Hải Phòng", kind="city")
    home_affairs = org.unit_create(
        actor=None, code="SNV", name="Sở Nội vụ", kind="department", parent=city, standing_agency_for=city
    )
    children = [
        org.unit_create(actor=None, code=f"U{i}", name=f"Xã Số {i}", kind="commune", parent=city)
        for i in range(units - 1)
    ]
    leads = [
        org.unit_create(
            actor=None, code=f"U{i}-VHXH", name="Phòng Văn hóa - Xã hội", kind="division", parent=unit
        )
        for i, unit in enumerate(children)
    ]
    user = User.objects.create(username="snv")
    Membership.objects.create(user=user, unit=home_affairs, role="standing")
    rows, links = [], []
    for index, unit in enumerate([home_affairs, *children]):
        plan = Plan.objects.create(
            issuer=unit, number=f"{index}/KH-UBND", title=f"Kế hoạch {index}", year_start=2026, year_end=2030
        )
        for n in range(tasks_per_plan):
            content = f"{WORDS[n % len(WORDS)]} đợt {n}"
            rows.append(
                Task(
                    plan=plan,
                    area=n % 7,
                    position=n,
                    number=str(n + 1),
                    content=content,
                    lead_text="Phòng Văn hóa - Xã hội",
                    time_text="2026-2030",
                    time_kind="range",
                    start_date=date(2026, 1, 1),
                    end_date=date(2030, 12, 31),
                    search_text=fold(
                        " ".join([str(n + 1), content, "Phòng Văn hóa - Xã hội", "", "", "2026-2030"])
                    ),
                )
            )
    Task.objects.bulk_create(rows, batch_size=2000)
    lead_by_unit = {lead.parent_id: lead.pk for lead in leads}
    for task in Task.objects.select_related("plan").only("id", "plan__issuer_id"):
        if task.plan.issuer_id in lead_by_unit:
            links.append(Task.lead_units.through(task_id=task.pk, unit_id=lead_by_unit[task.plan.issuer_id]))
    Task.lead_units.through.objects.bulk_create(links, batch_size=5000)
    return user, Plan.objects.get(issuer=children[0])


def raw_task_page(path: str, word: str):
    aggregate = (
        "string_agg(u.name, '; ')" if connection.vendor == "postgresql" else "group_concat(u.name, '; ')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM plans_task t JOIN plans_plan p ON p.id = t.plan_id "
            "JOIN org_unit i ON i.id = p.issuer_id WHERE i.path LIKE %s AND t.search_text LIKE %s",
            [path + "%", f"%{word}%"],
        )
        cursor.fetchone()
        cursor.execute(
            f"SELECT t.id, t.number, t.content, t.status, t.progress, t.end_date, p.number, i.name, {aggregate} "
            "FROM plans_task t JOIN plans_plan p ON p.id = t.plan_id JOIN org_unit i ON i.id = p.issuer_id "
            "LEFT JOIN plans_task_lead_units l ON l.task_id = t.id LEFT JOIN org_unit u ON u.id = l.unit_id "
            "WHERE i.path LIKE %s AND t.search_text LIKE %s "
            "GROUP BY t.id, t.number, t.content, t.status, t.progress, t.end_date, p.number, i.name, i.path "
            "ORDER BY i.path, t.plan_id, t.area, t.position, t.id LIMIT 25",
            [path + "%", f"%{word}%"],
        )
        return cursor.fetchall()


def raw_plan_page(plan_id: int):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM plans_target WHERE plan_id = %s ORDER BY area, position", [plan_id])
        cursor.fetchall()
        cursor.execute("SELECT * FROM plans_task WHERE plan_id = %s ORDER BY area, position", [plan_id])
        return cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=130)
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    user, plan = build(args.units, args.tasks)
    total = Task.objects.count()
    print(
        f"database={connection.vendor} units={args.units} tasks={total} build_s={time.perf_counter() - start:.1f}"
    )

    scope = build_scope(user)
    city_path = Unit.objects.get(code="HP").path

    def orm_task_page():
        tasks = selectors.task_list(scope=scope, filters=selectors.TaskFilters(q="van ban"))
        tasks.count()
        for task in tasks[:25]:
            list(task.lead_units.all())

    orm = timed(orm_task_page, args.repeat)
    raw = timed(lambda: raw_task_page(city_path, "van ban"), args.repeat)
    print(f"task_list_page ms={orm * 1000:.1f} raw_sql_ms={raw * 1000:.1f} vs_raw_sql={orm / raw:.2f}x")

    def orm_plan_page():
        sections = selectors.plan_by_area(plan=plan)
        selectors.plan_progress(plan=plan)
        return sections

    orm = timed(orm_plan_page, args.repeat)
    raw = timed(lambda: raw_plan_page(plan.pk), args.repeat)
    print(f"plan_page ms={orm * 1000:.1f} raw_sql_ms={raw * 1000:.1f} vs_raw_sql={orm / raw:.2f}x")

    export = timed(lambda: excel.export_plan(plan), max(3, args.repeat // 4))
    data = excel.export_plan(plan)
    reimport = timed(lambda: excel.import_plan(actor=None, plan=plan, data=data, filename="kh.xlsx"), 3)
    print(
        f"excel tasks={plan.tasks.count()} export_ms={export * 1000:.1f} reimport_unchanged_ms={reimport * 1000:.1f}"
    )


if __name__ == "__main__":
    main()
