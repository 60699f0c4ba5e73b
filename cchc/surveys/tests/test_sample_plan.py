"""The sample-size table of a round: n = N / (1 + N·e²) per unit and, under it, per service field,
from the dossiers the one-stop data holds, beside each quota and the responses taken."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.delivery import services as delivery
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.surveys import selectors, services


def _import(tmp_path, rows):
    batch = delivery.dossiers_import(actor=None, path=write_csv(tmp_path / "mot-cua.csv", rows))
    assert batch.status == "succeeded", batch.errors


def test_each_unit_and_each_of_its_fields_gets_its_own_sample_size(
    world, personas, surveys, submit, tmp_path
):
    rows = [dossier("10930", i, "2026-03-02 09:00", field="Hộ tịch") for i in range(1, 301)]
    rows += [dossier("10930", 300 + i, "2026-03-03 09:00", field="Đất đai") for i in range(1, 41)]
    rows += [dossier("10606", i, "2026-03-04 09:00", field="Chứng thực") for i in range(1, 11)]
    _import(tmp_path, rows)
    services.quota_set(
        actor=personas["city_standing"], round_=surveys.round, unit=world.mao_dien, target=30, field="Đất đai"
    )
    submit(surveys.mao_dien_desk)

    plan = selectors.sample_plan(surveys.round, [world.mao_dien, world.nam_sach])

    by_key = {(r.unit.code, r.field): r for r in plan}
    assert [(r.unit.code, r.field) for r in plan] == [
        ("10930", ""),
        ("10930", "Hộ tịch"),  # the larger field first
        ("10930", "Đất đai"),
        ("10606", ""),
        ("10606", "Chứng thực"),
    ]
    assert by_key[("10930", "")].population == 340
    assert by_key[("10930", "")].sample == services.sample_size(340) == 184
    assert by_key[("10930", "Hộ tịch")].sample == services.sample_size(300) == 172
    assert by_key[("10930", "Đất đai")].population == 40
    assert by_key[("10930", "Đất đai")].sample == services.sample_size(40) == 37
    assert by_key[("10930", "Đất đai")].quota == 30
    assert by_key[("10930", "")].filled == 1  # the desk's answer counts for the commune as a whole
    assert by_key[("10606", "Chứng thực")].population == 10


def test_the_sample_table_costs_the_same_queries_for_two_units_or_one(world, surveys, tmp_path):
    rows = [dossier("10930", i, "2026-03-02 09:00", field=f"Lĩnh vực {i % 7}") for i in range(1, 71)]
    rows += [dossier("10606", i, "2026-03-04 09:00", field=f"Lĩnh vực {i % 5}") for i in range(1, 51)]
    _import(tmp_path, rows)
    with CaptureQueriesContext(connection) as one:
        selectors.sample_plan(surveys.round, [world.mao_dien])
    with CaptureQueriesContext(connection) as two:
        plan = selectors.sample_plan(surveys.round, [world.mao_dien, world.nam_sach])
    assert len(plan) == 2 + 7 + 5
    assert len(two) == len(one) <= 5


def test_without_dossier_data_the_table_says_so_instead_of_a_size(world, surveys):
    (row,) = selectors.sample_plan(surveys.round, [world.mao_dien])
    assert row.population is None and row.sample is None
