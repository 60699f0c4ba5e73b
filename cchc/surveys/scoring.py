"""The survey index as a PAR Index source: criteria with source "survey" (or "survey:<aspect>")
get their points from the published snapshot, and a season's survey points (điểm điều tra xã hội
học) can be filled from it with the snapshot's provenance as their recorded source."""

from decimal import ROUND_HALF_UP, Decimal

from cchc.core.numbers import format_percent
from cchc.org.models import Unit
from cchc.surveys.selectors import SatisfactionIndex, satisfaction_index

TWO = Decimal("0.01")


def _figures(index: SatisfactionIndex) -> list[tuple[str, str]]:
    p = index.provenance
    return [
        ("Đợt khảo sát", p["round_title"]),
        ("Số phiếu", str(index.n)),
        ("Chỉ số hài lòng", format_percent(index.value)),
        ("Khoảng tin cậy 95%", f"{format_percent(index.low)}–{format_percent(index.high)}"),
        ("Kết quả chốt ngày", p["frozen_on"]),
        ("Mã kiểm tra SHA-256", p["sha256"]),
    ]


def survey_source(unit: Unit, year: int, criterion, argument: str):
    """Registered as scoring source "survey": None when no published round covers the unit."""
    from cchc.scoring import methods
    from cchc.scoring.sources import Proposal

    index = satisfaction_index(unit, year, aspect=argument)
    if index.value is None:
        return None
    points = methods.points_for_rate(criterion, Decimal(str(index.value)))
    if points is None:
        return None
    return Proposal(
        points,
        _figures(index),
        [("Kết quả khảo sát đã công bố", f"/ket-qua-khao-sat/{index.provenance['round']}/")],
    )


def register() -> None:
    from cchc.scoring import sources

    sources.register("survey", "Chỉ số hài lòng (điều tra xã hội học, từ kết quả khảo sát đã công bố)")(
        survey_source
    )


def season_survey_points(season) -> dict[int, tuple[Decimal, str]]:
    """{assessment id: (points, source)} for a season: the season's survey points × the unit's
    index, with the snapshot's provenance as the source text. Units without a published result
    are left out (never a made-up number). Feed it to scoring.services.season_set_survey."""
    maximum = Decimal(season.criteria_set.survey_points)
    out = {}
    for assessment in season.assessments.select_related("unit"):
        index = satisfaction_index(assessment.unit, season.year)
        if index.value is None:
            continue
        points = (maximum * Decimal(str(index.value)) / 100).quantize(TWO, ROUND_HALF_UP)
        out[assessment.pk] = (points, f"{index.provenance_label} · {index.n} phiếu")
    return out
