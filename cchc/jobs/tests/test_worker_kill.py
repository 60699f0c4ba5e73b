"""A real worker process, killed with SIGKILL in the middle of a dossier import: the job is retried
(then finishes) instead of staying "running", the figures of the previous import stay meanwhile, and
the next import runs. Uses its own database file (or DATABASE_URL's server) shared by the processes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def env(tmp_path):
    values = {
        **os.environ,
        "CCHC_TESTING": "1",
        "JOBS_INLINE": "0",
        "JOBS_HEARTBEAT_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DOSSIER_STORE_DIR": str(tmp_path / "dossiers"),
        "PYTHONPATH": str(ROOT),
    }
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("runs on its own SQLite file; the PostgreSQL shape is exercised by bench/jobs_bench.py")
    values["DATABASE_URL"] = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    return values


def _manage(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _step(env, *args) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", "from cchc.jobs.tests.worker_world import main; main()", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_a_worker_killed_mid_import_leaves_the_figures_and_the_job_is_retried(env, tmp_path):
    _manage(env, "migrate", "--no-input", "-v", "0")
    _step(env, "setup")
    small, big, later = tmp_path / "nho.csv", tmp_path / "lon.csv", tmp_path / "sau.csv"
    _manage(env, "generate_dossiers", "--rows", "3000", "--out", str(small), "--seed", "1")
    _manage(env, "generate_dossiers", "--rows", "400000", "--out", str(big), "--seed", "2")
    _manage(env, "generate_dossiers", "--rows", "3000", "--out", str(later), "--seed", "3")

    first = _step(env, "enqueue", str(small), "nho.csv")["job"]
    _manage(env, "jobs_worker", "--batch")
    before = _step(env, "state", str(first))
    assert before["status"] == "succeeded" and before["figures"] > 0

    job = _step(env, "enqueue", str(big), "lon.csv")["job"]
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "jobs_worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            seen = _step(env, "state", str(job))
            if seen["status"] == "running" and seen["done"] > 0:
                break
            assert seen["status"] in ("queued", "running"), seen
            time.sleep(0.3)
        else:
            pytest.fail("the worker never started the import")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()

    during = _step(env, "state", str(job))
    assert during["status"] == "running"  # nobody has looked yet
    _manage(env, "jobs_reap")
    after_reap = _step(env, "state", str(job))
    assert after_reap["status"] == "queued" and after_reap["attempts"] == 1  # re-queued, not left running
    assert "bị gián đoạn" in after_reap["message"]
    assert after_reap["current_import"] == before["current_import"]  # the previous figures stay
    assert after_reap["figures"] == before["figures"]
    assert after_reap["imports"] == ["succeeded", "failed"]  # the killed batch is failed, not running

    _manage(env, "jobs_worker", "--batch", timeout=600)  # the retry runs to the end
    retried = _step(env, "state", str(job))
    assert retried["status"] == "succeeded" and retried["attempts"] == 2
    assert retried["total_after"] > before["total_after"]

    next_job = _step(env, "enqueue", str(later), "sau.csv")["job"]
    _manage(env, "jobs_worker", "--batch")
    assert _step(env, "state", str(next_job))["status"] == "succeeded"
