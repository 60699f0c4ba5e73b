"""gunicorn settings for cchc, from the environment (.env): `gunicorn -c deploy/gunicorn.conf.py cchc.wsgi`."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads let a worker answer while others wait on PostgreSQL (the public survey form measured best
# at 2 workers × 8 threads on 2 cores, docs/performance.md); sync stays the default for SQLite.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # a dossier upload of 200 MB takes a while to arrive
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then (bounded memory over weeks)
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
if os.environ.get("LOG_FORMAT", "").lower() == "json":
    access_log_format = (
        '{"time":"%(t)s","level":"INFO","logger":"gunicorn.access","method":"%(m)s","path":"%(U)s",'
        '"status":%(s)s,"bytes":"%(B)s","ms":%(M)s,"remote":"%(h)s"}'
    )
