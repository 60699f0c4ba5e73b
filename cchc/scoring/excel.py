"""A criteria set to and from .xlsx in the layout of a decision's annex (code, content, max points,
scoring rule, evidence), plus the columns that make it data (method, thresholds, applicability,
data source) and a sheet «Thông tin» for the set itself. Import is all-or-nothing: every bad cell
is named by sheet, row and column, and nothing is written unless the whole file is right."""

import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cchc.core.tabular import ImportFileError, RowError, read_workbook
from cchc.core.text import fold_key
from cchc.core.xlsx import put, put_row
from cchc.org.models import Unit
from cchc.scoring import methods, services
from cchc.scoring.models import CriteriaSet, Method
from cchc.scoring.services import CriterionRow

SHEET = "Bộ tiêu chí"
INFO = "Thông tin"
COLUMNS = [
    "Mã",
    "Nội dung",
    "Điểm tối đa",
    "Điểm tối thiểu",
    "Cách chấm",
    "Cách chấm điểm",
    "Ngưỡng (%)",
    "Tài liệu kiểm chứng",
    "Áp dụng cho",
    "Nguồn dữ liệu",
]
METHOD_BY_LABEL = {fold_key(m.label): m.value for m in Method}
KIND_BY_LABEL = {fold_key(k.label): k.value for k in Unit.Kind}
BLOCK_BY_KEY = {"so": Unit.Block.DEPARTMENT, "phuong": Unit.Block.WARD, "xa": Unit.Block.COMMUNE}
BLOCK_BY_KEY.update({fold_key(b.label): b.value for b in Unit.Block})
BLOCK_BY_KEY.update({b.value: b.value for b in Unit.Block})


def _num(value) -> str | float | int:
    if value is None:
        return ""
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def bands_text(criterion) -> str:
    """The rule as the annex writes it when the set was built in cchc: «label: points; …»."""
    return "; ".join(f"{b['label']}: {methods.fmt(b['points'])}" for b in criterion.bands)


def _levels_text(levels: list[dict]) -> str:
    return "; ".join(f"{lv['label']}: {methods.fmt(lv['min'])}" for lv in levels)


def export_set(criteria_set: CriteriaSet) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    put_row(ws, 1, COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row, c in enumerate(criteria_set.criteria.order_by("position"), start=2):
        thresholds = ""
        if c.method == Method.RATE_BANDS:
            thresholds = "; ".join(methods.fmt(b.get("min") or 0) for b in c.bands)
        elif c.threshold is not None:
            thresholds = methods.fmt(c.threshold)
        put_row(
            ws,
            row,
            [
                c.code,
                c.content,
                _num(c.max_points),
                _num(c.min_points) if c.min_points else "",
                Method(c.method).label,
                c.rule_text or (bands_text(c) if c.bands else ""),
                thresholds,
                c.evidence_asked,
                "; ".join(Unit.Kind(k).label for k in c.applies_to),
                c.source,
            ],
        )
    for letter, width in zip("ABCDEFGHIJ", (9, 60, 10, 10, 18, 50, 12, 40, 18, 20), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    info = wb.create_sheet(INFO)
    for row, (key, value) in enumerate(
        (
            ("Tên bộ tiêu chí", criteria_set.title),
            ("Năm", criteria_set.year),
            ("Khối", criteria_set.get_block_display()),
            ("Căn cứ", criteria_set.basis),
            ("Bộ mẫu", "Có" if criteria_set.is_sample else "Không"),
            ("Điểm thẩm định tối đa", _num(criteria_set.appraised_points)),
            ("Điểm điều tra xã hội học", _num(criteria_set.survey_points)),
            ("Xếp loại", _levels_text(criteria_set.bands)),
            ("Phân loại người đứng đầu", _levels_text(criteria_set.head_levels)),
        ),
        start=1,
    ):
        put(info.cell(row=row, column=1), key)
        # The year is a year, not a quantity: no thousands dot.
        put(info.cell(row=row, column=2), value, number_format="0" if key == "Năm" else None)
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _parse_pairs(text: str) -> list[tuple[str, Decimal]]:
    """«Ban hành kịp thời: 1; Không kịp thời: 0,5» → [(label, points), …]."""
    out = []
    for part in [p.strip() for p in str(text).split(";") if p.strip()]:
        if ":" not in part:
            raise ValueError(f"«{part}» thiếu dấu «:» giữa mức và điểm")
        label, _, value = part.rpartition(":")
        out.append((label.strip(), methods.as_decimal(value)))
    return out


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _dec(value, errors, where, column, *, required=False):
    if value in (None, ""):
        if required:
            errors.append(RowError(SHEET, where, column, "thiếu điểm."))
        return None
    try:
        return methods.as_decimal(value)
    except ValidationError:
        errors.append(RowError(SHEET, where, column, f"«{value}» không phải là số."))
        return None


def parse_set(data: bytes, filename: str) -> tuple[dict, list[CriterionRow]]:
    sheets = {s.name: s for s in read_workbook(data, filename, header_marker="Mã")}
    sheet = sheets.get(SHEET) or next(iter(sheets.values()), None)
    if sheet is None or sheet.column_index("Mã") is None:
        raise ImportFileError([RowError(SHEET, None, None, "không tìm thấy bảng tiêu chí có cột «Mã».")])
    errors: list[RowError] = []
    col = {name: sheet.column_index(name) for name in COLUMNS}
    for required in ("Mã", "Nội dung", "Điểm tối đa", "Cách chấm"):
        if col[required] is None:
            errors.append(RowError(sheet.name, sheet.header_row, None, f"thiếu cột «{required}»."))
    if errors:
        raise ImportFileError(errors)

    def letter(name):
        return sheet.column_letter(col[name])

    def get(values, name):
        i = col[name]
        return values[i] if i is not None and i < len(values) else None

    rows, numbers = [], []
    for number, values in sheet.rows:
        code = _text(get(values, "Mã")).rstrip(".")
        if not code:
            errors.append(RowError(sheet.name, number, letter("Mã"), "thiếu mã tiêu chí."))
            continue
        method = METHOD_BY_LABEL.get(fold_key(_text(get(values, "Cách chấm"))))
        if method is None:
            errors.append(
                RowError(
                    sheet.name,
                    number,
                    letter("Cách chấm"),
                    f"cách chấm «{_text(get(values, 'Cách chấm'))}» không có trong danh mục.",
                )
            )
            continue
        max_points = _dec(get(values, "Điểm tối đa"), errors, number, letter("Điểm tối đa"), required=True)
        min_points = _dec(get(values, "Điểm tối thiểu"), errors, number, letter("Điểm tối thiểu")) or Decimal(
            0
        )
        if max_points is None:
            continue
        rule = _text(get(values, "Cách chấm điểm"))
        thresholds = _text(get(values, "Ngưỡng (%)"))
        bands, threshold = [], None
        try:
            if method in (Method.BANDS, Method.RATE_BANDS):
                bands = [{"label": label, "points": str(p), "min": None} for label, p in _parse_pairs(rule)]
            if method == Method.RATE_BANDS:
                limits = [methods.as_decimal(x) for x in thresholds.split(";") if x.strip()]
                if len(limits) != len(bands):
                    raise ValueError("cần một ngưỡng (%) cho mỗi mức điểm")
                for band, limit in zip(bands, limits, strict=True):
                    band["min"] = str(limit)
            elif thresholds:
                threshold = methods.as_decimal(thresholds)
        except (ValueError, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            errors.append(
                RowError(
                    sheet.name, number, letter("Cách chấm điểm"), f"không đọc được các mức điểm: {message}."
                )
            )
            continue
        kinds = []
        for label in [x.strip() for x in _text(get(values, "Áp dụng cho")).split(";") if x.strip()]:
            kind = KIND_BY_LABEL.get(fold_key(label))
            if kind is None:
                errors.append(
                    RowError(sheet.name, number, letter("Áp dụng cho"), f"loại đơn vị «{label}» không có.")
                )
            kinds.append(kind)
        source = _text(get(values, "Nguồn dữ liệu"))
        if source:
            from cchc.scoring.sources import REGISTRY

            if source.split(":", 1)[0] not in REGISTRY:
                errors.append(
                    RowError(
                        sheet.name, number, letter("Nguồn dữ liệu"), f"nguồn dữ liệu «{source}» không có."
                    )
                )
        rows.append(
            CriterionRow(
                code=code,
                content=_text(get(values, "Nội dung")),
                max_points=max_points,
                min_points=min_points,
                method=method,
                bands=bands,
                threshold=threshold,
                rule_text=rule,
                evidence_asked=_text(get(values, "Tài liệu kiểm chứng")),
                applies_to=[k for k in kinds if k],
                source=source,
            )
        )
        numbers.append(number)
    meta = _parse_info(sheets.get(INFO), errors)
    if meta.get("appraised_points") is None:
        leaf_total = sum(
            (r.max_points for r in rows if "." not in r.code and r.method != Method.BONUS), Decimal(0)
        )
        meta["appraised_points"] = leaf_total
    for index, message in services.check_rows(rows, meta["appraised_points"]):
        row_number = numbers[index] if index >= 0 else None
        errors.append(
            RowError(sheet.name, row_number, letter("Điểm tối đa") if index >= 0 else None, message)
        )
    if errors:
        raise ImportFileError(errors)
    return meta, rows


def _parse_info(sheet, errors) -> dict:
    meta: dict = {}
    if sheet is None:
        return meta
    values = {fold_key(sheet.header[0]): sheet.header[1] if len(sheet.header) > 1 else ""}
    for _, row in sheet.rows:
        if row and row[0]:
            values[fold_key(str(row[0]))] = row[1] if len(row) > 1 else None
    meta["title"] = _text(values.get(fold_key("Tên bộ tiêu chí")))
    meta["basis"] = _text(values.get(fold_key("Căn cứ")))
    meta["is_sample"] = fold_key(_text(values.get(fold_key("Bộ mẫu")))) == "co"
    for key, name in (
        ("appraised_points", "Điểm thẩm định tối đa"),
        ("survey_points", "Điểm điều tra xã hội học"),
    ):
        raw = values.get(fold_key(name))
        if raw not in (None, ""):
            try:
                meta[key] = methods.as_decimal(raw)
            except ValidationError:
                errors.append(RowError(INFO, None, "B", f"«{name}» không phải là số."))
    for key, name in (("bands", "Xếp loại"), ("head_levels", "Phân loại người đứng đầu")):
        raw = _text(values.get(fold_key(name)))
        if raw:
            try:
                meta[key] = [{"label": label, "min": str(p)} for label, p in _parse_pairs(raw)]
            except (ValueError, ValidationError):
                errors.append(RowError(INFO, None, "B", f"«{name}» phải có dạng «Mức: điểm tối thiểu; …»."))
    return meta


def import_set(*, actor, data: bytes, filename: str, year: int, block: str, title: str = "") -> CriteriaSet:
    """Read, check and write a new edition of the set; any problem raises ImportFileError and
    nothing is written."""
    block_value = BLOCK_BY_KEY.get(fold_key(block))
    if block_value is None:
        raise ImportFileError([f"Khối «{block}» không hợp lệ: dùng so, phuong hoặc xa."])
    meta, rows = parse_set(data, filename)
    try:
        return services.set_create(
            actor=actor,
            year=year,
            block=block_value,
            title=title or meta.get("title") or f"Bộ tiêu chí Chỉ số CCHC năm {year}",
            basis=meta.get("basis", ""),
            is_sample=meta.get("is_sample", False),
            appraised_points=meta["appraised_points"],
            survey_points=meta.get("survey_points", 0),
            rows=rows,
            bands=meta.get("bands"),
            head_levels=meta.get("head_levels"),
        )
    except ValidationError as exc:
        raise ImportFileError(exc.messages) from exc
