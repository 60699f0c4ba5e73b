import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """Twenty parallel saves of one report, on a file-backed SQLite database with the app's settings."""
    tmp = tmp_path_factory.mktemp("parallel")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'cchc.sqlite3'}",
        "CCHC_TESTING": "1",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": str(tmp / "media"),
        "DOSSIER_STORE_DIR": str(tmp / "dossiers"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "cchc.core.tests.parallel_saves"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_twenty_parallel_saves_without_a_version_are_all_refused(outcome):
    assert "Không xác định được phiên bản" in outcome["refusal"]
    assert "x</textarea>" in outcome["refusal"]  # what was typed is shown again
    assert Counter(outcome["without_version"]) == {400: 20}
    assert outcome["version_after_without"] == 1


def test_twenty_parallel_saves_of_the_same_version_one_wins_and_nineteen_get_a_conflict(outcome):
    assert Counter(outcome["same_version"]) == {302: 1, 409: 19}
    assert outcome["final_version"] == 2
    assert outcome["final_causes"].startswith("Nguyên nhân do cán bộ ")
