from cchc.reporting.tests.conftest import reporting  # noqa: F401  (the reporting world, for the report endpoints)
