from datetime import date

import pytest

# The reporting world and the frozen clock are the reporting tests' own: one definition for both apps.
from cchc.reporting.tests.conftest import at, reporting  # noqa: F401
from cchc.surveys.tests.conftest import submit, surveys  # noqa: F401


@pytest.fixture
def commune_leader(world):
    """A leader who follows xã Mao Điền only (viewer of the commune)."""
    from cchc.conftest import _person

    return _person("mao_dien_leader", world.mao_dien, "viewer")


@pytest.fixture
def snapshot(world):
    """The scorecard rows of 2025 and 2026, rebuilt from the world's plans (today: 2 Dec 2026)."""
    from cchc.dashboard.services import refresh_scorecard

    refresh_scorecard(2025, today=date(2026, 12, 2))
    refresh_scorecard(2026, today=date(2026, 12, 2))


# The source modules' own worlds, to feed the snapshot through their services.
from cchc.scoring.tests.conftest import commune_set, council, season  # noqa: E402, F401
