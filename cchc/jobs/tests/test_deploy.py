"""The documented production settings (.env.example) pass `manage.py check --deploy` with no warning,
and the production shape's files are there."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    documented = _env_example()
    assert documented["SECURE_SSL_REDIRECT"] == "1" and int(documented["SECURE_HSTS_SECONDS"]) >= 31536000
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CCHC_TESTING", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(documented)
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),  # the example's placeholder is meant to be replaced
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DOSSIER_STORE_DIR": str(tmp_path / "dossiers"),
            "STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_shape_has_its_units_and_one_command():
    for name in ("cchc-web", "cchc-worker", "cchc-scheduler"):
        unit = (ROOT / "deploy" / "systemd" / f"{name}.service").read_text()
        assert "EnvironmentFile=/srv/cchc/.env" in unit and "Restart=always" in unit
    assert "jobs_worker" in (ROOT / "deploy" / "systemd" / "cchc-worker.service").read_text()
    assert "serve:" in (ROOT / "Makefile").read_text()
    script = (ROOT / "deploy" / "serve.sh").read_text()
    assert (
        "migrate" in script
        and "jobs_worker" in script
        and "jobs_scheduler" in script
        and "gunicorn" in script
    )
