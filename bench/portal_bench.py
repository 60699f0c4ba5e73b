"""The public portal under load: gunicorn on PostgreSQL, wrk from several connections.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_portal python bench/portal_bench.py \
        [--units 130] [--workers 3] [--connections 16] [--seconds 10] [--runs 3]

Needs PostgreSQL (the database named in DATABASE_URL is dropped and re-created: give it a name of
its own). Builds a city of ``--units`` units (departments and communes) with a month of KPI figures
each, publishes that month on the portal (``publish_kpi_period``, the service the standing agency's
button calls), serves the app with gunicorn on 127.0.0.1 and, in each run, floods with wrk (anonymous
GETs, keep-alive):
  - the portal's front page (/cong-khai/);
  - the city's page of the published month (/cong-khai/dich-vu-cong/<kỳ>/HP/: every unit of the city);
  - a commune's page of the same month;
  - a bare Django view answering a fixed small page through the same middleware and server: the
    floor, and the ratio of its rate to each portal page's.
Prints req/s, p50/p99 and the 5xx count of every run, then the median over the runs. Exits 1 when a
page answered 5xx or a portal page stayed under ``--target`` req/s (median).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.served_site import WRK_DONE_LUA, prepare_site, run_wrk, site_settings  # noqa: E402

SITE = site_settings(urlconf="portal_bench_urls")

URLS = """
from django.http import HttpResponse
from django.urls import include, path

PAGE = b"<!doctype html><html lang=vi><title>CCHC</title><p>Xin ch\\xc3\\xa0o</p></html>"


def bare(request):
    \"\"\"The floor: the same middleware and server, a fixed small page.\"\"\"
    return HttpResponse(PAGE)


urlpatterns = [path("bare/", bare), path("", include("cchc.urls"))]
"""

WRK_LUA = """
-- GET the page; count 5xx per thread; print JSON at the end.
local threads = {}
function setup(thread) table.insert(threads, thread) end
"""
WRK_LUA += WRK_DONE_LUA

MONTH = "2026-01"
MEASURES_ZERO = (
    "wait_n",
    "wait_sum",
    "apology_finished_late",
    "processing_days_sum",
    "withdrawn_stopped",
    "carried_over",
    "unfinished_late_at_period_end",
    "apology_unfinished_late",
)


def _figure(level: str, unit, code: str, n: int, seed: int):
    from datetime import date

    from cchc.delivery.models import KpiFigure

    late = seed % 7
    online = n * (60 + seed % 35) // 100
    fee = n // 3
    return KpiFigure(
        level=level,
        unit=unit,
        unit_code=code,
        field="",
        period=MONTH,
        period_start=date(2025, 12, 15),
        period_end=date(2026, 1, 14),
        received=n,
        online_num=online,
        online_den=n,
        fee_dossiers=fee,
        paid_online=fee * (40 + seed % 50) // 100,
        components_total=2 * n,
        components_digitised=2 * n - seed % 11,
        finished_early=n // 2,
        finished_on_time=n - n // 2 - late,
        finished_late=late,
        result_digitised=n - late,
        rated=n // 4,
        satisfied=n // 4 - seed % 3,
        **{name: 0 for name in MEASURES_ZERO},
    )


def build_world(units: int) -> tuple[str, str]:
    """A city with ``units`` units below it (a fifth departments, the rest communes), a month of KPI
    figures per unit and for the city, the month published. Returns (city code, a commune's code)."""
    from django.core.management import call_command

    from cchc.delivery import services
    from cchc.delivery.models import KpiFigure
    from cchc.org import services as org
    from cchc.org.models import Unit

    call_command("migrate", verbosity=0)
    city = org.unit_create(actor=None, code="HP", name="Thành phố Hải Phòng", kind=Unit.Kind.CITY)
    below = []
    for i in range(units):
        department = i < units // 5
        below.append(
            org.unit_create(
                actor=None,
                code=f"{'S' if department else 'X'}{i:04d}",
                name=f"{'Sở thử' if department else 'Xã Thử'} {i}",
                kind=Unit.Kind.DEPARTMENT if department else Unit.Kind.COMMUNE,
                parent=city,
                block=Unit.Block.DEPARTMENT if department else Unit.Block.COMMUNE,
            )
        )
    figures = [_figure("unit", u, u.code, 200 + 37 * i % 900, i) for i, u in enumerate(below)]
    total = sum(f.received for f in figures)
    figures += [_figure("subtree", city, city.code, total, 3), _figure("all", None, "", total, 3)]
    KpiFigure.objects.bulk_create(figures)
    services.publish_kpi_period(actor=None, period=MONTH)
    return city.code, below[-1].code


def wrk(port: int, path: str, lua: Path, seconds: int, connections: int) -> dict:
    return run_wrk(port, path, lua, seconds, connections)


def fetch(port: int, path: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=130)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--target", type=float, default=200.0)
    options = parser.parse_args()
    site = prepare_site("portal_bench", SITE, URLS)
    os.environ.pop("CCHC_TESTING", None)
    import django

    django.setup()
    from django.db import connection

    city, commune = build_world(options.units)
    connection.close()
    pages = {
        "home": "/cong-khai/",
        "city_month": f"/cong-khai/dich-vu-cong/{MONTH}/{city}/",
        "commune_month": f"/cong-khai/dich-vu-cong/{MONTH}/{commune}/",
        "bare": "/bare/",
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([site, str(ROOT)])}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "cchc.wsgi:application",
            "--bind",
            f"127.0.0.1:{options.port}",
            "--workers",
            str(options.workers),
            "--backlog",
            "256",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(200):
            try:
                fetch(options.port, "/bare/")
                break
            except OSError:
                time.sleep(0.1)
        checks = {}
        for name, path in pages.items():
            status, headers, body = fetch(options.port, path)
            checks[name] = {
                "status": status,
                "bytes": len(body),
                "cache_control": headers.get("Cache-Control", ""),
                "etag": bool(headers.get("ETag")),
            }
            if status != 200:
                sys.exit(f"GET {path}: {status}")
        assert "Xã Thử".encode() in fetch(options.port, pages["city_month"])[2]
        lua = Path(site, "get.lua")
        lua.write_text(WRK_LUA)
        for path in pages.values():  # warm every worker's caches and connections
            wrk(options.port, path, lua, 2, options.connections)
        runs = []
        for _ in range(options.runs):
            one = {
                name: wrk(options.port, path, lua, options.seconds, options.connections)
                for name, path in pages.items()
            }
            for name in pages:
                if name != "bare":
                    one[name]["bare_ratio"] = round(one["bare"]["per_second"] / one[name]["per_second"], 2)
            runs.append(one)
            print(json.dumps(one, ensure_ascii=False))
    finally:
        server.terminate()
        server.wait(timeout=30)

    def median(name: str, key: str) -> float:
        return statistics.median(r[name][key] for r in runs)

    report = {
        "pages": {name: path for name, path in pages.items()},
        "checks": checks,
        "median": {
            name: {
                "per_second": median(name, "per_second"),
                "p50_ms": median(name, "p50_ms"),
                "p99_ms": median(name, "p99_ms"),
                **({"bare_ratio": median(name, "bare_ratio")} if name != "bare" else {}),
            }
            for name in pages
        },
        "status_5xx": sum(r[name]["status_5xx"] for r in runs for name in pages),
        "non_2xx_3xx": sum(r[name]["non_2xx_3xx"] for r in runs for name in pages),
        "units": options.units,
        "workers": options.workers,
        "connections": options.connections,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    slow = [n for n in pages if n != "bare" and report["median"][n]["per_second"] < options.target]
    sys.exit(1 if report["status_5xx"] or report["non_2xx_3xx"] or slow else 0)


if __name__ == "__main__":
    main()
