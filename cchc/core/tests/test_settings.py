"""Production defaults: DEBUG off unless asked, no start without a secret, secure cookies behind HTTPS."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "CCHC_TESTING", "DATABASE_URL"}
    }
    code = (
        "import cchc.settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_a_secret_key_production_refuses_to_start():
    result = _settings({})
    assert result.returncode != 0
    assert "SECRET_KEY phải được đặt" in result.stderr


def test_production_defaults_are_safe():
    result = _settings({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "cchc.example.vn"})
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "['cchc.example.vn']",
        "django.db.backends.sqlite3",
    ]


def test_database_url_selects_postgresql():
    result = _settings({"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@db:5432/cchc"})
    assert result.stdout.split()[-1] == "django.db.backends.postgresql"
