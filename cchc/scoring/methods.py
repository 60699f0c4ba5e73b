"""What each scoring method allows, and the points a rate earns. Pure functions over a criterion."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from cchc.scoring.models import Method

TWO = Decimal("0.01")


LARGEST_POINTS = Decimal(10**9)


def as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError(f"«{value}» không phải là số.") from exc
    # NaN, Infinity and absurd magnitudes are valid Decimals but no criterion's points: refuse them
    # here rather than let a quantize or a numeric(…) column fail later.
    if not number.is_finite() or abs(number) >= LARGEST_POINTS:
        raise ValidationError(f"«{value}» không phải là số điểm hợp lệ.")
    return number


def fmt(value) -> str:
    """Points as Vietnamese documents write them: 0,5 · 12,25 · 20."""
    if value is None:
        return ""
    text = format(Decimal(value).quantize(TWO).normalize(), "f")
    return text.replace(".", ",")


def allowed_label(criterion) -> str:
    method = criterion.method
    if method in (Method.BANDS, Method.RATE_BANDS):
        return "một trong các mức " + ", ".join(fmt(b["points"]) for b in criterion.bands)
    if method == Method.YES_NO:
        return f"0 hoặc {fmt(criterion.max_points)}"
    return f"từ {fmt(criterion.min_points)} đến {fmt(criterion.max_points)}"


def validate_points(criterion, value) -> Decimal:
    """The points as the method allows them, or a ValidationError naming the item."""
    try:
        points = as_decimal(value)
    except ValidationError as exc:
        raise ValidationError(f"Tiêu chí {criterion.code}: {exc.messages[0]}") from exc
    if points is None:
        raise ValidationError(f"Tiêu chí {criterion.code}: chưa nhập điểm.")
    method = criterion.method
    ok = True
    if method in (Method.BANDS, Method.RATE_BANDS):
        ok = any(points == as_decimal(b["points"]) for b in criterion.bands)
    elif method == Method.YES_NO:
        ok = points in (Decimal(0), criterion.max_points)
    elif method == Method.TOTAL:
        ok = False
    else:
        ok = criterion.min_points <= points <= criterion.max_points and points == points.quantize(TWO)
    if not ok:
        raise ValidationError(
            f"Tiêu chí {criterion.code}: điểm {fmt(points)} không hợp lệ, chỉ nhận {allowed_label(criterion)}."
        )
    return points.quantize(TWO)


def points_for_rate(criterion, rate: Decimal) -> Decimal | None:
    """Points a rate (in %) earns: the band it falls in, or rate × max / threshold capped at max."""
    method = criterion.method
    if method == Method.RATE_BANDS:
        for band in sorted(criterion.bands, key=lambda b: -as_decimal(b.get("min") or 0)):
            if rate >= as_decimal(band.get("min") or 0):
                return as_decimal(band["points"]).quantize(TWO)
        return Decimal(0).quantize(TWO)
    if method == Method.PROPORTIONAL:
        threshold = criterion.threshold or Decimal(100)
        points = min(criterion.max_points, rate * criterion.max_points / threshold)
        return max(Decimal(0), points).quantize(TWO, ROUND_HALF_UP)
    if method == Method.YES_NO:
        return criterion.max_points if rate >= (criterion.threshold or Decimal(100)) else Decimal("0.00")
    return None


def band_points(criterion, index: int) -> Decimal | None:
    """The points of the index-th band (0 = the best), for sources that pick a band."""
    if criterion.method in (Method.BANDS, Method.RATE_BANDS) and index < len(criterion.bands):
        return as_decimal(criterion.bands[index]["points"]).quantize(TWO)
    if criterion.method == Method.YES_NO:
        return criterion.max_points if index == 0 else Decimal("0.00")
    return None


def level_for(index: Decimal | None, levels: list[dict]) -> str:
    """The first level (highest first) whose minimum the index reaches."""
    if index is None:
        return ""
    for level in sorted(levels, key=lambda b: -as_decimal(b["min"])):
        if index >= as_decimal(level["min"]):
            return level["label"]
    return ""
