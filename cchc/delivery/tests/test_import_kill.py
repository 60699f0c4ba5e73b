"""A real import process, killed with SIGKILL while it writes the partitions of the new state: readers
keep the previous state (figures, manifest, store), the killed import is marked failed once its
process is gone, and the next import gives the figures of a full rebuild. The processes share their
own SQLite database file and store directory, whatever database the test run itself uses."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cchc.delivery.kpi.generator import write_file

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["whole", "deltas"])
def env(tmp_path, request):
    """The processes' environment; a touched month is written whole again, or takes a delta file."""
    return {
        "CCHC_TEST_STORE_LAYOUT": request.param,
        **os.environ,
        "CCHC_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'import.sqlite3'}",
        "DOSSIER_STORE_DIR": str(tmp_path / "dossiers"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONPATH": str(ROOT),
    }


def _command(*args) -> list[str]:
    return [sys.executable, "-c", "from cchc.delivery.tests.import_world import main; main()", *args]


def _step(env, *args) -> dict:
    out = subprocess.run(
        _command(*args), env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=120
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_an_import_killed_while_writing_partitions_keeps_the_previous_state_and_the_next_is_right(
    env, tmp_path
):
    first, sync = tmp_path / "thang.csv", tmp_path / "dong-bo.csv"
    write_file(first, 3000, 2026, "csv", seed=1)
    write_file(sync, 2000, 2026, "csv", seed=3)  # new dossiers in every month: many partitions
    before = _step(env, "setup", str(first))
    assert before["imports"] == ["succeeded"] and before["rows_readable"] == before["total_after"] == 3000

    marker = tmp_path / "partition-written.json"
    importer = subprocess.Popen(
        _command("import_paused", str(sync), str(marker)),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and importer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), f"the import never wrote a partition (exit code {importer.poll()})"
        written = json.loads(marker.read_text())
        importer.send_signal(signal.SIGKILL)
        assert importer.wait(timeout=10) == -signal.SIGKILL
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()

    result = _step(env, "recover", str(sync))
    seen = result["seen"]
    # Killed half-way: one partition of the new state was on disk, its manifest was not.
    assert written["written"].startswith(str(tmp_path / "dossiers" / "parts"))
    assert written["written"].endswith("-delta.parquet") == (env["CCHC_TEST_STORE_LAYOUT"] == "deltas")
    assert str(Path(written["written"]).relative_to(tmp_path / "dossiers")) in seen["files"]
    # Readers still see the previous state, whole.
    for name in ("current", "total_after", "manifest", "published", "figures"):
        assert seen[name] == before[name], name
    assert seen["rows_readable"] == 3000
    assert seen["imports"] == ["succeeded", "running"]  # nobody had looked yet
    # The stale-import check finds the process gone and fails the batch.
    killed = result["killed"]
    assert result["failed"] == [killed["pk"]] and killed["status"] == "failed"
    assert "bị gián đoạn" in killed["message"] and "không còn chạy" in killed["message"]
    # The next import of the same file is right: every dossier of it in, figures of a full rebuild.
    after, again = result["after"], result["again"]
    assert again["status"] == "succeeded" and again["inserted"] + again["updated"] == 2000
    assert again["inserted"] > 0 and again["updated"] > 0  # the seeds share some codes
    assert after["imports"] == ["succeeded", "failed", "succeeded"]
    assert after["rows_readable"] == after["total_after"] == 3000 + again["inserted"]
    assert result["differences_to_a_full_rebuild"] == [] and result["figures_rebuilt"] > 0
    assert after["figures"] != before["figures"]
    # The file the killed import left behind, named by no manifest, is gone.
    assert str(Path(written["written"]).relative_to(tmp_path / "dossiers")) not in after["files"]
