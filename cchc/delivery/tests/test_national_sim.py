"""The national-size simulation (bench/national_sim.py) at a small size: the store it writes is the
app's partitioned dossier store, and a province's figures from the national data equal those from
the province's data alone."""

from datetime import date

import pytest

from bench import national_sim as sim
from bench.national_tree import national_tree, parents_of, province_code, subtree
from cchc.delivery import partitions
from cchc.delivery.kpi import schema

ROWS = 20_000


@pytest.fixture(scope="module")
def tree():
    return national_tree(provinces=3, communes=30, departments=6)


@pytest.fixture(scope="module")
def national(tmp_path_factory, tree):
    directory = tmp_path_factory.mktemp("national") / "store"
    con = sim.connect("1GB", directory.parent / "tmp", threads=2)
    manifest = sim.generate(directory, tree, ROWS, 2026, con)
    yield directory, manifest, con
    con.close()


def test_the_volumes_add_up_to_the_rows_asked_for_with_every_leaf_unit_every_month(tree):
    volumes = sim.unit_volumes(tree, ROWS, 2026)
    assert sum(v[6] for v in volumes) == ROWS
    leaves = {u.code for u in tree if u.kind != "city"}
    assert {(v[0], v[5]) for v in volumes} == {(code, m) for code in leaves for m in range(1, 13)}
    # Row ids are consecutive and never reused: the dossier codes are unique by construction.
    assert [v[7] for v in volumes] == [sum(w[6] for w in volumes[:k]) for k in range(len(volumes))]


def test_the_generated_store_is_the_apps_partitioned_store_and_passes_every_rule(national):
    directory, manifest, con = national
    assert sorted(manifest["partitions"]) == [f"2026-{m:02d}" for m in range(1, 13)]
    for key, part in manifest["partitions"].items():
        assert part["file"] == f"parts/rmonth={key}/v000001.parquet"
        assert (directory / part["file"]).exists()
    assert sum(p["rows"] for p in manifest["partitions"].values()) == ROWS
    assert partitions.read_manifest(directory / "manifest.json") == manifest
    source = partitions.relation_sql(directory, manifest)
    assert schema.validate(source, con) == []
    assert partitions.data_range(manifest)[0] >= date(2026, 1, 1)
    assert partitions.data_range(manifest)[1] <= date(2026, 12, 31)
    # Read hive-partitioned, every row sits in the partition of its month of receipt.
    misplaced = con.execute(
        f"SELECT count(*) FROM read_parquet('{directory}/parts/*/*.parquet', hive_partitioning = true) "
        "WHERE rmonth <> strftime(received_at, '%Y-%m')"
    ).fetchone()[0]
    assert misplaced == 0


def test_the_data_looks_like_a_one_stop_system_year(national):
    directory, manifest, con = national
    source = partitions.relation_sql(directory, manifest)
    online, late, pending, withdrawn = con.execute(
        f"""SELECT avg(CASE WHEN channel = 2 THEN 1 ELSE 0 END) FILTER (WHERE online_eligible),
            avg(CASE WHEN CAST(finished_at AS DATE) > CAST(due_at AS DATE) THEN 1 ELSE 0 END)
                FILTER (WHERE status IN (9, 10)),
            avg(CASE WHEN status IN (2, 4, 5, 6) THEN 1 ELSE 0 END),
            avg(CASE WHEN status IN (7, 8) THEN 1 ELSE 0 END)
        FROM {source}"""
    ).fetchone()
    assert 0.6 < online < 0.85
    assert 0.01 < late < 0.15
    assert 0 < pending < 0.1
    assert 0 < withdrawn < 0.02


def test_the_same_rows_come_out_on_one_thread_and_on_two(tmp_path, tree):
    def fingerprint(threads):
        con = sim.connect("1GB", tmp_path / "tmp", threads=threads)
        directory = tmp_path / f"store-{threads}"
        manifest = sim.generate(directory, tree, 3_000, 2026, con)
        return con.execute(
            "SELECT count(*), sum(hash(dossier_code, status, finished_at, due_at, rating, channel)) "
            f"FROM {partitions.relation_sql(directory, manifest)}"
        ).fetchone()

    assert fingerprint(1) == fingerprint(2)


def province_case(tmp_path, national, tree, drop: str | None = None):
    directory, _, con = national
    province = province_code(1)
    units = subtree(tree, province)
    codes = [u.code for u in units if u.code != drop]
    own = {u.code: u.parent for u in units if u.parent and u.code != province}
    target = tmp_path / "province"
    sim.extract(directory, target, codes, con)
    as_of = sim.kpi_settings(directory).as_of
    national_rows = sim.compute(directory, parents_of(tree), con)
    alone = sim.compute(target, own, con, as_of=as_of)
    expected = sim.province_rows(national_rows, {u.code for u in units}, province)
    return expected, sim.alone_rows(alone, province)


def test_a_provinces_figures_from_the_national_data_equal_those_from_its_data_alone(tmp_path, national, tree):
    expected, got = province_case(tmp_path, national, tree)
    assert any(k[0] == "subtree" for k in expected) and any(k[0] == "unit" for k in expected)
    assert sum(r["received"] for k, r in expected.items() if k[0] == "subtree" and k[2] is None) > 0
    assert sim.differences(expected, got) == []


def test_a_province_missing_one_communes_dossiers_is_told_apart(tmp_path, national, tree):
    commune = next(u.code for u in subtree(tree, province_code(1)) if u.kind == "commune")
    expected, got = province_case(tmp_path, national, tree, drop=commune)
    problems = sim.differences(expected, got, limit=1000)
    assert problems and "rows missing" in problems[0]
    assert any("subtree" in p and "received" in p for p in problems)
