"""Steps of the real-worker test, each run in its own process against one database file.

python -c "from cchc.jobs.tests.worker_world import main; main()" STEP [ARGS]
"""

import json
import sys


def main() -> None:
    import django

    django.setup()
    step, *args = sys.argv[1:]
    print(json.dumps(STEPS[step](*args)))


def setup() -> dict:
    from cchc.demo.units import load_units
    from cchc.org.models import User

    load_units()
    User.objects.create_superuser("quantri", "quantri@example.vn", "mat-khau-thu-nghiem-123")
    return {"ok": True}


def enqueue(path: str, name: str) -> dict:
    import shutil

    from cchc.jobs import services
    from cchc.org.models import User

    copy = services.upload_dir() / name
    shutil.copyfile(path, copy)
    job = services.enqueue(
        "dossier_import",
        user=User.objects.get(username="quantri"),
        params={"path": str(copy), "file_name": name, "mapping_id": None},
    )
    return {"job": job.pk}


def state(job_id: str) -> dict:
    from cchc.delivery.models import DossierImport, KpiFigure
    from cchc.delivery.selectors import current_import
    from cchc.jobs.models import Job

    job = Job.objects.get(pk=int(job_id))
    current = current_import()
    return {
        "status": job.status,
        "attempts": job.attempts,
        "done": job.progress_done,
        "message": job.message,
        "current_import": current.pk if current else None,
        "total_after": current.total_after if current else 0,
        "figures": KpiFigure.objects.count(),
        "imports": list(DossierImport.objects.order_by("pk").values_list("status", flat=True)),
    }


STEPS = {"setup": setup, "enqueue": enqueue, "state": state}
