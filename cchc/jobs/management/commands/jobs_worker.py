"""python manage.py jobs_worker: runs queued jobs (django-tasks' database worker) after reaping the
jobs a previous worker left running, and keeps reaping every minute while it runs."""

import logging
import os
import socket
import threading

from django.core.management.base import BaseCommand
from django.db import connection

from cchc.jobs import services
from cchc.jobs.schedule import REAP_EVERY_SECONDS

log = logging.getLogger("cchc.jobs")


def reap_forever(stop: threading.Event) -> None:
    try:
        while not stop.wait(REAP_EVERY_SECONDS):
            try:
                services.reap()
            except Exception:
                log.exception("reaping jobs failed")
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Chạy các công việc nền đang chờ trong hàng đợi (Ctrl+C hoặc SIGTERM: dừng sau việc đang chạy)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="giây chờ khi hàng đợi trống")
        parser.add_argument("--batch", action="store_true", help="chạy hết việc đang chờ rồi thoát")
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args, interval, batch, max_tasks, **options):
        from django_tasks_db.management.commands.db_worker import Worker

        reaped = services.reap()
        worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]
        log.info("jobs worker %s starting; reaped %d job(s) left by a dead worker", worker_id, len(reaped))
        stop = threading.Event()
        reaper = threading.Thread(target=reap_forever, args=(stop,), name="jobs-reaper", daemon=True)
        reaper.start()
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
