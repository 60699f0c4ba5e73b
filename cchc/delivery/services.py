"""Writes of the service-delivery module: dossier imports, KPI figures, settings, mappings, target links.

``actor=None`` is the system itself (management commands, the demo loader); every other actor is
checked against their scope inside the transaction.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cchc.core import audit, uploads
from cchc.core.exceptions import ConflictError, check_version
from cchc.core.liveness import heartbeat, pid_gone
from cchc.core.numbers import format_number
from cchc.dashboard.services import refresh_scorecard_soon
from cchc.delivery import partitions, store
from cchc.delivery.kpi import compute_kpis
from cchc.delivery.kpi.catalogue import KPI_BY_CODE, suggest
from cchc.delivery.kpi.engine import _date_index, _period_start
from cchc.delivery.kpi.ingest import FileContent, IngestFileError, aggregate_file, content_digest, stage_file
from cchc.delivery.kpi.ingest import SourceMapping as MappingSpec
from cchc.delivery.kpi.periods import MEASURES
from cchc.delivery.models import (
    DossierImport,
    KpiConfig,
    KpiFigure,
    KpiPublication,
    SourceMapping,
    TargetKpiLink,
)
from cchc.delivery.selectors import current_import, kpi_config, period_catalogue, publication_rows
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.plans.models import Target
from cchc.plans.permissions import can_edit_plan

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


def _root_unit() -> Unit | None:
    return Unit.objects.filter(parent__isnull=True).order_by("pk").first()


def can_manage_data(user) -> bool:
    """Dossier imports, mappings and KPI settings: the standing agency of the top unit, or admins."""
    if user is None:
        return False
    scope = scope_for(user)
    if scope.is_admin:
        return True
    root = _root_unit()
    return root is not None and scope.is_standing_agency_of(root)


def can_push_dossiers(user) -> bool:
    """Send a dossier export to be imported: the data managers, and a one-stop system whose API token
    the city's standing agency marked as a data provider. Mappings and settings stay with managers."""
    if user is None:
        return False
    return can_manage_data(user) or scope_for(user).pushes_dossiers


PUSH_REFUSED = (
    "Chỉ Sở Nội vụ (cơ quan thường trực), quản trị viên hoặc hệ thống một cửa có khóa API "
    "cung cấp dữ liệu được gửi hồ sơ để nhập."
)


def _require_uploader(actor) -> None:
    if actor is not None and not can_push_dossiers(actor):
        raise PermissionDenied(PUSH_REFUSED)


def dossier_upload_enqueue(
    *,
    actor,
    upload,
    mapping: SourceMapping | None = None,
    idempotency_key: str | None = None,
    params=None,
    force: bool = False,
):
    """Keep an uploaded export under JOBS_UPLOAD_DIR and queue its import (pages and API alike).

    Without a key of the caller's own, the same file with the same mapping over the same current data
    is one job (a double submit, a retried request get the first job)."""
    import uuid

    from cchc.jobs.services import enqueue, upload_dir

    _require_uploader(actor)
    path = upload_dir() / f"ho-so-{uuid.uuid4().hex}{Path(upload.name or '').suffix.lower()}"
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    if idempotency_key is None:
        current = current_import()
        idempotency_key = (
            f"ho-so:{digest.hexdigest()}:{mapping.pk if mapping else 0}:{current.pk if current else 0}"
        )
        if force:
            idempotency_key += ":force"
    try:
        job = enqueue(
            "dossier_import",
            user=actor,
            unit=_root_unit(),
            params={
                **(params or {}),
                "path": str(path),
                "file_name": os.path.basename(upload.name or "hoso.csv"),
                "mapping_id": mapping.pk if mapping else None,
                "force": force,
            },
            idempotency_key=idempotency_key,
        )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    if job.params.get("path") != str(path):  # an existing job for the same file: this copy is not needed
        path.unlink(missing_ok=True)
    return job


def _require_manager(actor) -> None:
    if actor is not None and not can_manage_data(actor):
        raise PermissionDenied(
            "Chỉ Sở Nội vụ (cơ quan thường trực) hoặc quản trị viên được nhập và cấu hình dữ liệu hồ sơ."
        )


# Settings ----------------------------------------------------------------------------------------


CONFIG_FIELDS = (
    "cutoff_day",
    "timeliness_basis",
    "late_rate_denominator",
    "online_share_denominator",
    "satisfied_min_rating",
)


@transaction.atomic
def kpi_config_update(*, actor, expected_version: int, **values: Any) -> KpiConfig:
    """Change how KPIs are computed; the figures are recomputed in the same transaction."""
    _require_manager(actor)
    stored = kpi_config()
    if stored.pk is None:  # still the defaults: the first change stores them
        stored.save()
    config = KpiConfig.objects.select_for_update().get(pk=stored.pk)
    check_version(
        config.version, expected_version, "Cấu hình đã được người khác thay đổi; vui lòng tải lại trang."
    )
    unknown = set(values) - set(CONFIG_FIELDS)
    if unknown:
        raise ValidationError(f"Không có thiết lập: {', '.join(sorted(unknown))}.")
    before = audit.snapshot(config, CONFIG_FIELDS)
    for name, value in values.items():
        setattr(config, name, value)
    try:
        config.engine_settings()
    except ValueError as exc:
        raise ValidationError(f"Thiết lập không hợp lệ: {exc}") from exc
    changes = audit.diff(before, audit.snapshot(config, CONFIG_FIELDS))
    if not changes:
        return config
    config.version += 1
    config.save()
    audit.record(actor=actor, action="update", instance=config, changes=changes)
    current = current_import()
    if current is not None:
        _recompute(config, store.snapshot_path(current.snapshot), current.data_until)
    return config


# Mappings ----------------------------------------------------------------------------------------


@transaction.atomic
def mapping_save(
    *, actor, name: str, title: str, spec: dict, expected_version: int | None, description: str = ""
) -> SourceMapping:
    """Create (``expected_version=None``: it must not exist yet) or change a saved column mapping (the
    version it was read at); the spec is checked by building it."""
    _require_manager(actor)
    try:
        MappingSpec.from_json(spec)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValidationError(f"Cấu hình ánh xạ không hợp lệ: {exc}") from exc
    mapping = SourceMapping.objects.select_for_update().filter(name=name).first()
    if mapping is None:
        mapping = SourceMapping.objects.create(name=name, title=title, description=description, spec=spec)
        audit.record(actor=actor, action="create", instance=mapping, changes={"name": name, "spec": spec})
        return mapping
    message = "Cấu hình ánh xạ đã được người khác thay đổi; vui lòng tải lại trang."
    if expected_version is None:
        raise ConflictError(f"Đã có cấu hình ánh xạ «{name}». {message}")
    check_version(mapping.version, expected_version, message)
    before = audit.snapshot(mapping, ("title", "description", "spec"))
    mapping.title, mapping.description, mapping.spec = title, description, spec
    changes = audit.diff(before, audit.snapshot(mapping, ("title", "description", "spec")))
    if changes:
        mapping.version += 1
        mapping.save()
        audit.record(actor=actor, action="update", instance=mapping, changes=changes)
    return mapping


# Imports -----------------------------------------------------------------------------------------


def _n(count: int) -> str:
    """1234567 → "1.234.567" (Vietnamese thousands separator)."""
    return format_number(count)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_bomb(path: Path, name: str) -> None:
    """A workbook is measured from its zip directory before openpyxl inflates it. The size of the
    file itself is the upload form's limit: the server command may import bigger exports."""
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            return
    uploads.check_zip(
        path,
        name=name,
        max_unzipped=uploads.limit("DOSSIER_UPLOAD_MAX_UNZIPPED_BYTES"),
        max_entries=uploads.limit("UPLOAD_ZIP_MAX_ENTRIES"),
    )


def dossiers_import(
    *,
    actor,
    path: str | os.PathLike,
    file_name: str | None = None,
    mapping: SourceMapping | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> DossierImport:
    """Import one CSV/XLSX export: all or nothing, upsert by dossier code.

    The batch row is written first (so a refused file stays on record with its errors); the new
    snapshot, the recomputed figures and the batch's success are committed together.

    An unchanged re-import costs what it takes to see that nothing changed: a file identical byte
    for byte to one already imported over the same data is recorded as such without being read
    (``same_as``); a file whose rows of every month have that month's digest in the store is read
    once, without being written anywhere; otherwise only the months whose digest differs are
    compared row by row. ``force``: read, compare and merge every row as if nothing were known."""
    _require_uploader(actor)
    path = Path(path)
    _check_bomb(path, file_name or path.name)
    report = progress or (lambda phase, fraction: None)
    started = time.perf_counter()
    with transaction.atomic():
        now = timezone.now()
        batch = DossierImport.objects.create(
            file_name=file_name or path.name,
            sha256=_sha256(path),
            size_bytes=path.stat().st_size,
            mapping=mapping,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            started_at=now,
            worker_host=socket.gethostname(),
            worker_pid=os.getpid(),
            heartbeat_at=now,
        )
    try:
        with store.import_lock(), _heartbeat(batch.pk):
            same = None if force else _same_file_imported(batch)
            if same is not None:
                return _record_same_file(batch, same, actor, started)
            return _import_locked(batch, actor, path, mapping, report, started, force=force)
    except ValidationError as exc:
        _fail(batch, actor, started, message=" ".join(exc.messages))
        raise
    except Exception as exc:  # a disk or engine failure: the batch must not stay "running"
        log.exception("dossier import %s failed", batch.pk)
        _fail(batch, actor, started, message=f"Lỗi hệ thống khi nhập, không có hồ sơ nào được nhập: {exc}")
        raise


def _same_file_imported(batch: DossierImport) -> DossierImport | None:
    """The earlier successful import of the very same bytes with the same mapping (unchanged since),
    provided nothing changed the store after it: its content is then the store's already."""
    earlier = (
        DossierImport.objects.filter(
            status=DossierImport.Status.SUCCEEDED,
            sha256=batch.sha256,
            mapping_id=batch.mapping_id,
            pk__lt=batch.pk,
        )
        .order_by("-pk")
        .first()
    )
    if earlier is None:
        return None
    changed_since = DossierImport.objects.filter(
        status=DossierImport.Status.SUCCEEDED, pk__gt=earlier.pk, pk__lt=batch.pk
    ).exclude(snapshot="")
    if changed_since.exists() or current_import() is None:
        return None
    if batch.mapping is not None and batch.mapping.updated_at > earlier.started_at:
        return None  # the same bytes read another way
    return earlier


def _succeed_unchanged(batch, started: float, message: str, **fields) -> DossierImport:
    """Close ``batch`` as a success that changed nothing: the store and the figures stay those of the
    current import, whose totals and date range the batch repeats."""
    current = current_import()
    batch = DossierImport.objects.select_for_update().get(pk=batch.pk)
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.total_after = current.total_after
    batch.data_from, batch.data_until = current.data_from, current.data_until
    batch.status = DossierImport.Status.SUCCEEDED
    batch.finished_at = timezone.now()
    batch.seconds = round(time.perf_counter() - started, 3)
    batch.message = message
    batch.save()
    return batch


def _record_same_file(batch, same: DossierImport, actor, started: float) -> DossierImport:
    original = same.same_as or same
    with transaction.atomic():
        batch = _succeed_unchanged(
            batch,
            started,
            f"Tệp giống hệt tệp «{original.file_name}» đã nhập thành công lúc "
            f"{timezone.localtime(original.started_at):%H:%M %d/%m/%Y}, và dữ liệu chưa thay đổi từ đó: "
            "không đọc lại tệp, dữ liệu hồ sơ và số liệu chỉ số giữ nguyên. Nếu cần đọc và so sánh lại "
            "từng hồ sơ, hãy nhập lại với tùy chọn «Nhập lại toàn bộ dù tệp không đổi».",
            same_as=original,
            unchanged=original.rows_read,
        )
        audit.record(
            actor=actor,
            action="import",
            instance=batch,
            changes={"same_as": original.pk, "unchanged": batch.unchanged},
            note="tệp đã nhập, không thay đổi",
        )
    return batch


def _record_unchanged(batch, actor, started: float, reading: _Reading) -> DossierImport:
    rows, months = reading.rows, len(reading.file_months)
    like = reading.same_content_as
    if like is not None:
        message = (
            f"Tệp có cùng nội dung (cùng các hồ sơ, có thể khác thứ tự dòng và cột) với tệp «{like.file_name}» "
            f"đã nhập thành công lúc {timezone.localtime(like.started_at):%H:%M %d/%m/%Y}, và hồ sơ của từng "
            f"tháng trong tệp ({_n(months)} tháng, {_n(rows)} dòng) trùng khớp với dữ liệu hiện hành: không "
            "cần chuyển đổi lại tệp, dữ liệu hồ sơ và số liệu chỉ số giữ nguyên."
        )
    elif reading.by_content:
        message = (
            f"Đã đọc {_n(rows)} dòng: nội dung của từng tháng trong tệp ({_n(months)} tháng) trùng với các lần "
            "nhập trước và với dữ liệu hiện hành, không có hồ sơ mới hay thay đổi; dữ liệu hồ sơ và số liệu "
            "chỉ số giữ nguyên."
        )
    else:
        message = (
            f"Đã đọc và kiểm tra {_n(rows)} dòng: hồ sơ của từng tháng trong tệp ({_n(months)} tháng) trùng "
            "khớp với dữ liệu hiện hành, không có hồ sơ mới hay thay đổi; dữ liệu hồ sơ và số liệu chỉ số "
            "giữ nguyên."
        )
    with transaction.atomic():
        batch = _succeed_unchanged(
            batch,
            started,
            message,
            rows_read=rows,
            unchanged=rows,
            **reading.fields(reading.same),
        )
        changes = {"rows": rows, "inserted": 0, "updated": 0, "unchanged": rows, "months_same": months}
        if like is not None:
            changes["same_content_as"] = like.pk
        audit.record(actor=actor, action="import", instance=batch, changes=changes)
    return batch


# How many earlier successful imports read the same way are searched for a month's content.
CONTENT_LOOKBACK = 30


@dataclass
class _Reading:
    """What the passes before staging learnt of a file: the digests of its content as read, month
    by month; the months known to hold exactly the store's rows (``same``: month -> digest of those
    rows), found by content (an earlier import had that month's content and the store still holds
    what it converted to) or by one converting pass; and the months left to stage."""

    content: FileContent | None = None
    same: dict[str, str] = field(default_factory=dict)
    months: dict[str, str] = field(default_factory=dict)  # the converting pass: every month -> rows digest
    by_content: bool = False
    same_content_as: DossierImport | None = None

    @property
    def rows(self) -> int:
        return self.content.rows if self.content else _digest_rows(self.months)

    @property
    def file_months(self) -> set[str]:
        return set(self.content.months if self.by_content else self.months)

    @property
    def unchanged(self) -> bool:
        return bool(self.file_months) and set(self.same) == self.file_months

    def to_stage(self) -> set[str] | None:
        """The months to convert and stage; None: the whole file."""
        if not self.content or not self.same:
            return None
        return set(self.content.months) - set(self.same)

    def fields(self, rows_digests: dict[str, str]) -> dict:
        """The batch's record of its file, for a later file with some of the same content."""
        if not self.content:
            return {}
        months = {m: [c, rows_digests[m]] for m, c in self.content.months.items() if m in rows_digests}
        return {
            "content_digest": self.content.digest,
            "reading_key": self.content.key,
            "month_digests": {"kind": partitions.digest_kind(), "months": months} if months else None,
        }


def _digest_rows(months: dict[str, str]) -> int:
    return sum(int(d.split(":", 1)[0]) for d in months.values())


def _content_of(path: Path, spec, known: set[str], con, report: Progress, span: float) -> FileContent | None:
    return content_digest(
        path,
        spec,
        scratch_dir=store.store_dir(),
        known_units=known,
        month_key=partitions.key_of,
        progress=lambda f: report("read", span * f),
        con=con,
    )


def _known_months(
    batch: DossierImport, content: FileContent
) -> tuple[dict[str, tuple[str, int]], int | None]:
    """For each month of ``content``, the rows digest an earlier import of the same content of that
    month (read the same way) converted to, and which import; and the import whose whole file had
    this content, if one did."""
    earlier = DossierImport.objects.filter(
        status=DossierImport.Status.SUCCEEDED,
        reading_key=content.key,
        month_digests__kind=partitions.digest_kind(),
        pk__lt=batch.pk,
    ).order_by("-pk")
    found: dict[str, tuple[str, int]] = {}
    whole = None
    for pk, digest, months in earlier.values_list("pk", "content_digest", "month_digests")[:CONTENT_LOOKBACK]:
        if whole is None and digest == content.digest:
            whole = pk
        for month, (month_content, rows_digest) in (months.get("months") or {}).items():
            if month not in found and content.months.get(month) == month_content:
                found[month] = (rows_digest, pk)
    return found, whole


def _read_for_changes(
    batch, path: Path, spec, manifest: dict, known: set[str], con, report: Progress
) -> _Reading:
    """Which months of the file only repeat the store, at the least cost that can tell:

    1. the digest of its content as read, month by month (hashed: a quarter of a converting pass);
       a month with the content an earlier import had for it holds what that import converted it to,
       so when the store still holds exactly that, the month is known without converting it — a
       re-export in another row or column order, or a full export in which only the last month moved;
    2. when no month is known so, one converting pass that writes nothing gives the digest of each
       month's rows, compared with the manifest's (the same dossiers written otherwise)."""
    directory = store.store_dir()
    reading = _Reading(content=_content_of(path, spec, known, con, report, 0.06))
    if reading.content is not None:
        found, whole = _known_months(batch, reading.content)
        store_digests = partitions.current_digests(con, directory, manifest, found)
        reading.same = {m: d for m, (d, _) in found.items() if store_digests.get(m) == d}
        if reading.same:
            reading.by_content = True
            if whole is not None and set(reading.same) == set(reading.content.months):
                reading.same_content_as = DossierImport.objects.get(pk=whole)
            return reading
    rows = aggregate_file(
        path,
        spec,
        partitions.digests_sql("{rows}"),
        scratch_dir=directory,
        known_units=known,
        progress=lambda f: report("read", 0.06 + 0.24 * f),
        con=con,
    )
    if rows:
        reading.months = dict(rows)
        store_digests = partitions.current_digests(con, directory, manifest, reading.months)
        reading.same = {m: d for m, d in reading.months.items() if store_digests.get(m) == d}
    return reading


def _import_locked(
    batch, actor, path: Path, mapping, report: Progress, started: float, *, force: bool = False
) -> DossierImport:
    spec = MappingSpec.from_json(mapping.spec) if mapping else None
    directory = store.store_dir()
    staged = directory / f"staged-{batch.pk}.parquet"
    new_name = partitions.manifest_name(batch.pk)
    con = store.connect()
    merged = None
    try:
        previous = current_import()
        known = set(Unit.objects.values_list("code", flat=True))
        before: dict | None = None
        legacy = None
        if previous is not None:
            if partitions.is_manifest(previous.snapshot):
                before = partitions.read_manifest(store.snapshot_path(previous.snapshot))
            else:  # the single-file store of earlier versions: split into partitions once
                legacy = store.snapshot_path(previous.snapshot)
        reading = _Reading()
        read_from = 0.0
        if not force and before is not None:
            try:
                reading = _read_for_changes(batch, path, spec, before, known, con, report)
            except IngestFileError as exc:
                return _fail(batch, actor, started, message=exc.message)
            if reading.unchanged:
                return _record_unchanged(batch, actor, started, reading)
            read_from = 0.3

        def stage(months):
            return stage_file(
                path,
                spec,
                staged,
                known_units=known,
                progress=lambda f: report("read", read_from + (1 - read_from) * f),
                con=con,
                months=months,
                month_key=partitions.key_of,
            )

        to_stage = reading.to_stage()
        try:
            result = stage(to_stage)
            staged_ok = not (result.errors or result.error_count)
            if (
                to_stage is not None
                and staged_ok
                # a staged code also in a month not staged: the file holds that dossier twice, and
                # staging the whole file names both rows
                and partitions.shares_codes(con, directory, before, staged, reading.same)
            ):
                to_stage, reading.same = None, {}
                result = stage(None)
        except IngestFileError as exc:
            return _fail(batch, actor, started, message=exc.message)
        if result.errors or result.error_count:
            return _fail(
                batch,
                actor,
                started,
                rows=result.rows,
                error_count=result.error_count,
                errors=[str(e) for e in result.errors],
                message=f"Tệp có {_n(result.error_count)} lỗi; không có hồ sơ nào được nhập.",
            )
        report("merge", 0.0)
        merged = partitions.merge(
            directory,
            before,
            staged,
            batch.pk,
            con,
            legacy=legacy,
            by_digest=not force,
            same_months=reading.same if to_stage is not None else (),
        )
        staged.unlink(missing_ok=True)
        rows_read = result.rows
        not_staged = 0
        if to_stage is not None:  # the months known to be the store's were not staged
            rows_read = reading.rows
            not_staged = rows_read - result.rows
        rows_digests: dict[str, str] = {}
        if not force and legacy is None:
            rows_digests = {**reading.same, **merged.staged_digests}
            if before is None and merged.manifest is not None:
                # A first load: the new partitions are exactly the file's months; its content digest
                # (one light pass) lets a re-export of the same dossiers be known without converting.
                rows_digests = {k: p["digest"] for k, p in merged.manifest["partitions"].items()}
                reading.content = _content_of(path, spec, known, con, lambda *_: None, 0)
        if merged.manifest is not None:
            _write_manifest(directory, new_name, merged.manifest)
        report("merge", 1.0)
        with transaction.atomic():
            batch = DossierImport.objects.select_for_update().get(pk=batch.pk)
            batch.rows_read = rows_read
            batch.inserted, batch.updated = merged.inserted, merged.updated
            batch.unchanged = merged.unchanged + not_staged
            batch.total_after = merged.total
            for name, value in reading.fields(rows_digests).items():
                setattr(batch, name, value)
            if merged.manifest is not None:
                batch.snapshot = new_name
                batch.data_from, batch.data_until = partitions.data_range(merged.manifest)
                report("kpi", 0.0)
                config = kpi_config()
                if before is None:
                    _recompute(config, store.snapshot_path(new_name), batch.data_until, con)
                else:
                    _recompute_touched(
                        config, directory, before, merged, previous.data_until, batch.data_until, con
                    )
                report("kpi", 1.0)
            elif previous is not None:
                batch.data_from, batch.data_until = previous.data_from, previous.data_until
            batch.status = DossierImport.Status.SUCCEEDED
            batch.finished_at = timezone.now()
            batch.seconds = round(time.perf_counter() - started, 3)
            batch.message = (
                f"Đã nhập {_n(batch.rows_read)} dòng: {_n(merged.inserted)} hồ sơ mới, "
                f"{_n(merged.updated)} cập nhật, {_n(batch.unchanged)} không đổi."
            )
            if not_staged:
                batch.message += (
                    f" {_n(not_staged)} dòng của {_n(len(reading.same))} tháng có nội dung trùng với dữ liệu "
                    "hiện hành nên không cần chuyển đổi lại."
                )
            batch.save()
            audit.record(
                actor=actor,
                action="import",
                instance=batch,
                changes={
                    "rows": batch.rows_read,
                    "inserted": merged.inserted,
                    "updated": merged.updated,
                    "unchanged": batch.unchanged,
                    "staged": result.rows,
                    "snapshot": batch.snapshot,
                    "partitions": merged.touched,
                    "months_same": merged.same_by_digest,
                    "forced": force,
                },
            )
            if batch.data_from and batch.data_until:
                refresh_scorecard_soon(*range(batch.data_from.year, batch.data_until.year + 1))
    except Exception:
        if merged is not None and merged.manifest is not None:
            for written in merged.written:
                written.unlink(missing_ok=True)
            (directory / new_name).unlink(missing_ok=True)
        raise
    finally:
        con.close()
        staged.unlink(missing_ok=True)
    if merged.manifest is not None:
        partitions.publish_current(directory, new_name)
        keep = {batch.snapshot}
        if previous:
            keep.add(previous.snapshot)
        store.prune(keep)
    return batch


def _write_manifest(directory: Path, name: str, manifest: dict) -> Path:
    """The step between writing the partitions and switching to them (a seam for crash tests)."""
    return partitions.write_manifest(directory, name, manifest)


HEARTBEAT_SECONDS = 30
STALE_MESSAGE = (
    "Lần nhập bị gián đoạn ({why}) nên được đánh dấu thất bại; không có hồ sơ nào được nhập từ tệp này "
    "và dữ liệu hiện hành giữ nguyên. Hãy nhập lại tệp."
)


@contextmanager
def _heartbeat(batch_pk: int, every: float | None = None):
    """While the import runs, a thread stamps heartbeat_at every ``every`` seconds (a DuckDB pass can
    take minutes without calling back), so only an import whose process is gone goes stale."""
    rows = DossierImport.objects.filter(pk=batch_pk, status=DossierImport.Status.RUNNING)
    with heartbeat(rows, every or HEARTBEAT_SECONDS, f"dossier import {batch_pk}"):
        yield


_pid_gone = pid_gone


def stale_reason(batch: DossierImport, *, now: datetime | None = None) -> str | None:
    """Why a running import can no longer finish, in Vietnamese; None while it may still be running."""
    if batch.status != DossierImport.Status.RUNNING:
        return None
    now = now or timezone.now()
    here = batch.worker_host == socket.gethostname() and batch.worker_pid != os.getpid()
    if here and _pid_gone(batch.worker_pid):
        return f"tiến trình nhập {batch.worker_pid} trên máy {batch.worker_host} không còn chạy"
    minutes = getattr(settings, "DOSSIER_IMPORT_STALE_MINUTES", 10)
    last = batch.heartbeat_at or batch.started_at
    if last < now - timedelta(minutes=minutes):
        return f"không có tín hiệu hoạt động từ {timezone.localtime(last):%H:%M %d/%m/%Y}, quá {minutes} phút"
    return None


def imports_fail_stale(*, now: datetime | None = None) -> list[DossierImport]:
    """Mark failed every running import whose worker is gone; pages and the cron command call this."""
    failed = []
    for batch in DossierImport.objects.filter(status=DossierImport.Status.RUNNING):
        with transaction.atomic():
            locked = DossierImport.objects.select_for_update().get(pk=batch.pk)
            why = stale_reason(locked, now=now)
            if why is None:
                continue
            message = STALE_MESSAGE.format(why=why)
            locked.status = DossierImport.Status.FAILED
            locked.finished_at = timezone.now()
            locked.error_count = 1
            locked.errors = [message]
            locked.message = message
            locked.save()
            audit.record(
                actor=None, action="import", instance=locked, changes={"status": "failed"}, note=message[:300]
            )
        (store.store_dir() / f"staged-{locked.pk}.parquet").unlink(missing_ok=True)
        failed.append(locked)
    return failed


def _fail(batch, actor, started: float, *, message: str, rows: int = 0, error_count: int = 0, errors=None):
    with transaction.atomic():
        batch = DossierImport.objects.select_for_update().get(pk=batch.pk)
        batch.status = DossierImport.Status.FAILED
        batch.finished_at = timezone.now()
        batch.seconds = round(time.perf_counter() - started, 3)
        batch.rows_read = rows
        batch.error_count = error_count or (1 if message else 0)
        batch.errors = errors or [message]
        batch.message = message
        batch.save()
        audit.record(
            actor=actor,
            action="import",
            instance=batch,
            changes={"status": "failed", "error_count": batch.error_count},
            note=message[:300],
        )
    return batch


def _figure(row: dict, units: dict[str, int]) -> KpiFigure:
    code = row["unit_code"] or ""
    return KpiFigure(
        level=row["level"],
        unit_id=units.get(code),
        unit_code=code,
        field=row["field"] or "",
        period=row["period"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        **{m: row[m] or 0 for m in MEASURES},
    )


def _unit_tree() -> tuple[dict[str, int], dict[str, str]]:
    tree = list(Unit.objects.values_list("code", "pk", "parent__code"))
    return {code: pk for code, pk, _ in tree}, {code: parent for code, _, parent in tree if parent}


def _recompute(config: KpiConfig, snapshot: Path, as_of, con=None) -> int:
    """Replace every month figure with the engine's output over ``snapshot`` (caller's transaction)."""
    units, parents = _unit_tree()
    own = con is None
    con = con or store.connect()
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW dossier_snapshot AS SELECT * FROM {store.source_sql(snapshot)}"
        )
        rows = compute_kpis(
            "dossier_snapshot", config.engine_settings(as_of=as_of), parents, con=con, include_sums=True
        )
    finally:
        if own:
            con.close()
    KpiFigure.objects.all().delete()
    figures = [_figure(row, units) for row in rows]
    KpiFigure.objects.bulk_create(figures, batch_size=2000)
    return len(figures)


def _recompute_touched(
    config: KpiConfig, directory: Path, before: dict, merged, old_as_of, new_as_of, con
) -> int:
    """Recompute only what an import can have changed (caller's transaction):

    - the unit-level figures of every unit with a changed dossier (old or new version), and of every
      unit with a dossier whose due day lies between the old and the new export day (``as_of``:
      whether it counts late moved), over that unit's whole history (stocks carry over months);
    - the subtree figures of their ancestors and the all-units figures, summed from the unit-level
      figures (every stored measure is additive; this is what the engine's roll-up does).

    When the engine's last period moves (a new month opens), every open dossier of every unit gets a
    row for it: that import recomputes everything (``_recompute``)."""
    settings_ = config.engine_settings(as_of=new_as_of)
    manifest = merged.manifest
    old_last = partitions.last_booked_day(before, settings_.timeliness_basis)
    new_last = partitions.last_booked_day(manifest, settings_.timeliness_basis)
    source = partitions.relation_sql(directory, manifest)
    if (
        old_last is None
        or new_last is None
        or _date_index(old_last, settings_) != _date_index(new_last, settings_)
        or old_as_of is None
    ):
        return _recompute(config, directory / partitions.manifest_name(manifest["version"]), new_as_of, con)
    codes = set(merged.units)
    first_day = merged.first_day
    if new_as_of != old_as_of:
        lo, hi = sorted((old_as_of, new_as_of))
        moved = con.execute(
            f"SELECT DISTINCT coalesce(unit_code, ''), min(greatest(CAST(received_at AS DATE), CAST(due_at AS DATE))) "
            f"OVER () FROM {source} WHERE received_at IS NOT NULL AND status NOT IN (1, 3) "
            f"AND CAST(due_at AS DATE) > DATE '{lo.isoformat()}' AND CAST(due_at AS DATE) <= DATE '{hi.isoformat()}'"
        ).fetchall()
        codes |= {code for code, _ in moved}
        if moved:
            first_day = min(d for d in (first_day, moved[0][1]) if d is not None)
    if not codes or first_day is None:
        return 0
    # Months before the first changed one keep their figures: a dossier counts from the period it
    # was received in onwards (stocks carry forward, never back).
    first_period = _date_index(first_day, settings_)
    since = f"{first_period // 12:04d}-{first_period % 12 + 1:02d}"
    units, parents = _unit_tree()
    listed = ", ".join("'" + c.replace("'", "''") + "'" for c in sorted(codes)) or "NULL"
    # Months received and closed before the first period recomputed change none of its figures.
    settled = partitions.settled_files(
        manifest, _period_start(first_period, settings_), settings_.timeliness_basis
    )
    live = {"partitions": {k: p for k, p in manifest["partitions"].items() if k not in settled}}
    # Most units touched (a city's daily sync): reading them all costs less than testing every row
    # against a long list of codes; the rows of the untouched ones are left out below.
    where = f" WHERE coalesce(unit_code, '') IN ({listed})" if 2 * len(codes) <= len(units) else ""
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW dossier_touched AS SELECT * FROM {partitions.relation_sql(directory, live)}{where}"
    )
    # The last period is the store's, not the touched units' (a unit's open dossiers reach it).
    rows = compute_kpis(
        "dossier_touched",
        replace(settings_, date_from=first_day, date_to=new_last),
        None,
        con=con,
        include_sums=True,
    )
    KpiFigure.objects.filter(level=KpiFigure.Level.UNIT, unit_code__in=codes, period__gte=since).delete()
    figures = [
        _figure(row, units)
        for row in rows
        if row["level"] == "unit" and row["period"] >= since and row["unit_code"] in codes
    ]
    KpiFigure.objects.bulk_create(figures, batch_size=2000)
    # Ancestors (nodes with children) of the touched units, and what lies below each.
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    ancestors: set[str] = set()
    for code in codes:
        x = code if code in children else parents.get(code)
        seen = set()
        while x is not None and x not in seen:
            seen.add(x)
            if x in children:
                ancestors.add(x)
            x = parents.get(x)
    return len(figures) + _sum_figures(ancestors, parents, children, units, since)


def _sum_figures(
    ancestors: set[str],
    parents: dict[str, str],
    children: dict[str, list[str]],
    units: dict[str, int],
    since: str,
) -> int:
    """Replace, from month ``since`` on, the subtree figures of ``ancestors`` and the all-units
    figures by the sums of the unit-level figures below them: one read, sums in memory (a few
    rows per unit, field and month), one bulk write."""
    chains: dict[str, list[str]] = {}

    def chain(code: str) -> list[str]:
        if code not in chains:
            found, x, seen = [], code, set()
            while x is not None and x not in seen:
                seen.add(x)
                if x in ancestors:
                    found.append(x)
                x = parents.get(x)
            chains[code] = found
        return chains[code]

    names = ("unit_code", "field", "period", "period_start", "period_end", *MEASURES)
    sums: dict[tuple, list] = {}
    rows = KpiFigure.objects.filter(level=KpiFigure.Level.UNIT, period__gte=since).values_list(*names)
    for row in rows.iterator(chunk_size=5000):
        code, key, values = row[0], row[1:5], row[5:]
        for target in (*((KpiFigure.Level.SUBTREE, a) for a in chain(code)), (KpiFigure.Level.ALL, "")):
            total = sums.get((target, key))
            if total is None:
                sums[(target, key)] = list(values)
            else:
                for i, v in enumerate(values):
                    total[i] += v
    KpiFigure.objects.filter(
        level=KpiFigure.Level.SUBTREE, unit_code__in=ancestors, period__gte=since
    ).delete()
    KpiFigure.objects.filter(level=KpiFigure.Level.ALL, period__gte=since).delete()
    figures = [
        KpiFigure(
            level=level,
            unit_id=units.get(code) if code else None,
            unit_code=code,
            field=field,
            period=period,
            period_start=start,
            period_end=end,
            **dict(zip(MEASURES, values, strict=True)),
        )
        for ((level, code), (field, period, start, end)), values in sums.items()
    ]
    KpiFigure.objects.bulk_create(figures, batch_size=2000)
    return len(figures)


@transaction.atomic
def kpi_figures_recompute(*, actor) -> int:
    """Recompute the month figures from the current snapshot (after a unit tree change, say)."""
    _require_manager(actor)
    current = current_import()
    if current is None:
        KpiFigure.objects.all().delete()
        return 0
    count = _recompute(kpi_config(), store.snapshot_path(current.snapshot), current.data_until)
    if current.data_from and current.data_until:
        refresh_scorecard_soon(*range(current.data_from.year, current.data_until.year + 1))
    audit.record(
        actor=actor, action="update", instance=current, changes={"figures": count}, note="tính lại chỉ số"
    )
    return count


# Publication on the disclosure portal -------------------------------------------------------------


def can_publish(user) -> bool:
    """Making KPIs public is the city's standing agency's call (or an admin's), like the data itself."""
    return can_manage_data(user)


def _require_publisher(actor) -> None:
    if actor is not None and not can_publish(actor):
        raise PermissionDenied(
            "Chỉ Sở Nội vụ (cơ quan thường trực của thành phố) hoặc quản trị viên được công khai chỉ số."
        )


@transaction.atomic
def publish_kpi_period(*, actor, period: str) -> KpiPublication:
    """Make ``period`` (a key of the period catalogue: "2026-03", "2026-Q1", "2026") public on the
    portal, with each unit's KPIs frozen as they are now. Publishing an already public period again
    refreshes its figures (after a corrected import)."""
    _require_publisher(actor)
    current = current_import()
    chosen = period_catalogue(current).get(period)
    if chosen is None:
        raise ValidationError("Không có số liệu của kỳ này để công khai.")
    rows = publication_rows(chosen)
    if not rows:
        raise ValidationError("Kỳ này chưa có hồ sơ nào để công khai.")
    existing = KpiPublication.objects.select_for_update().filter(period=chosen.key).first()
    values = {
        "label": chosen.label,
        "start": chosen.start,
        "end": chosen.end,
        "complete": chosen.complete,
        "data_until": current.data_until if current else None,
        "rows": rows,
        "published": True,
        "published_by": actor if getattr(actor, "is_authenticated", False) else None,
        "published_at": timezone.now(),
        "withdrawn_by": None,
        "withdrawn_at": None,
    }
    if existing is None:
        publication = KpiPublication.objects.create(period=chosen.key, **values)
        note = "công khai"
    else:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        publication = existing
        note = "công khai lại (cập nhật số liệu)"
    audit.record(
        actor=actor,
        action="status",
        instance=publication,
        changes={"published": True, "period": chosen.key, "units": len(rows)},
        note=note,
    )
    return publication


@transaction.atomic
def unpublish_kpi_period(*, actor, period: str) -> KpiPublication:
    """Withdraw ``period`` from the portal at once (its pages answer 404 from the next request on)."""
    _require_publisher(actor)
    publication = KpiPublication.objects.select_for_update().filter(period=period, published=True).first()
    if publication is None:
        raise ValidationError("Kỳ này không đang được công khai.")
    publication.published = False
    publication.withdrawn_by = actor if getattr(actor, "is_authenticated", False) else None
    publication.withdrawn_at = timezone.now()
    publication.save()
    audit.record(
        actor=actor,
        action="status",
        instance=publication,
        changes={"published": False, "period": period},
        note="thu hồi công khai",
    )
    return publication


# Target links ------------------------------------------------------------------------------------


def _check_target_edit(actor, target: Target) -> None:
    if actor is not None and not can_edit_plan(scope_for(actor), target.plan):
        raise PermissionDenied("Bạn không có quyền sửa chỉ tiêu này.")


LINK_CHANGED = "Liên kết chỉ số của chỉ tiêu này vừa được người khác thay đổi; vui lòng tải lại trang."


def _check_link_version(link: TargetKpiLink | None, expected_version: int) -> None:
    # 0 is the version of "no link yet": a page read before someone else linked the target is stale.
    check_version(link.version if link is not None else 0, expected_version, LINK_CHANGED)


@transaction.atomic
def target_link_set(
    *, actor, target: Target, kpi: str, expected_version: int, field: str = ""
) -> TargetKpiLink:
    """Measure ``target`` by a KPI (optionally of one lĩnh vực only); ``expected_version`` is the link's
    version the page was read at, 0 when it had none."""
    target = Target.objects.select_related("plan", "plan__issuer").get(pk=target.pk)
    _check_target_edit(actor, target)
    if kpi not in KPI_BY_CODE:
        raise ValidationError(f"Không có chỉ số «{kpi}».")
    if target.comparator == Target.Comparator.TEXT:
        raise ValidationError("Chỉ tiêu định tính không liên kết được với một chỉ số đo.")
    field = (field or "").strip()
    link = TargetKpiLink.objects.select_for_update().filter(target=target).first()
    _check_link_version(link, expected_version)
    if link is None:
        link = TargetKpiLink.objects.create(
            target=target,
            kpi=kpi,
            field=field,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(actor=actor, action="create", instance=link, changes={"kpi": kpi, "field": field})
        return link
    changes = audit.diff({"kpi": link.kpi, "field": link.field}, {"kpi": kpi, "field": field})
    if changes:
        link.kpi, link.field = kpi, field
        link.version += 1
        link.save()
        audit.record(actor=actor, action="update", instance=link, changes=changes)
    return link


@transaction.atomic
def target_link_clear(*, actor, target: Target, expected_version: int) -> None:
    target = Target.objects.select_related("plan").get(pk=target.pk)
    _check_target_edit(actor, target)
    link = TargetKpiLink.objects.select_for_update().filter(target=target).first()
    _check_link_version(link, expected_version)
    if link is not None:
        audit.record(
            actor=actor, action="delete", instance=link, changes={"kpi": link.kpi, "field": link.field}
        )
        link.delete()


@transaction.atomic
def targets_link_suggested(*, actor, targets) -> list[TargetKpiLink]:
    """Link each unlinked, quantified target whose wording clearly names a KPI (see catalogue)."""
    links = []
    for target in targets.exclude(comparator=Target.Comparator.TEXT).filter(kpi_link__isnull=True):
        kpi = suggest(f"{target.metric} {target.text}")
        if kpi is not None:
            links.append(target_link_set(actor=actor, target=target, kpi=kpi.code, expected_version=0))
    return links
