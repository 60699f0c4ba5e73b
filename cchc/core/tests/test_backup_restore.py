"""backup and restore take the database, the dossier store and the evidence files together."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cchc.core import backup
from cchc.core.tests.samples import tiny_pdf

ROOT = Path(__file__).resolve().parents[3]


def _run(mode: str, archive: Path, place: Path) -> dict:
    place.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{place / 'cchc.sqlite3'}",
        "CCHC_TESTING": "1",
        "MEDIA_ROOT": str(place / "media"),
        "DOSSIER_STORE_DIR": str(place / "dossiers"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "cchc.core.tests.backup_world", mode, str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A populated site (plans, a report, an evidence file, an imported dossier batch), backed up."""
    tmp = tmp_path_factory.mktemp("backup")
    path = tmp / "cchc.tar.gz"
    _run("backup", path, tmp / "site")
    return path


def test_the_archive_holds_the_database_the_dossier_store_and_the_evidence_with_a_manifest(archive):
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
        names = set(opened.getnames())
    assert manifest["database"] == {
        "engine": "sqlite",
        "method": "sqlite-backup",
        "file": "database/db.sqlite3",
    }
    assert any(n.startswith("dossiers/parts/rmonth=") and n.endswith(".parquet") for n in names)
    assert any(n.startswith("dossiers/manifest-") and n.endswith(".json") for n in names)
    assert any(n.startswith("media/") and n.endswith(".pdf") for n in names)
    assert manifest["counts"]["plans.plan"] == 1 and manifest["counts"]["delivery.dossierimport"] == 1
    assert "delivery" in manifest["migrations"] and manifest["versions"]["django"]
    assert set(manifest["files"]) == names - {"manifest.json"}


def test_a_restore_into_a_fresh_database_and_fresh_stores_answers_every_page(archive, tmp_path):
    statuses = _run("visit", archive, tmp_path / "fresh")
    assert statuses and all(status == 200 for status in statuses.values()), statuses
    assert any("ho-so-tre-han" in url for url in statuses)


def _tampered(archive: Path, out: Path, *, member=None, manifest_change=None) -> Path:
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == "manifest.json" and manifest_change:
                manifest = json.loads(data)
                manifest_change(manifest)
                data = json.dumps(manifest).encode()
            elif info.name.startswith(member or "\0"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out


def test_a_corrupt_member_is_refused_before_anything_is_touched(archive, tmp_path, db):
    bad = _tampered(archive, tmp_path / "bad.tar.gz", member="dossiers/")
    with pytest.raises(ValidationError, match="SHA-256 không khớp"):
        backup.read_verified(bad, tmp_path / "x")


def test_a_truncated_archive_is_refused(archive, tmp_path, db):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(ValidationError, match="bị hỏng|không khớp"):
        backup.read_verified(cut, tmp_path / "x")


def test_an_archive_from_a_newer_version_of_the_app_is_refused(archive, tmp_path, db):
    newer = _tampered(
        archive,
        tmp_path / "newer.tar.gz",
        manifest_change=lambda m: m["migrations"]["delivery"].append("0099_from_the_future"),
    )
    with pytest.raises(ValidationError, match="phiên bản mới hơn"):
        backup.read_verified(newer, tmp_path / "x")


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, db):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    with pytest.raises(ValidationError, match="Không khôi phục được"):
        backup.read_verified(junk, tmp_path / "x")


def test_restore_refuses_to_overwrite_a_database_that_holds_data(archive, world):
    # On PostgreSQL this SQLite archive is refused a step earlier, for its engine.
    with pytest.raises(CommandError, match="đã có dữ liệu|máy này dùng postgresql"):
        call_command("restore", str(archive))


def test_a_backup_refuses_when_the_database_names_files_the_stores_do_not_hold(world, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.plans import services as plans

    evidence = plans.evidence_attach(
        actor=None, task=world.task, upload=SimpleUploadedFile("a.pdf", tiny_pdf()), kind="report"
    )
    settings.MEDIA_ROOT = tmp_path / "wrong-folder"  # MEDIA_ROOT set wrong on the machine
    with pytest.raises(CommandError, match="1 tệp không có trong kho"):
        call_command("backup", output=str(tmp_path / "b.tar.gz"))
    assert not (tmp_path / "b.tar.gz").exists()
    assert evidence.file.name in " ".join(backup.missing_files())


def test_the_late_dossier_pages_explain_a_missing_dossier_store_instead_of_a_500(
    world, personas, login, settings, tmp_path
):
    from cchc.delivery import services as delivery
    from cchc.delivery.tests.factories import dossier, write_csv

    rows = [dossier("10930", i, "2026-01-06 09:00", done_days=5) for i in range(1, 5)]
    delivery.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", rows))
    settings.DOSSIER_STORE_DIR = tmp_path / "empty-store"
    client = login(personas["officer"])
    for url in ("/dich-vu-cong/ho-so-tre-han/", "/dich-vu-cong/ho-so-tre-han/xuat-excel/"):
        response = client.get(url, {"don-vi": "10930", "ky": "2026-01"})
        assert response.status_code == 503 and "Kho hồ sơ một cửa" in response.content.decode()
