"""Public survey submissions under load, and indices over a million answers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_surveys_bench python bench/surveys_bench.py \
        [--submissions 20000] [--clients 50] [--workers 2] [--worker-class gthread --threads 8]
        [--answers 1000000] [--only-wrk]

Needs PostgreSQL (the database named in DATABASE_URL is dropped and re-created: give it a name of
its own). Serves the app with gunicorn on 127.0.0.1 (loopback only) and floods the public form from
the same machine: `--clients` keep-alive connections in 5 processes; 20% of the submissions are exact
retries of one already sent (same UUID, same answers), 5% the same UUID with altered answers. Then:
  - checks every distinct UUID was counted exactly once, every retry answered as a success (302),
    every altered one refused (409), and no 5xx;
  - floods a bare Django view that inserts one row (same middleware, same server, same clients):
    the ratio of the two rates is the cost of the survey logic;
  - fires 300 parallel submissions at a unit with a quota of 100: exactly 100 may be counted;
  - loads `--answers` answers straight into the table and times the indices (`round_counts`, the
    Django ORM on PostgreSQL) against a hand-written GROUP BY of the same counts.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.served_site import WRK_DONE_LUA, prepare_site, run_wrk, site_settings  # noqa: E402

SITE = site_settings(
    urlconf="surveys_bench_urls",
    extra="SURVEYS_POSTS_PER_WINDOW = 10**9  # every request comes from 127.0.0.1 here\n",
)

URLS = """
import uuid

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


def bare_insert(request):
    \"\"\"The floor: parse the POST, insert one row, answer.\"\"\"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (submission_uuid, payload) VALUES (%s, %s)",
            [str(uuid.UUID(request.POST["submission_uuid"])), request.POST.get("q-tc1", "")],
        )
    return HttpResponse(status=204)


urlpatterns = [path("bare/", bare_insert), path("", include("cchc.urls"))]
"""

WRK_LUA = """
-- POST a fresh SIPAS answer (new UUID each time); counts 5xx per thread; prints JSON at the end.
local counter, threads = 0, {}
local csrf, cookie, run = os.getenv("BENCH_CSRF"), os.getenv("BENCH_COOKIE"), os.getenv("BENCH_RUN")
function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
function request()
  counter = counter + 1
  local uid = string.format("%s-%04x-4000-8000-%012x", run, tid or 0, counter)
  local body = "csrfmiddlewaretoken=" .. csrf .. "&action=finish&submission_uuid=" .. uid ..
    "&q-tc1=5&q-tc2=4&q-tt1=4&q-tt2=5&q-cc1=3&q-cc2=4&q-kq1=5&q-kq2=4&q-gy0=khong"
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. cookie, ["Referer"] = "http://127.0.0.1/"}, body)
end
"""
WRK_LUA += WRK_DONE_LUA

SCALE = ("tc1", "tc2", "tt1", "tt2", "cc1", "cc2", "kq1", "kq2")


def build_world():
    from django.core.management import call_command
    from django.db import connection

    from cchc.org import services as org
    from cchc.org.models import Unit
    from cchc.surveys import services

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, submission_uuid uuid UNIQUE, payload text)"
        )
    city = org.unit_create(actor=None, code="HP", name="Thành phố Hải Phòng", kind=Unit.Kind.CITY)
    commune = org.unit_create(
        actor=None,
        code="10930",
        name="Xã Mao Điền",
        kind=Unit.Kind.COMMUNE,
        parent=city,
        block=Unit.Block.COMMUNE,
    )
    other = org.unit_create(
        actor=None,
        code="10606",
        name="Xã Nam Sách",
        kind=Unit.Kind.COMMUNE,
        parent=city,
        block=Unit.Block.COMMUNE,
    )
    survey = services.sipas_template_create(actor=None, owner=city)
    round_ = services.round_open(
        actor=None, survey=survey, title="Đợt đo tải", year=2026, units=[commune, other]
    )
    flood = services.channel_create(actor=None, round_=round_, unit=commune, desk="Quầy 1")
    quota_channel = services.channel_create(actor=None, round_=round_, unit=other)
    load_channel = services.channel_create(actor=None, round_=round_, unit=commune, desk="Quầy tải")
    services.quota_set(actor=None, round_=round_, unit=other, target=100)
    return round_, flood, quota_channel, load_channel


def answers(rng: random.Random) -> dict:
    data = {f"q-{c}": str(rng.choice([5, 5, 4, 4, 4, 3, 2])) for c in SCALE}
    data["q-gy0"] = "khong"
    return data


def plan(total: int, seed: int = 7) -> list[tuple[str, str, dict, str]]:
    """[(kind, uuid, answers, expected status)]: 75% new, 20% exact retries, 5% altered."""
    rng = random.Random(seed)
    sent: list[tuple[str, dict]] = []
    out = []
    for _ in range(total):
        roll = rng.random()
        if sent and roll < 0.20:
            uid, data = rng.choice(sent)
            out.append(("retry", uid, data, "302"))
        elif sent and roll < 0.25:
            uid, data = rng.choice(sent)
            altered = dict(data)
            altered["q-tc1"] = "1" if data["q-tc1"] != "1" else "2"
            out.append(("altered", uid, altered, "409"))
        else:
            uid, data = str(uuid.uuid4()), answers(rng)
            sent.append((uid, data))
            out.append(("new", uid, data, "302"))
    return out


def _client(port: int, path: str, jobs: list, results: list, lock: threading.Lock, shared_plan_order: bool):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path if not path.startswith("/bare") else "/khao-sat/" + path.split("|")[1] + "/")
    page = conn.getresponse()
    html = page.read().decode()
    cookies = " ".join(value for name, value in page.getheaders() if name.lower() == "set-cookie")
    found = re.search(r"csrftoken=([^;]+)", cookies)
    if page.status != 200 or found is None:
        raise RuntimeError(f"GET {path}: {page.status} {page.getheaders()} {html[:200]}")
    cookie = found.group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    target = path.split("|")[0]
    local = []
    for kind, uid, data, expected in jobs:
        body = urllib.parse.urlencode(
            {**data, "submission_uuid": uid, "action": "finish", "csrfmiddlewaretoken": token}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Referer": f"http://127.0.0.1:{port}{target}",
        }
        started = time.perf_counter()
        while True:
            try:
                conn.request("POST", target, body, headers)
                response = conn.getresponse()
                response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local.append((kind, uid, expected, str(response.status), time.perf_counter() - started))
    with lock:
        results.extend(local)


def _process(args):
    port, path, jobs_per_thread = args
    results: list = []
    lock = threading.Lock()
    threads = [
        threading.Thread(target=_client, args=(port, path, jobs, results, lock, True))
        for jobs in jobs_per_thread
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def flood(port: int, path: str, jobs: list, clients: int, processes: int = 5) -> tuple[list, float]:
    """Split the jobs over ``clients`` connections. Retries go to the same client as their original
    so that each client sends an original before its retries (what a real retry does)."""
    by_uuid_client: dict[str, int] = {}
    per_client: list[list] = [[] for _ in range(clients)]
    for i, job in enumerate(jobs):
        client = by_uuid_client.setdefault(job[1], i % clients)
        per_client[client].append(job)
    per_process = [(port, path, per_client[p::processes]) for p in range(processes)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = [r for part in pool.map(_process, per_process) for r in part]
    return results, time.perf_counter() - started


def csrf_pair(port: int, path: str) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    page = conn.getresponse()
    html = page.read().decode()
    cookies = " ".join(value for name, value in page.getheaders() if name.lower() == "set-cookie")
    cookie = re.search(r"csrftoken=([^;]+)", cookies).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


def wrk(port: int, path: str, lua: Path, csrf: tuple[str, str], seconds: int, connections: int) -> dict:
    """The submissions carry the form's CSRF pair and a run tag (their UUIDs stay unique across runs)."""
    env = {**os.environ, "BENCH_COOKIE": csrf[0], "BENCH_CSRF": csrf[1], "BENCH_RUN": uuid.uuid4().hex[:8]}
    return run_wrk(port, path, lua, seconds, connections, env=env)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(results: list, seconds: float) -> dict:
    latencies = [r[4] * 1000 for r in results]
    return {
        "requests": len(results),
        "seconds": round(seconds, 2),
        "per_second": round(len(results) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "status_5xx": sum(1 for r in results if r[3].startswith("5")),
    }


def load_answers(round_, total: int) -> None:
    """`total` answers in responses of 10 (8 scale questions and 2 others), written by SQL."""
    from django.db import connection

    from cchc.surveys.models import Question

    questions = list(
        Question.objects.filter(section__version=round_.version).order_by("section__order", "order")
    )
    scale = [q.pk for q in questions if q.kind == "scale"][:8]
    responses = total // 8
    unit_id = round_.units.order_by("pk").first().pk
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO surveys_response (survey_id, round_id, unit_id, field, submission_uuid, content_hash,
                   source, submitted_hour)
               SELECT %s, %s, %s, CASE WHEN g %% 3 = 0 THEN 'Đất đai' ELSE 'Hộ tịch' END, gen_random_uuid(), '',
                   'online', date_trunc('hour', now())
               FROM generate_series(1, %s) g""",
            [round_.survey_id, round_.pk, unit_id, responses],
        )
        cursor.execute(
            """INSERT INTO surveys_answer (response_id, question_id, round_id_copy, unit_id_copy, field, value_int,
                   value_text, "values")
               SELECT r.id, q.id, r.round_id, r.unit_id, r.field, 1 + floor(random() * 5)::int, '', '[]'::jsonb
               FROM surveys_response r CROSS JOIN unnest(%s::bigint[]) AS q(id)
               WHERE r.round_id = %s AND r.content_hash = ''""",
            [scale, round_.pk],
        )
        cursor.execute("ANALYZE surveys_answer")


def time_indices(round_, repeat: int = 3) -> dict:
    from django.db import connection

    from cchc.surveys import selectors
    from cchc.surveys.models import Answer

    def best(fn):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return min(times)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT unit_id_copy, field, question_id, count(*),
                          count(*) FILTER (WHERE value_int IN (4, 5))
                   FROM surveys_answer WHERE round_id_copy = %s AND value_int IS NOT NULL
                   GROUP BY 1, 2, 3""",
                [round_.pk],
            )
            return cursor.fetchall()

    orm = best(lambda: selectors.results_of(*(lambda d: (d, d["cells"]))(selectors.round_counts(round_))))
    hand = best(raw)
    return {
        "answers": Answer.objects.filter(round_id_copy=round_.pk).count(),
        "engine": f"PostgreSQL {connection.pg_version // 10000}, Django ORM GROUP BY",
        "indices_s": round(orm, 3),
        "hand_written_s": round(hand, 3),
        "ratio": round(orm / hand, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--wrk-runs", type=int, default=3)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--wrk-connections", type=int, default=16)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=8, help="threads per gthread worker")
    parser.add_argument("--only-wrk", action="store_true", help="the wrk runs only (compare settings)")
    options = parser.parse_args()
    site = prepare_site("surveys_bench", SITE, URLS)
    import django

    django.setup()
    from django.db import connection

    round_, flood_channel, quota_channel, load_channel = build_world()
    connection.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([site, str(ROOT)])}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "cchc.wsgi:application",
            "--bind",
            f"127.0.0.1:{options.port}",
            "--workers",
            str(options.workers),
            "--worker-class",
            options.worker_class,
            "--threads",
            str(options.threads),
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
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", options.port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        lua = Path(site, "submit.lua")
        lua.write_text(WRK_LUA)
        load_path = f"/khao-sat/{load_channel.slug}/"
        csrf = csrf_pair(options.port, load_path)
        # Warm-up, not counted (as the portal bench): every worker thread opens its connection and
        # fills its channel cache before the timed runs.
        wrk(options.port, load_path, lua, csrf, 2, options.wrk_connections)
        wrk(options.port, "/bare/", lua, csrf, 2, options.wrk_connections)
        runs = []
        for _ in range(options.wrk_runs):
            one_survey = wrk(options.port, load_path, lua, csrf, options.wrk_seconds, options.wrk_connections)
            one_bare = wrk(options.port, "/bare/", lua, csrf, options.wrk_seconds, options.wrk_connections)
            runs.append(
                {
                    "survey": one_survey,
                    "bare": one_bare,
                    "ratio": round(one_bare["per_second"] / one_survey["per_second"], 2),
                }
            )
        print(json.dumps({"wrk_runs": runs, "load_average": os.getloadavg()}, ensure_ascii=False))
        if options.only_wrk:
            return
        form_path = f"/khao-sat/{flood_channel.slug}/"
        jobs = plan(options.submissions)
        from cchc.surveys.models import Response

        # The wrk runs above answered through another desk of the same unit: count only the flood.
        before = Response.objects.filter(round=round_, unit=flood_channel.unit).count()
        connection.close()
        results, seconds = flood(options.port, form_path, jobs, options.clients)
        survey = summary(results, seconds)

        distinct = {uid for kind, uid, *_ in jobs if kind == "new"}
        counted = Response.objects.filter(round=round_, unit=flood_channel.unit).count() - before
        wrong = [r for r in results if r[2] != r[3]]
        survey.update(
            distinct_uuids=len(distinct),
            counted=counted,
            retries=sum(1 for j in jobs if j[0] == "retry"),
            altered=sum(1 for j in jobs if j[0] == "altered"),
            altered_refused=sum(1 for r in results if r[0] == "altered" and r[3] == "409"),
            unexpected_status=len(wrong),
        )
        bare_jobs = [("new", str(uuid.uuid4()), {"q-tc1": "5"}, "204") for _ in range(options.submissions)]
        bare_results, bare_seconds = flood(
            options.port, f"/bare/|{flood_channel.slug}", bare_jobs, options.clients
        )
        bare = summary(bare_results, bare_seconds)
        quota_jobs = plan(300, seed=11)
        quota_jobs = [("new", str(uuid.uuid4()), data, "302|409") for _, _, data, _ in quota_jobs]
        quota_results, _ = flood(
            options.port, f"/khao-sat/{quota_channel.slug}/", quota_jobs, options.clients
        )
        from cchc.surveys.models import Quota

        quota = {
            "target": 100,
            "sent": len(quota_results),
            "accepted": sum(1 for r in quota_results if r[3] == "302"),
            "refused": sum(1 for r in quota_results if r[3] == "409"),
            "counted": Response.objects.filter(round=round_, unit=quota_channel.unit).count(),
            "filled": Quota.objects.get(round=round_, unit=quota_channel.unit).filled,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_answers(round_, options.answers)
    indices = time_indices(round_)
    import statistics

    def spread(values):
        return {"min": min(values), "median": statistics.median(values), "max": max(values)}

    report = {
        "wrk_survey_per_second": spread([r["survey"]["per_second"] for r in runs]),
        "wrk_survey_p99_ms": spread([r["survey"]["p99_ms"] for r in runs]),
        "wrk_bare_per_second": spread([r["bare"]["per_second"] for r in runs]),
        "wrk_bare_p99_ms": spread([r["bare"]["p99_ms"] for r in runs]),
        "wrk_ratio_bare_to_survey": spread([r["ratio"] for r in runs]),
        "wrk_survey_5xx": sum(r["survey"]["status_5xx"] for r in runs),
        "survey_flood": survey,
        "bare_insert": bare,
        "ratio_bare_to_survey": round(bare["per_second"] / survey["per_second"], 2),
        "quota": quota,
        "indices": indices,
        "cpus": os.cpu_count(),
        "workers": options.workers,
        "worker_class": options.worker_class,
        "threads": options.threads,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "clients": options.clients,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    ok = (
        survey["counted"] == survey["distinct_uuids"]
        and survey["altered_refused"] == survey["altered"]
        and survey["unexpected_status"] == 0
        and survey["status_5xx"] == 0
        and quota["counted"] == quota["filled"] == 100
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
