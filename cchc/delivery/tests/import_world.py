"""Steps of the killed-import test, each run in its own process against one SQLite database file.

python -c "from cchc.delivery.tests.import_world import main; main()" STEP [ARGS]

Each step prints one line of JSON: what the test compares across processes.
"""

import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path


def main() -> None:
    import django

    django.setup()
    if os.environ.get("CCHC_TEST_STORE_LAYOUT") == "deltas":  # every touched month takes a delta file
        from cchc.delivery import partitions

        partitions.DELTA_MIN_BASE_ROWS, partitions.DELTA_MAX_SHARE = 0, 100.0
    step, *args = sys.argv[1:]
    print(json.dumps(STEPS[step](*args), default=str))


def _figure_rows() -> dict[tuple, tuple]:
    from cchc.delivery.kpi.periods import MEASURES
    from cchc.delivery.models import KpiFigure

    rows = KpiFigure.objects.values_list("level", "unit_code", "field", "period", "period_start", *MEASURES)
    return {tuple(map(str, row[:5])): row[5:] for row in rows}


def _figures() -> str:
    """A digest of every month figure, exactly as stored (to tell that nothing was rewritten)."""
    text = "\n".join(sorted(repr(item) for item in _figure_rows().items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _differences(a: dict[tuple, tuple], b: dict[tuple, tuple]) -> list[str]:
    """Figures that differ; sums of floats added in another order may differ in their last bits."""
    return [
        repr(key)
        for key in sorted(set(a) | set(b))
        if key not in a
        or key not in b
        or any(
            not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in zip(a[key], b[key], strict=True)
        )
    ]


def _store() -> dict:
    """What a reader sees now: the current import, its manifest, and the store read through it."""
    from cchc.delivery import store
    from cchc.delivery.models import DossierImport
    from cchc.delivery.selectors import current_import

    current = current_import()
    snapshot = store.snapshot_path(current.snapshot)
    con = store.connect()
    try:
        readable = con.execute(f"SELECT count(*) FROM {store.source_sql(snapshot)}").fetchone()[0]
    finally:
        con.close()
    return {
        "current": current.pk,
        "total_after": current.total_after,
        "manifest": snapshot.read_text(encoding="utf-8"),
        "published": (store.store_dir() / "manifest.json").read_text(encoding="utf-8"),
        "rows_readable": readable,
        "figures": _figures(),
        "imports": list(DossierImport.objects.order_by("pk").values_list("status", flat=True)),
        "files": sorted(str(p.relative_to(store.store_dir())) for p in store.store_dir().rglob("*.parquet")),
    }


def setup(first: str) -> dict:
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    from cchc.delivery import services
    from cchc.demo.units import load_units

    # Tables straight from the models (what the test is about is not the migrations): seconds less.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    load_units()
    batch = services.dossiers_import(actor=None, path=first)
    assert batch.status == "succeeded", batch.errors[:3]
    return _store()


def import_paused(path: str, marker: str) -> dict:
    """Import ``path`` and stop for good right after the first partition file of the new state is in
    place (the others not yet written, no manifest): the test kills the process there. The pause
    only makes the moment certain; the kill is a real SIGKILL of this process."""
    from cchc.delivery import partitions, services

    class PausingOs:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def replace(src, dst):
            os.replace(src, dst)
            if Path(dst).parent.name.startswith("rmonth="):
                Path(marker).write_text(json.dumps({"written": str(dst), "pid": os.getpid()}))
                time.sleep(600)

    partitions.os = PausingOs()
    services.dossiers_import(actor=None, path=path)
    return {"finished": True}  # never reached: the test kills the process first


def recover(path: str) -> dict:
    """After the kill: what readers see, then the stale-import check, then the import again, then a
    full rebuild of the figures to compare with."""
    from cchc.delivery import services
    from cchc.delivery.models import DossierImport

    seen = _store()
    killed = DossierImport.objects.order_by("pk").last()
    failed = [b.pk for b in services.imports_fail_stale()]
    killed.refresh_from_db()
    again = services.dossiers_import(actor=None, path=path)
    after = _store()
    incremental = _figure_rows()
    services.kpi_figures_recompute(actor=None)
    return {
        "seen": seen,
        "killed": {"pk": killed.pk, "status": killed.status, "message": killed.message},
        "failed": failed,
        "again": {"status": again.status, "inserted": again.inserted, "updated": again.updated},
        "after": after,
        "differences_to_a_full_rebuild": _differences(incremental, _figure_rows()),
        "figures_rebuilt": len(_figure_rows()),
    }


STEPS = {"setup": setup, "import_paused": import_paused, "recover": recover}
