# The portal's published world: a release, a published SIPAS round, a recognised initiative, and a round
# still open that must never show.
from cchc.portal.tests.test_portal import published  # noqa: F401
from cchc.reporting.tests.conftest import reporting  # noqa: F401  (the reporting world, for the report endpoints)
