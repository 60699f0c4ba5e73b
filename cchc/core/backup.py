"""One archive holds everything a copy of the site needs: the database, the dossier store
(DOSSIER_STORE_DIR: the Parquet snapshots the late-dossier and KPI pages read) and MEDIA_ROOT (evidence
files), with a manifest of versions, row counts and a SHA-256 of every member. Restore puts them back
together and refuses an archive that is corrupt, incomplete, or made by a newer version of the app.

How the database is taken:
- SQLite: the online backup API (consistent while the site runs, WAL included), restored the same way.
- PostgreSQL: ``pg_dump -Fc`` when the client is installed (fast, exact, restored with ``pg_restore``);
  otherwise Django's ``dumpdata``/``loaddata`` as a portable fallback (slower on large tables, but it
  needs nothing outside Python). The manifest names the method; restore uses the same one.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "cchc-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Working files of the dossier store that are not data: the import lock, half-written stages.
SKIPPED = (".import.lock",)
SKIPPED_PREFIXES = ("staged-", "tmp")


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else connection.vendor


def _counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.using(connection.alias).count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _versions() -> dict[str, str]:
    import duckdb

    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "duckdb": duckdb.__version__,
    }


def _files(root: Path, prefix: str) -> list[tuple[Path, str]]:
    if not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        if path.name in SKIPPED or path.name.startswith(SKIPPED_PREFIXES):
            continue
        found.append((path, f"{prefix}/{relative}"))
    return found


def _dump_database(tmp: Path) -> tuple[Path, str]:
    """The database as one file in ``tmp``, and how it was taken."""
    if _engine() == "sqlite":
        target = tmp / "db.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target, "sqlite-backup"
    if _engine() == "postgresql" and shutil.which("pg_dump"):
        target = tmp / "db.dump"
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode == 0:
            return target, "pg_dump"
        # A client older than the server refuses to dump: the portable copy still works.
    target = tmp / "db.json"
    with open(target, "w", encoding="utf-8") as handle:
        call_command(
            "dumpdata",
            exclude=["contenttypes", "auth.permission", "sessions"],
            natural_foreign=True,
            natural_primary=True,
            stdout=handle,
            verbosity=0,
        )
    return target, "dumpdata"


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(name):
            env[key] = str(db[name])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def missing_files() -> list[str]:
    """Files the database names that the stores do not hold: a backup of them could not be restored
    whole (usually DOSSIER_STORE_DIR or MEDIA_ROOT pointing at the wrong folder)."""
    from cchc.delivery.models import DossierImport
    from cchc.plans.models import TaskEvidence

    store_dir, media = Path(settings.DOSSIER_STORE_DIR), Path(settings.MEDIA_ROOT)
    names = DossierImport.objects.filter(status=DossierImport.Status.SUCCEEDED).exclude(snapshot="")
    missing = [
        f"{store_dir / n}"
        for n in names.values_list("snapshot", flat=True).distinct()
        if not (store_dir / n).exists()
    ]
    missing += [
        f"{media / n}"
        for n in TaskEvidence.objects.values_list("file", flat=True)
        if not (media / n).exists()
    ]
    return missing


def backup(output: Path, *, allow_missing: bool = False) -> BackupResult:
    """Write the archive; the dossier store is locked meanwhile so no import swaps its snapshot."""
    from cchc.delivery import store

    lost = [] if allow_missing else missing_files()
    if lost:
        raise ValidationError(
            f"Không sao lưu: cơ sở dữ liệu ghi nhận {len(lost)} tệp không có trong kho ({', '.join(lost[:3])}). "
            "Hãy kiểm tra DOSSIER_STORE_DIR và MEDIA_ROOT, hoặc dùng --allow-missing nếu các tệp đó đã mất thật."
        )
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, store.import_lock():
        database, method = _dump_database(Path(tmp))
        members = [(database, f"database/{database.name}")]
        members += _files(Path(settings.DOSSIER_STORE_DIR), "dossiers")
        members += _files(Path(settings.MEDIA_ROOT), "media")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": _versions(),
            "database": {"engine": _engine(), "method": method, "file": f"database/{database.name}"},
            "migrations": _applied_migrations(),
            "counts": _counts(),
            "files": {name: {"sha256": _sha256(path), "size": path.stat().st_size} for path, name in members},
        }
        partial = output.with_name(output.name + ".tmp")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            for path, name in members:
                archive.add(path, arcname=name, recursive=False)
        partial.replace(output)  # a backup cut short never looks like a whole one
    return BackupResult(output, manifest)


# Restore ------------------------------------------------------------------------------------------


def _refuse(message: str) -> None:
    raise ValidationError(f"Không khôi phục được: {message}")


def read_verified(archive_path: Path, into: Path) -> dict:
    """Extract into ``into`` and check the archive against its manifest; the manifest, or a refusal."""
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            try:
                manifest = json.load(archive.extractfile(MANIFEST))
            except (KeyError, AttributeError, json.JSONDecodeError, UnicodeDecodeError):
                _refuse("tệp không phải là bản sao lưu của hệ thống (thiếu hoặc hỏng manifest.json).")
            if manifest.get("format") != FORMAT:
                _refuse("tệp không phải là bản sao lưu của hệ thống.")
            if manifest.get("format_version") != FORMAT_VERSION:
                _refuse(
                    f"bản sao lưu dạng {manifest.get('format_version')}, phiên bản này đọc dạng {FORMAT_VERSION}."
                )
            names = {m.name for m in archive.getmembers() if m.isfile()} - {MANIFEST}
            expected = set(manifest.get("files", {}))
            if names != expected:
                extra, lost = sorted(names - expected), sorted(expected - names)
                _refuse(f"nội dung không khớp manifest (thiếu: {lost[:5]}, thừa: {extra[:5]}).")
            archive.extractall(
                into, members=[m for m in archive.getmembers() if m.name in expected], filter="data"
            )
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        _refuse(f"tệp sao lưu bị hỏng hoặc không đọc được ({exc.__class__.__name__}).")
    for name, info in manifest["files"].items():
        path = into / name
        if path.stat().st_size != info["size"] or _sha256(path) != info["sha256"]:
            _refuse(f"tệp «{name}» trong bản sao lưu bị hỏng (mã kiểm tra SHA-256 không khớp).")
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        _refuse(
            "bản sao lưu được tạo bởi phiên bản mới hơn của hệ thống (có các thay đổi cơ sở dữ liệu chưa có ở "
            f"đây: {', '.join(unknown[:5])}). Hãy cập nhật mã nguồn trước khi khôi phục."
        )
    engine = manifest["database"]["engine"]
    method = manifest["database"]["method"]
    if method != "dumpdata" and engine != _engine():
        _refuse(f"bản sao lưu của cơ sở dữ liệu {engine}, máy này dùng {_engine()}.")
    return manifest


def _holds_data() -> bool:
    from cchc.org.models import Unit, User

    tables = connection.introspection.table_names()
    return (Unit._meta.db_table in tables and Unit.objects.exists()) or (
        User._meta.db_table in tables and User.objects.exists()
    )


def _not_empty(path: Path) -> bool:
    return path.exists() and any(p.is_file() and p.name not in SKIPPED for p in path.rglob("*"))


def restore(archive_path: Path, *, force: bool = False) -> dict:
    """Put the database and both stores back from one archive; the counts are checked afterwards."""
    store_dir, media_root = Path(settings.DOSSIER_STORE_DIR), Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        manifest = read_verified(Path(archive_path), tmp)
        if not force:
            if _holds_data():
                _refuse(
                    "cơ sở dữ liệu đích đã có dữ liệu. Hãy khôi phục vào cơ sở dữ liệu mới, hoặc dùng --force để ghi đè."
                )
            for label, path in (
                ("kho hồ sơ (DOSSIER_STORE_DIR)", store_dir),
                ("thư mục tệp (MEDIA_ROOT)", media_root),
            ):
                if _not_empty(path):
                    _refuse(f"{label} {path} đã có tệp. Hãy dùng thư mục trống, hoặc --force để ghi đè.")
        _load_database(tmp / manifest["database"]["file"], manifest["database"]["method"])
        for prefix, target in (("dossiers", store_dir), ("media", media_root)):
            source = tmp / prefix
            if target.exists() and force:
                shutil.rmtree(target)
            target.mkdir(parents=True, exist_ok=True)
            if source.exists():
                shutil.copytree(source, target, dirs_exist_ok=True)
    counts = _counts()
    differ = {k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v}
    if manifest["database"]["method"] == "dumpdata":  # rebuilt by migrate, not copied
        for label in ("contenttypes.contenttype", "auth.permission", "sessions.session"):
            differ.pop(label, None)
    if differ:
        _refuse(f"số bản ghi sau khi khôi phục không khớp bản sao lưu: {dict(list(differ.items())[:5])}.")
    return manifest


def _load_database(path: Path, method: str) -> None:
    if method == "sqlite-backup":
        connection.ensure_connection()
        connection.close()
        source = sqlite3.connect(path)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    if method == "pg_dump":
        if not shutil.which("pg_restore"):
            _refuse("bản sao lưu tạo bằng pg_dump nhưng máy này không có pg_restore (gói postgresql-client).")
        connection.close()
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            _refuse(f"pg_restore báo lỗi: {result.stderr.strip()[-500:]}")
        return
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", str(path), verbosity=0)
