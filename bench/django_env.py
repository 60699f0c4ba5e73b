"""Django for the benchmarks: test-safe settings and a throw-away SQLite database unless
DATABASE_URL points elsewhere (PostgreSQL)."""

import os
import tempfile


def setup_django() -> None:
    os.environ.setdefault("CCHC_TESTING", "1")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

    import django

    django.setup()
