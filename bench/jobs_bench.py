"""A large dossier import through the queue (a real `jobs_worker` process) against the existing
`import_dossiers` command, on the same file and the same empty store.

    python bench/jobs_bench.py [--rows 1000000] [--via enqueue|api]

``--via api`` sends the file as a one-stop system does: `POST /api/v1/dossier-batches` with a
data-provider token (the answer's time is the "accepted" figure), then polls `GET /api/v1/jobs/{id}`
for the progress the integration sees.

Uses DATABASE_URL if set (PostgreSQL; the database is migrated, its dossier data reset), else a
throw-away SQLite file. Prints the command's rows/s, the queue's rows/s measured from the enqueue
(the page's answer) to the job's end, the time to accept the request, the progress values a status
page saw while polling, and the ratio queue/command.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["JOBS_INLINE"] = "0"  # before settings load: the queue is the database one
from bench.django_env import setup_django  # noqa: E402

setup_django()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from cchc.delivery.kpi.generator import write_file  # noqa: E402
from cchc.delivery.models import DossierImport, KpiFigure  # noqa: E402
from cchc.demo.units import load_units  # noqa: E402
from cchc.jobs import services  # noqa: E402
from cchc.jobs.models import Job  # noqa: E402
from cchc.org.models import Unit, User  # noqa: E402


def reset(store: Path) -> None:
    KpiFigure.objects.all().delete()
    DossierImport.objects.all().delete()
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)


def _upload_through_api(admin, source: Path):
    """POST the export as a data-provider integration; return the job, the time to the 202 in ms and
    a function that reads the job's percent through the API's status endpoint."""
    from django.test import Client

    from cchc.api.services import token_create

    root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    _token, secret = token_create(
        actor=admin, integration_name="Một cửa (bench)", unit=root, access="write", pushes_dossiers=True
    )
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client's host
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    start = time.perf_counter()
    with open(source, "rb") as handle:
        answer = client.post("/api/v1/dossier-batches", {"file": handle})
    accepted_ms = (time.perf_counter() - start) * 1000
    assert answer.status_code == 202, answer.content[:500]
    body = answer.json()
    status_url = body["status_url"]

    def poll() -> int:
        return client.get(status_url).json()["percent"]

    return Job.objects.get(pk=body["id"]), accepted_ms, poll


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between two looks at the job")
    parser.add_argument("--via", choices=("enqueue", "api"), default="enqueue")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    store = work / "store"
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DOSSIER_STORE_DIR": str(store),
        "MEDIA_ROOT": str(work / "media"),
        "JOBS_INLINE": "0",
        "CCHC_TESTING": "1",
    }
    settings.DOSSIER_STORE_DIR, settings.MEDIA_ROOT = store, work / "media"
    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        load_units()
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench@example.vn", "mat-khau-bench-123"
    )
    source = work / "dossiers.csv"
    start = time.perf_counter()
    write_file(source, args.rows, 2026, "csv", seed=7)
    print(
        f"generated {args.rows:,} rows ({source.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s"
    )

    reset(store)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_dossiers", str(source)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    command_s = time.perf_counter() - start
    command_batch = DossierImport.objects.get()
    print(
        f"command  import_dossiers: {command_s:6.2f} s wall  ({args.rows / command_s:,.0f} rows/s; "
        f"service {command_batch.seconds:.2f} s, {command_batch.inserted:,} inserted)"
    )

    reset(store)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(2)  # the worker is up and idle, as in production
        if args.via == "api":
            job, accepted_ms, poll = _upload_through_api(admin, source)
        else:
            copy = services.upload_dir() / "bench.csv"
            shutil.copyfile(source, copy)
            start = time.perf_counter()
            job = services.enqueue(
                "dossier_import",
                user=admin,
                params={"path": str(copy), "file_name": "bench.csv", "mapping_id": None},
            )
            accepted_ms = (time.perf_counter() - start) * 1000
            poll = None
        start = time.perf_counter() - accepted_ms / 1000
        seen = []
        while True:
            job.refresh_from_db()
            percent = poll() if poll else job.percent
            if not seen or seen[-1] != percent:
                seen.append(percent)
            if not job.is_active:
                break
            time.sleep(args.poll)
        queue_s = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    batch = DossierImport.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.message
    run_s = (job.finished_at - job.started_at).total_seconds()
    print(f"queue    accepted in {accepted_ms:.0f} ms via {args.via} (job #{job.pk} queued)")
    print(
        f"queue    enqueue → done: {queue_s:6.2f} s  ({args.rows / queue_s:,.0f} rows/s; job ran {run_s:.2f} s, "
        f"service {batch.seconds:.2f} s, {batch.inserted:,} inserted)"
    )
    print(f"progress seen by polling (%): {' '.join(map(str, seen))}")
    print(f"ratio queue/command rows/s: {command_s / queue_s:.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
