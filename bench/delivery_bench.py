"""Service delivery in the app: the whole import path and the KPI pages over N dossiers.

    python bench/delivery_bench.py [--rows 1000000] [--repeat 5]

Uses DATABASE_URL if set (PostgreSQL), else a throw-away SQLite file; the dossier store goes to a
temporary directory. Builds Hải Phòng's 606 units, generates N dossiers of one year (CSV), then times:
  - the first import through `dossiers_import` (read and check every row, write the snapshot,
    compute the KPIs, store the month figures), and a re-import of the same file (nothing changes);
  - the KPI pages as the city's leader sees them (the city for the year, a commune for a quarter),
    against the raw SQL reading the same month figures (our floor for a page);
  - the late-dossier pages of the city and of a commune for the year, against the bare DuckDB
    query behind each;
  - the Excel export of the city's KPI tables.
Peak memory is ru_maxrss of this process.
"""

import argparse
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.django_env import setup_django  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from cchc.delivery import selectors, services, store  # noqa: E402
from cchc.delivery.kpi.generator import write_file  # noqa: E402
from cchc.demo.units import load_units  # noqa: E402
from cchc.org import services as org  # noqa: E402
from cchc.org.models import Unit  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="delivery-bench-"))
    settings.DOSSIER_STORE_DIR = work / "store"
    setup_test_environment()
    warnings.filterwarnings("ignore", message="No directory at")
    call_command("migrate", verbosity=0)
    load_units()
    city = Unit.objects.get(code="HP")
    leader = org.user_create(actor=None, username="lanhdao", password="x", full_name="Lãnh đạo")
    org.membership_grant(actor=None, user=leader, unit=city, role="viewer")
    print(f"rows={args.rows:,} db={connection.vendor} units={Unit.objects.count()}")

    path = work / "ho-so.csv"
    start = time.perf_counter()
    write_file(path, args.rows, 2026, "csv")
    print(f"generate CSV      {time.perf_counter() - start:7.2f} s  ({path.stat().st_size / 2**20:,.0f} MiB)")

    start = time.perf_counter()
    first = services.dossiers_import(actor=None, path=path)
    seconds = time.perf_counter() - start
    assert first.status == "succeeded", first.errors[:3]
    print(
        f"first import      {seconds:7.2f} s  ({args.rows / seconds:,.0f} rows/s; inserted {first.inserted:,}; "
        f"{selectors.KpiFigure.objects.count():,} month figures)"
    )
    start = time.perf_counter()
    again = services.dossiers_import(actor=None, path=path)
    seconds = time.perf_counter() - start
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, args.rows)
    print(f"same file again   {seconds:7.2f} s  (unchanged {again.unchanged:,}, nothing written)")

    client = Client()
    client.force_login(leader)
    catalogue = selectors.period_catalogue()
    year, quarter = catalogue.get("2026"), catalogue.get("2026-Q3")
    pages = {
        "city, year": "/dich-vu-cong/?don-vi=HP&ky=2026",
        "commune, quarter": "/dich-vu-cong/?don-vi=10930&ky=2026-Q3",
        "late list, city year": "/dich-vu-cong/ho-so-tre-han/?don-vi=HP&ky=2026",
        "late list, commune year": "/dich-vu-cong/ho-so-tre-han/?don-vi=10930&ky=2026",
        "Excel, city year": "/dich-vu-cong/xuat-excel/?don-vi=HP&ky=2026",
    }
    for url in pages.values():
        assert client.get(url).status_code == 200, url

    months = list(year.months)

    def raw_figures() -> None:
        # The floor for a KPI page: the month figures of the city and its children, straight from SQL.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT f.* FROM delivery_kpifigure f JOIN org_unit u ON u.id = f.unit_id "
                "WHERE (u.parent_id = %s OR u.id = %s) AND f.field = '' "
                f"AND f.period IN ({', '.join(['%s'] * len(months))})",
                [city.pk, city.pk, *months],
            )
            cursor.fetchall()

    snapshot = store.snapshot_path(first.snapshot)
    kpi_settings = selectors.kpi_config().engine_settings(as_of=first.data_until)

    commune_codes = selectors.unit_codes_below(Unit.objects.get(code="10930"))

    def raw_late() -> None:
        store.late_dossiers(snapshot, None, year.start, year.end, kpi_settings, limit=50, count=False)

    def raw_late_commune() -> None:
        store.late_dossiers(
            snapshot, commune_codes, year.start, year.end, kpi_settings, limit=50, count=False
        )

    floor_figures = median_ms(raw_figures, args.repeat)
    floor_late = median_ms(raw_late, args.repeat)
    floor_late_commune = median_ms(raw_late_commune, args.repeat)
    for name, url in pages.items():
        ms = median_ms(lambda url=url: client.get(url), args.repeat)
        floor = {"late list, city year": floor_late, "late list, commune year": floor_late_commune}.get(
            name, floor_figures
        )
        print(f"{name:<22} {ms:7.1f} ms  ({ms / floor:.1f}x the raw query, {floor:.1f} ms)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"quarter {quarter.label}: {len(quarter.months)} months; peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
