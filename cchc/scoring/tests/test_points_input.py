"""Points typed into a form: Vietnamese decimals are read, things that are not points are refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cchc.scoring.methods import as_decimal


def test_a_vietnamese_decimal_comma_is_read_as_points():
    assert as_decimal(" 1,25 ") == Decimal("1.25")


@pytest.mark.parametrize("typed", ["NaN", "-nan", "Infinity", "-inf", "1e9", "123456789012", "abc"])
def test_values_that_are_no_criterions_points_are_refused_in_vietnamese(typed):
    with pytest.raises(ValidationError, match="không phải là số"):
        as_decimal(typed)
