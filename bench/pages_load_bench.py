"""The main pages under load: gunicorn + PostgreSQL, several personas, N parallel clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_national \
        python bench/pages_load_bench.py [--clients 8] [--seconds 20] [--workers 3] [--nodes 1] [--proxy]

Loads the Hải Phòng demo (``load_demo``, skipped when already there) into the database named by
DATABASE_URL, serves the app with gunicorn on 127.0.0.1 (``--nodes 2``: two gunicorn processes on
two ports, the same database; clients alternate between them; ``--proxy``: nginx in front of the
nodes, on ``--port`` + 100, every client through it, requests spread by nginx, see
``deploy/nginx/cchc.conf`` for the production shape), logs in through
the login form as three personas — the city leader (``lanhdao.thanhpho``), Sở Nội vụ's standing
agency (``snv.thuongtruc``), a commune officer (``maodien.chuyenvien``) — and has each client (a
thread with its own keep-alive session; client i is persona i mod 3) request the main pages in
turn for ``--seconds``: home and to-do list, scorecard, a plan, a unit report, the KPI page, the
PAR Index page. Every answer must be 200. Prints p50/p95/p99 and requests per second per page and
overall, first with one client (the baseline, same run, same server), then with ``--clients``.
With ``--proxy`` it also prints one client straight to the first node (the proxy's own cost per
request) and how many requests nginx sent to each node. With ``DATABASE_REPLICA_URL`` (a streaming
replica of DATABASE_URL, e.g. from ``bench/pg_replica_pair.sh``), the nodes read pages from it
(``cchc/core/replica.py``) and the bench prints the transactions each server ran.
The last line reads:
clients=N nodes=K workers=W proxy=nginx|none p95_ms=P p99_ms=Q rps=R baseline_p95_ms=B ratio_p95=P/B cpu_ms_per_request=C
loadavg=L (C: CPU time of the gunicorn processes per request; L: the machine's 1-minute load
average at the end, to read the latencies against: other work shares this machine)
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.served_site import site_settings  # noqa: E402

SITE = site_settings()

PASSWORD = "cchc@2026"
PERSONAS = ("lanhdao.thanhpho", "snv.thuongtruc", "maodien.chuyenvien")
PAGES = ("home", "scorecard", "plan", "report", "kpi", "par")


def pages_for(username: str) -> dict[str, str]:
    """The URL of each main page as this persona would open it (their own plan and report)."""
    from cchc.org.models import User
    from cchc.plans.models import Plan
    from cchc.reporting.models import UnitReport

    user = User.objects.get(username=username)
    commune = username.startswith("maodien.")
    plan = Plan.objects.get(number__startswith="84/" if commune else "3470/")
    report = UnitReport.objects.filter(unit__code="10930").order_by("period__cutoff_end").first()
    return {
        "home": "/",
        "scorecard": "/bang-diem/",
        "plan": f"/ke-hoach/{plan.pk}/",
        "report": f"/bao-cao/{report.pk}/",
        "kpi": "/dich-vu-cong/",
        "par": "/chi-so-cchc/",
        "_user": str(user.pk),
    }


class Client:
    """One keep-alive connection with the session cookie of one persona."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/dang-nhap/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        )
        status, _ = self.request("POST", "/dang-nhap/", body)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed for {username}: {status}")


def server_cpu_seconds(servers) -> float:
    """CPU time (user + system) used so far by the gunicorn masters and their workers: the app's
    own cost per request, whatever else the machine is running (PostgreSQL's is not in it)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for server in servers:
        pids = [server.pid]
        with contextlib.suppress(OSError):
            pids += [
                int(p) for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            ]
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def run_load(
    ports: list[int], sessions: dict[str, dict], urls: dict[str, dict], clients: int, seconds: float
):
    """``clients`` threads for ``seconds``; returns {page: [ms, ...]}, elapsed seconds, failures."""
    samples: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def work(i: int) -> None:
        persona = PERSONAS[i % len(PERSONAS)]
        client = Client(ports[i % len(ports)])
        client.cookies = dict(sessions[persona])
        pages = [(p, urls[persona][p]) for p in PAGES]
        k = i  # clients start at different pages
        mine: list[tuple[str, float]] = []
        for _page, url in pages:  # warm this connection and the worker
            client.request("GET", url)
        start_gate.wait()
        while time.perf_counter() < stop_at[0]:
            page, url = pages[k % len(pages)]
            k += 1
            started = time.perf_counter()
            status, _ = client.request("GET", url)
            ms = (time.perf_counter() - started) * 1000
            if status != 200:
                with lock:
                    failures.append(f"{persona} {url}: {status}")
            mine.append((page, ms))
        with lock:
            for page, ms in mine:
                samples[page].append(ms)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + 3600  # set for real once every client is warm
    start_gate.wait()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for t in threads:
        t.join()
    return samples, time.perf_counter() - began, failures


def report(title: str, samples: dict[str, list[float]], elapsed: float) -> dict[str, float]:
    print(f"\n{title}")
    print(f"  {'page':<10} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}")
    everything = []
    for page in PAGES:
        s = samples.get(page, [])
        if not s:
            continue
        everything += s
        print(
            f"  {page:<10} {len(s):>8} {statistics.median(s):>8.1f} {percentile(s, 0.95):>8.1f} "
            f"{percentile(s, 0.99):>8.1f} {len(s) / elapsed:>7.1f}"
        )
    overall = {
        "p50": statistics.median(everything),
        "p95": percentile(everything, 0.95),
        "p99": percentile(everything, 0.99),
        "rps": len(everything) / elapsed,
    }
    print(
        f"  {'all':<10} {len(everything):>8} {overall['p50']:>8.1f} {overall['p95']:>8.1f} "
        f"{overall['p99']:>8.1f} {overall['rps']:>7.1f}"
    )
    return overall


NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$upstream_addr $status $request_time';
    access_log {dir}/access.log upstream;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream cchc_nodes {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://cchc_nodes;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def start_nginx(directory: Path, port: int, node_ports: list[int]) -> subprocess.Popen:
    """nginx in the foreground with its whole state in ``directory`` (no root, no system config)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        sys.exit("--proxy needs nginx: make bench-deps (Debian's nginx-light).")
    directory.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in node_ports)
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, servers=servers, port=port))
    proxy = subprocess.Popen([binary, "-p", str(directory), "-c", str(conf), "-g", "daemon off;"])
    for _ in range(100):
        with contextlib.suppress(OSError):
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return proxy
        time.sleep(0.05)
    proxy.terminate()
    sys.exit(f"nginx did not start: {(directory / 'error.log').read_text()[-500:]}")


def requests_per_node(log: Path) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for line in log.read_text().splitlines():
        counts[line.split(" ", 1)[0]] += 1
    return dict(sorted(counts.items()))


def transactions(url: str) -> int:
    """Transactions committed or rolled back so far in the database of ``url`` (its server's count)."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        return conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per node")
    parser.add_argument("--nodes", type=int, default=1, help="gunicorn processes on consecutive ports")
    parser.add_argument("--port", type=int, default=8780)
    parser.add_argument("--proxy", action="store_true", help="nginx in front of the nodes, on --port + 100")
    parser.add_argument("--no-cache", action="store_true", help="serve with a dummy cache (before/after)")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (the demo is loaded into it).")
    os.environ.setdefault("DOSSIER_STORE_DIR", "/tmp/national/pages/dossiers")
    os.environ.setdefault("MEDIA_ROOT", "/tmp/national/pages/media")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
    site = tempfile.mkdtemp()
    dummy = '\nCACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}\n'
    Path(site, "pages_bench_site.py").write_text(SITE + (dummy if options.no_cache else ""))
    sys.path.insert(0, site)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pages_bench_site"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True, allow_demo_accounts=True)
    urls = {p: pages_for(p) for p in PERSONAS}
    connection.close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([site, str(ROOT)])}
    ports = [options.port + n for n in range(options.nodes)]
    servers = [
        subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "cchc.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options.workers),
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        for port in ports
    ]
    proxy = None
    try:
        for port in ports:
            for _ in range(200):
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                    c.request("GET", "/healthz")
                    c.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.1)
        targets = ports
        if options.proxy:
            proxy_dir = Path(site, "nginx")
            proxy = start_nginx(proxy_dir, options.port + 100, ports)
            targets = [options.port + 100]
        sessions = {}
        for persona in PERSONAS:
            client = Client(targets[0])
            client.login(persona)
            # The session without the replica pin of the login's answer: the load starts well after
            # the pin would have ended in a browser (REPLICA_PIN_SECONDS).
            sessions[persona] = {k: v for k, v in client.cookies.items() if k != "cchc_primary"}
            for page in PAGES:  # every page must answer 200 to every persona, on every node
                for port in ports:
                    other = Client(port)
                    other.cookies = dict(client.cookies)
                    status, _ = other.request("GET", urls[persona][page])
                    if status != 200:
                        raise SystemExit(f"{persona} {urls[persona][page]} on :{port}: {status}")
        print(
            f"gunicorn: {options.nodes} node(s) × {options.workers} sync workers on ports "
            f"{', '.join(map(str, ports))}"
            + (f" behind nginx on {targets[0]}" if options.proxy else "")
            + f", PostgreSQL {urllib.parse.urlparse(url).path.lstrip('/')}; "
            f"personas: {', '.join(PERSONAS)}; a session made on the first node is used on every node; "
            f"cache: {'none (dummy)' if options.no_cache else 'per process (local memory)'}"
        )
        direct = None
        if options.proxy:
            straight, elapsed, _ = run_load(ports[:1], sessions, urls, 1, options.baseline_seconds)
            direct = report(f"1 client straight to the node on {ports[0]} (no proxy)", straight, elapsed)
            (proxy_dir / "access.log").write_text("")
            with contextlib.suppress(OSError):
                os.kill(proxy.pid, signal.SIGUSR1)  # reopen the emptied log
        cpu = server_cpu_seconds(servers)
        base, elapsed, failures = run_load(targets, sessions, urls, 1, options.baseline_seconds)
        baseline = report(
            "1 client" + (" through nginx" if options.proxy else "") + " (baseline, same run)", base, elapsed
        )
        cpu_base = server_cpu_seconds(servers) - cpu
        load_before = os.getloadavg()[0]
        replica_url = os.environ.get("DATABASE_REPLICA_URL", "")
        if replica_url:
            time.sleep(2)  # PostgreSQL adds a backend's counts to pg_stat_database when it is idle
            counted = (transactions(url), transactions(replica_url))
        cpu = server_cpu_seconds(servers)
        load, elapsed, more = run_load(targets, sessions, urls, options.clients, options.seconds)
        overall = report(f"{options.clients} parallel clients", load, elapsed)
        cpu_load = server_cpu_seconds(servers) - cpu
        failures += more
        if replica_url:
            time.sleep(2)
            primary, replica = (transactions(url) - counted[0], transactions(replica_url) - counted[1])
            print(
                f"\nreads from the streaming replica ({urllib.parse.urlparse(replica_url).netloc}): "
                f"{replica:,} transactions on the replica, {primary:,} on the primary during the parallel run"
            )
        n_base, n_load = sum(map(len, base.values())), sum(map(len, load.values()))
        print(
            f"\napp CPU per request (gunicorn processes, user + system): {cpu_base / n_base * 1000:.1f} ms "
            f"at 1 client, {cpu_load / n_load * 1000:.1f} ms at {options.clients}; "
            f"load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after the parallel run "
            f"({os.cpu_count()} cores)"
        )
        if direct is not None:
            time.sleep(0.2)  # nginx writes its log lines as requests end
            spread = requests_per_node(proxy_dir / "access.log")
            print(
                f"nginx: p50 {baseline['p50'] - direct['p50']:+.1f} ms at 1 client against the node straight; "
                f"requests per node (both runs through nginx): "
                + ", ".join(f"{node} {n:,}" for node, n in spread.items())
            )
        if failures:
            print(f"\n{len(failures)} answers not 200, e.g. {failures[:3]}")
        print(
            f"\nclients={options.clients} nodes={options.nodes} workers={options.workers} "
            f"proxy={'nginx' if options.proxy else 'none'} "
            f"p95_ms={overall['p95']:.1f} p99_ms={overall['p99']:.1f} rps={overall['rps']:.1f} "
            f"baseline_p95_ms={baseline['p95']:.1f} ratio_p95={overall['p95'] / baseline['p95']:.2f} "
            f"cpu_ms_per_request={cpu_load / n_load * 1000:.1f} loadavg={os.getloadavg()[0]:.1f}"
        )
        if failures:
            sys.exit(1)
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=10)
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
