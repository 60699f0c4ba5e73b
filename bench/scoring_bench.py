"""PAR Index at national scale: rank and classify 3,321 communes × 100 sub-criteria with ledgers.

    python bench/scoring_bench.py [--units 3321] [--areas 10] [--per-area 10] [--repeat 5]

Uses DATABASE_URL if set (PostgreSQL), else a throw-away SQLite file. The season is built with bulk
inserts (this measures the reads, not the seeding): a 100-point set, one assessment per unit, one
item per sub-criterion with every stage's score, and five ledger rows per item (self, proposed,
appraised, explained, final). Then it times, median of --repeat runs:
  - the block's ranking with per-area totals (what a release freezes), through `selectors.ranking`;
  - heads' classification from that ranking (suggested level per unit, in memory);
  - the same two without per-area totals (what `scoring_rank` prints);
  - a floor: one hand-written GROUP BY that sums the final points per assessment.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.django_env import setup_django  # noqa: E402

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cchc.org.models import Unit  # noqa: E402
from cchc.scoring import methods, selectors, services  # noqa: E402
from cchc.scoring.models import Assessment, ItemScore, Method, ScoreEntry, Season  # noqa: E402
from cchc.scoring.services import CriterionRow  # noqa: E402


def timed(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


@transaction.atomic
def build(units: int, areas: int, per_area: int) -> Season:
    city = Unit.objects.create(code="VN", name="Cả nước", kind="city", path="/pending/", name_key="ca nuoc")
    city.path = f"/{city.pk}/"
    city.save(update_fields=["path"])
    Unit.objects.bulk_create(
        Unit(
            code=f"X{i:05d}",
            name=f"Xã thử nghiệm {i}",
            kind="commune",
            block="commune",
            parent=city,
            path="/pending/",
            depth=1,
            name_key=f"xa thu nghiem {i}",
        )
        for i in range(units)
    )
    communes = list(Unit.objects.filter(kind="commune"))
    for unit in communes:
        unit.path = f"{city.path}{unit.pk}/"
        unit.organisation_id = unit.pk
    Unit.objects.bulk_update(communes, ["path", "organisation"], batch_size=2000)
    per_leaf = Decimal(60) / (areas * per_area)
    rows = []
    for a in range(1, areas + 1):
        rows.append(CriterionRow(str(a), f"Lĩnh vực {a}", per_leaf * per_area))
        for s in range(1, per_area + 1):
            rows.append(CriterionRow(f"{a}.{s}", f"Tiêu chí {a}.{s}", per_leaf, method=Method.FREE))
    criteria_set = services.set_create(
        actor=None,
        year=2026,
        block="commune",
        title="Bộ đo hiệu năng",
        appraised_points=60,
        survey_points=40,
        rows=rows,
    )
    season = services.season_open(
        actor=None, criteria_set=criteria_set, self_deadline=date(2027, 1, 15), units=[]
    )
    Assessment.objects.bulk_create(
        Assessment(
            season=season, unit=u, status="submitted", survey_points=Decimal(random.randint(300, 399)) / 10
        )
        for u in communes
    )
    leaves = [c for c in criteria_set.criteria.all() if c.is_leaf]
    rng = random.Random(7)
    assessments = list(season.assessments.all())
    stages = ["self", "proposed", "appraised", "explained", "final"]
    for chunk in range(0, len(assessments), 200):
        items = []
        for assessment in assessments[chunk : chunk + 200]:
            for c in leaves:
                p = (c.max_points * Decimal(rng.randint(50, 100)) / 100).quantize(Decimal("0.01"))
                items.append(
                    ItemScore(
                        assessment=assessment,
                        criterion=c,
                        self_points=p,
                        appraised_points=p,
                        explained_points=p,
                        final_points=p,
                    )
                )
        ItemScore.objects.bulk_create(items, batch_size=5000)
        created = ItemScore.objects.filter(assessment__in=assessments[chunk : chunk + 200]).values_list(
            "pk", "final_points"
        )
        ScoreEntry.objects.bulk_create(
            (
                ScoreEntry(item_id=pk, stage=stage, points=points)
                for pk, points in created
                for stage in stages
            ),
            batch_size=10000,
        )
    Season.objects.filter(pk=season.pk).update(stage="locked")
    season.refresh_from_db()
    return season


def classify(board) -> int:
    levels = board.season.criteria_set.head_levels
    return sum(1 for row in board.rows if methods.level_for(row.index, levels))


def raw_floor(season: Season) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.assessment_id, SUM(i.final_points) FROM scoring_itemscore i "
            "JOIN scoring_assessment a ON a.id = i.assessment_id WHERE a.season_id = %s AND i.applicable "
            "GROUP BY i.assessment_id",
            [season.pk],
        )
        return len(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--areas", type=int, default=10)
    parser.add_argument("--per-area", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the season a previous run built")
    args = parser.parse_args()
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    season = Season.objects.filter(year=2026, block="commune").first() if args.reuse else None
    season = season or build(args.units, args.areas, args.per_area)
    items = ItemScore.objects.filter(assessment__season=season).count()
    ledger = ScoreEntry.objects.filter(item__assessment__season=season).count()
    print(
        f"{connection.vendor}: {args.units} units × {args.areas * args.per_area} sub-criteria = {items} items, {ledger} ledger rows (built in {time.perf_counter() - start:.0f} s)"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    board = selectors.ranking(season)
    assert board.rows[0].rank == 1
    full = timed(lambda: classify(selectors.ranking(season)), args.repeat)
    plain = timed(lambda: classify(selectors.ranking(season, with_areas=False)), args.repeat)
    floor = timed(lambda: raw_floor(season), args.repeat)
    print(f"rank + classify, with per-area totals: {full * 1000:.0f} ms")
    print(f"rank + classify, totals only:          {plain * 1000:.0f} ms")
    print(
        f"floor (one raw GROUP BY of final points): {floor * 1000:.0f} ms ({plain / floor:.1f}× for totals only)"
    )
    top = board.rows[0]
    print(f"first: {top.name} {top.index} ({top.band}); classified {classify(board)} heads")


if __name__ == "__main__":
    main()
