from cchc.reporting.tests.conftest import at, reporting  # noqa: F401  (the reporting world, reused)
