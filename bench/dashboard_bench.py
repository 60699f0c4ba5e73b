"""Leader's scorecard at national scale: 34 provinces, 3,321 communes, ~500 departments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_dashboard python bench/dashboard_bench.py [--requests 60]

Empties the database (flush), builds the tree with bulk inserts, rebuilds the snapshot with
``refresh_scorecard`` for two years (timed), gives every row random but plausible figures, then
times the scorecard page through Django's test client (middleware, template, everything but the
network), single client, and prints p50/p95 and the query count:
  - baseline: a small tree (a province with 4 units below), same run, same code;
  - the national root (34 provinces and their blocks summed);
  - one province (≈100 communes + 15 departments below: paginated, 40 a page), sorted by an
    indicator, and the same filtered to the commune block.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.django_env import setup_django  # noqa: E402
from bench.national_tree import national_tree  # noqa: E402

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from cchc.dashboard.models import ScorecardRow  # noqa: E402
from cchc.dashboard.services import refresh_scorecard  # noqa: E402
from cchc.org.models import Unit, User  # noqa: E402


def _unit(code: str, name: str, kind: str, parent: Unit | None, block: str = "") -> Unit:
    return Unit(
        code=code,
        name=name,
        kind=kind,
        block=block,
        parent=parent,
        path="/pending/",
        depth=0 if parent is None else parent.depth + 1,
        name_key=name.lower(),
    )


@transaction.atomic
def build(provinces: int, communes: int, departments: int) -> tuple[Unit, Unit, Unit]:
    """The national tree (``bench/national_tree.py``) and, beside it, a small province (the baseline)."""
    tree = national_tree(provinces, communes, departments)
    root = _unit(tree[0].code, tree[0].name, tree[0].kind, None)
    root.save()
    small = _unit("NHO", "Tỉnh nhỏ (đối chứng)", "city", None)
    small.save()
    for u in (root, small):
        u.path = f"/{u.pk}/"
        u.save(update_fields=["path"])
    Unit.objects.bulk_create(_unit(t.code, t.name, t.kind, root) for t in tree if t.parent == root.code)
    province_list = list(Unit.objects.filter(parent=root).order_by("code"))
    for p in province_list:
        p.path = f"{root.path}{p.pk}/"
    Unit.objects.bulk_update(province_list, ["path"], batch_size=2000)
    by_code = {p.code: p for p in province_list}
    children = [
        _unit(t.code, t.name, t.kind, by_code[t.parent], t.block) for t in tree if t.parent in by_code
    ]
    for i in range(4):
        kind, block = ("commune", "commune") if i % 2 else ("department", "department")
        children.append(_unit(f"NHO{i}", f"Đơn vị nhỏ {i}", kind, small, block))
    Unit.objects.bulk_create(children, batch_size=2000)
    by_id = {u.pk: u for u in [*province_list, small]}
    leaves = list(Unit.objects.filter(depth=2) | Unit.objects.filter(parent=small))
    for u in leaves:
        u.path = f"{by_id[u.parent_id].path}{u.pk}/"
    Unit.objects.bulk_update(leaves, ["path"], batch_size=2000)
    return root, province_list[0], small


def randomise(seed: int = 7) -> None:
    """Plausible figures (the page's cost does not depend on them, the sort order does)."""
    rng = random.Random(seed)
    rows = list(ScorecardRow.objects.all())
    for r in rows:
        r.tasks_total = rng.randint(10, 80)
        r.tasks_done = rng.randint(0, r.tasks_total)
        r.tasks_overdue = rng.randint(0, r.tasks_total - r.tasks_done)
        r.reports_due = 4
        r.reports_on_time = rng.randint(0, 4)
        r.dossiers_finished = rng.randint(100, 5000)
        r.dossiers_on_time = rng.randint(r.dossiers_finished // 2, r.dossiers_finished)
        r.online_den = rng.randint(100, 5000)
        r.online_num = rng.randint(0, r.online_den)
        r.satisfaction = rng.uniform(0.7, 1.0)
        r.par_index = rng.uniform(60, 95)
        r.areas = {str(a): [rng.randint(0, 5), 5] for a in range(7)}
    fields = [
        "tasks_total",
        "tasks_done",
        "tasks_overdue",
        "reports_due",
        "reports_on_time",
        "dossiers_finished",
        "dossiers_on_time",
        "online_den",
        "online_num",
        "satisfaction",
        "par_index",
        "areas",
    ]
    ScorecardRow.objects.bulk_update(rows, fields, batch_size=2000)


def measure(client: Client, url: str, n: int) -> tuple[float, float, int]:
    client.get(url)  # warm
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[max(0, int(round(0.95 * len(samples))) - 1)]
    return statistics.median(samples), p95, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--departments", type=int, default=510)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    start = time.perf_counter()
    root, province, small = build(args.provinces, args.communes, args.departments)
    built = time.perf_counter() - start
    start = time.perf_counter()
    rows = refresh_scorecard(2025) + refresh_scorecard(2026)
    refreshed = time.perf_counter() - start
    randomise()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    units = Unit.objects.count()
    print(
        f"{connection.vendor}: {units} units ({args.provinces} provinces, {args.communes} communes, "
        f"{args.departments} departments), built in {built:.1f} s"
    )
    print(f"refresh_scorecard, two years: {rows} rows in {refreshed:.2f} s")
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    admin = User.objects.create_superuser("bench-admin", password="x")
    client = Client()
    client.force_login(admin)
    url = lambda unit: reverse("dashboard:scorecard_unit", args=[unit.pk])  # noqa: E731
    cases = [
        ("small tree (baseline, 4 units)", url(small)),
        (f"national root ({args.provinces} provinces)", url(root)),
        ("one province, sorted by online share", url(province) + "?sap=truc-tuyen&chieu=giam"),
        ("one province, commune block, page 2", url(province) + "?khoi=commune&sap=nhiem-vu&page=2"),
    ]
    base_p95 = None
    for label, target in cases:
        p50, p95, queries = measure(client, target, args.requests)
        base_p95 = base_p95 or p95
        print(
            f"{label:<42} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {queries:2d} queries  ×{p95 / base_p95:.2f} of baseline p95"
        )


if __name__ == "__main__":
    main()
