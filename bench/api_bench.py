"""API reads against the equivalent pages, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python bench/api_bench.py [--requests 300]

Creates a throw-away test database (test_<db> on PostgreSQL, a temporary file on SQLite), builds a
city with a commune whose plan has 60 tasks and a year of dossiers (so the commune has KPI figures),
then times, through Django's test Client (the whole request: middleware, auth, the token's audit
INSERT, serialisation; no network), single client, after a warm-up:
  - plan read: GET /api/v1/plans/{id} + GET /api/v1/plans/{id}/tasks?limit=60 with a read token,
    against the plan page /ke-hoach/{id}/ for the commune's officer;
  - KPI read: GET /api/v1/kpi/{code} with the token, against /dich-vu-cong/?don-vi={code}.
Prints p50/p95 per request and the API/page ratio of the medians.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DOSSIER_STORE_DIR", tempfile.mkdtemp(prefix="api-bench-store-"))
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="api-bench-media-"))
from bench.django_env import setup_django  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def build(tasks: int):
    from cchc.api import services as api_services
    from cchc.delivery import services as delivery
    from cchc.delivery.tests.factories import dossier, write_csv
    from cchc.org import services as org
    from cchc.plans import services as plans

    city = org.unit_create(actor=None, code="31", name="Thành phố Hải Phòng", kind="city")
    org.unit_create(
        actor=None, code="SNV", name="Sở Nội vụ", kind="department", parent=city, standing_agency_for=city
    )
    commune = org.unit_create(actor=None, code="10930", name="Xã Mao Điền", kind="commune", parent=city)
    for i in range(20):
        org.unit_create(actor=None, code=f"2{i:04d}", name=f"Xã Số {i}", kind="commune", parent=city)
    plan = plans.plan_create(
        actor=None,
        issuer=commune,
        number="12/KH-UBND",
        title="Kế hoạch cải cách hành chính năm 2026 của xã Mao Điền",
        year_start=2026,
        year_end=2026,
    )
    for n in range(tasks):
        plans.task_create(
            actor=None,
            plan=plan,
            area=1 + n % 6,
            number=str(n + 1),
            content=f"Rà soát, đơn giản hóa thủ tục hành chính đợt {n + 1}",
        )
    plan = plans.plan_update(expected_version=plan.version, actor=None, plan=plan, status="issued")
    officer = org.user_create(actor=None, username="officer", password="mat-khau-bench", full_name="Cán bộ")
    org.membership_grant(actor=None, user=officer, unit=commune, role="officer")
    rows = [
        dossier("10930", i, f"2026-{1 + i % 11:02d}-{1 + i % 27:02d} 09:00", done_days=1 if i % 5 else 6)
        for i in range(1, 3001)
    ]
    path = write_csv(Path(tempfile.mkdtemp()) / "mot-cua.csv", rows)
    delivery.dossiers_import(actor=None, path=path)
    _, secret = api_services.token_create(
        actor=None, integration_name="Cổng thông tin", unit=commune, access="read"
    )
    return plan, commune, officer, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def measure(client: Client, urls: list[str], requests: int, **headers) -> list[float]:
    """Milliseconds per round over ``urls`` (one or two GETs), after ten warm-up rounds."""
    for _ in range(10):
        for url in urls:
            assert client.get(url, **headers).status_code == 200, url
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        for url in urls:
            client.get(url, **headers)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--tasks", type=int, default=60)
    args = parser.parse_args()

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        plan, commune, officer, token = build(args.tasks)
        api = Client()
        page = Client()
        page.force_login(officer)
        runs = {
            "plan API (detail + tasks)": measure(
                api,
                [f"/api/v1/plans/{plan.pk}", f"/api/v1/plans/{plan.pk}/tasks?limit=60"],
                args.requests,
                **token,
            ),
            "plan page": measure(page, [f"/ke-hoach/{plan.pk}/"], args.requests),
            "KPI API": measure(api, [f"/api/v1/kpi/{commune.code}"], args.requests, **token),
            "KPI page": measure(page, [f"/dich-vu-cong/?don-vi={commune.code}"], args.requests),
        }
        tasks = len(api.get(f"/api/v1/plans/{plan.pk}/tasks?limit=60", **token).json()["items"])
        queries = {}
        for label, client, url, headers in (
            ("plan detail API", api, f"/api/v1/plans/{plan.pk}", token),
            ("plan tasks API", api, f"/api/v1/plans/{plan.pk}/tasks?limit=60", token),
            ("plan page", page, f"/ke-hoach/{plan.pk}/", {}),
            ("KPI API", api, f"/api/v1/kpi/{commune.code}", token),
            ("KPI page", page, f"/dich-vu-cong/?don-vi={commune.code}", {}),
        ):
            with CaptureQueriesContext(connection) as captured:
                client.get(url, **headers)
            queries[label] = len(captured)
        print(
            f"db={connection.vendor} ({name}) tasks={tasks} requests={args.requests} single client, Django test Client"
        )
        for label, samples in runs.items():
            print(
                f"{label:28s} p50 {statistics.median(samples):7.2f} ms   p95 {percentile(samples, 0.95):7.2f} ms"
                f"   max {max(samples):7.2f} ms"
            )
        print("queries per request: " + ", ".join(f"{k} {v}" for k, v in queries.items()))
        for what in ("plan", "KPI"):
            api_ms = statistics.median(runs[f"{what} API" + (" (detail + tasks)" if what == "plan" else "")])
            page_ms = statistics.median(runs[f"{what} page"])
            print(f"ratio {what} API / page (p50)   {api_ms / page_ms:.2f}")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
