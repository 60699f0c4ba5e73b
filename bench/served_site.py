"""What the benches that serve the app with gunicorn share: the throw-away settings module (production
settings on loopback, static files from the finders, quiet logs), a fresh PostgreSQL database, and
the end of the wrk script that prints the run's figures as one JSON line."""

import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from pathlib import Path


def site_settings(*, urlconf: str | None = None, extra: str = "") -> str:
    """The source of a settings module over cchc.settings for a local gunicorn (no TLS, no HSTS)."""
    text = """
from cchc.settings import *  # noqa: F401,F403
from cchc.settings import DATABASES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES["default"]["CONN_MAX_AGE"] = 60
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # no collectstatic for a throw-away server
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
"""
    if urlconf:
        text += f'ROOT_URLCONF = "{urlconf}"\n'
    return text + extra


def recreate_database(url: str) -> None:
    """Drop and create the database of ``url`` (a bench starts from nothing)."""
    import psycopg

    name = urllib.parse.urlparse(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# wrk's done(): the figures of the run, 5xx counted per thread by response(), as `WRKJSON {...}`.
WRK_DONE_LUA = """
fivexx = 0
function response(status, headers, body) if status >= 500 then fivexx = fivexx + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("fivexx") or 0) end
  io.write(string.format('WRKJSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, ' ..
    '"non_2xx_3xx": %d, "status_5xx": %d, "socket_errors": %d}\\n', summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, bad, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
"""


def run_wrk(port: int, path: str, lua: Path, seconds: int, connections: int, env: dict | None = None) -> dict:
    """One wrk run (2 threads: the load generator stays cheap); figures from WRK_DONE_LUA, plus
    requests per second."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(lua),
            f"http://127.0.0.1:{port}{path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = json.loads(out.split("WRKJSON ", 1)[1].strip())
    figures["per_second"] = round(figures["requests"] / figures["seconds"], 1)
    return figures


def prepare_site(name: str, settings_source: str, urls_source: str | None = None) -> str:
    """Reset the bench's own PostgreSQL database (DATABASE_URL), write the settings module
    ``<name>_site`` (and ``<name>_urls``) into a temporary folder on sys.path, and point Django at it.
    Returns the folder (gunicorn's PYTHONPATH)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database of its own (it is dropped and re-created).")
    recreate_database(url)
    site = tempfile.mkdtemp()
    Path(site, f"{name}_site.py").write_text(settings_source)
    if urls_source is not None:
        Path(site, f"{name}_urls.py").write_text(urls_source)
    sys.path.insert(0, site)
    os.environ["DJANGO_SETTINGS_MODULE"] = f"{name}_site"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
    return site
