"""A plan's targets and tasks as .xlsx, and back.

The import validates the whole workbook before anything is kept: every problem is reported with its
sheet, row and column, and one bad row leaves the plan exactly as it was (one transaction, rolled
back). Rows carry the ID and version they were exported with, so a row edited in Excel after someone
changed the same task in cchc is refused instead of overwriting that change.
"""

import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cchc.core.exceptions import ConflictError
from cchc.core.tabular import ImportFileError, RowError, Sheet, read_workbook
from cchc.core.text import fold_key, nfc
from cchc.core.xlsx import put
from cchc.org.permissions import scope_for
from cchc.org.selectors import UnitMatcher
from cchc.plans import services
from cchc.plans.models import Area, Plan, Target, Task
from cchc.plans.permissions import can_edit_plan

TARGET_SHEET = "Chỉ tiêu"
TASK_SHEET = "Nhiệm vụ"

TARGET_COLUMNS = [
    ("id", "ID", 8),
    ("version", "Phiên bản", 9),
    ("area", "Lĩnh vực", 30),
    ("text", "Nội dung chỉ tiêu", 70),
    ("metric", "Chỉ số đo", 35),
    ("comparator", "So sánh", 14),
    ("threshold", "Ngưỡng", 10),
    ("unit_of_measure", "Đơn vị tính", 10),
    ("deadline_year", "Năm đạt", 9),
]
TASK_COLUMNS = [
    ("id", "ID", 8),
    ("version", "Phiên bản", 9),
    ("area", "Lĩnh vực", 30),
    ("number", "STT", 6),
    ("content", "Nội dung công việc", 70),
    ("lead", "Đơn vị chủ trì", 30),
    ("partners", "Đơn vị phối hợp", 30),
    ("product", "Sản phẩm", 30),
    ("time_text", "Thời gian hoàn thành", 18),
    ("status", "Trạng thái", 20),
    ("progress", "Tiến độ (%)", 10),
    ("result", "Kết quả thực hiện", 50),
]
SUBTASK_MARKERS = ("-", "+", "–", "•")

_AREA_BY_KEY = {
    **{fold_key(label): value for value, label in Area.choices},
    **{str(v): v for v in Area.values},
}
_STATUS_BY_KEY = {
    **{fold_key(label): value for value, label in Task.Status.choices},
    **{v: v for v in Task.Status.values},
}
_COMPARATOR_BY_KEY = {
    **{fold_key(label): value for value, label in Target.Comparator.choices},
    **{v: v for v in Target.Comparator.values},
    "≥": "gte",
    ">=": "gte",
    "toi thieu": "gte",
    "≤": "lte",
    "<=": "lte",
    "toi da": "lte",
    "=": "eq",
    "dat": "eq",
    "giam": "reduce_by",
    "tang": "increase_by",
    "dinh tinh": "text",
}

_HEADER_FONT = Font(name="Times New Roman", bold=True, size=12, color="FFFFFF")
_BODY_FONT = Font(name="Times New Roman", size=12)
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


# Export -----------------------------------------------------------------------------------------


_PLAIN_NUMBER_COLUMNS = {"id", "version", "deadline_year", "progress"}


def _sheet(workbook: Workbook, title: str, columns, rows) -> None:
    sheet = workbook.create_sheet(title)
    keys = [key for key, _, _ in columns]
    for index, (_, label, width) in enumerate(columns, start=1):
        cell = put(sheet.cell(row=1, column=index), label)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_number, row in enumerate(rows, start=2):
        for index, ((key, _, _), value) in enumerate(zip(columns, row, strict=True), start=1):
            # IDs, versions, years and progress are plain counts: no thousands dot in "2026".
            plain = "0" if key in _PLAIN_NUMBER_COLUMNS else None
            cell = put(sheet.cell(row=row_number, column=index), value, number_format=plain)
            cell.font, cell.border = _BODY_FONT, _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "C2"
    last = max(len(rows) + 200, 500)

    def choose(key: str, options: list[str]) -> None:
        letter = get_column_letter(keys.index(key) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        validation.error = "Chọn một giá trị trong danh sách."
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")

    choose("area", [str(v) for v in Area.values])  # labels contain commas; the list offers the numbers
    if "status" in keys:
        choose("status", [label for _, label in Task.Status.choices])
    if "comparator" in keys:
        choose("comparator", ["gte", "lte", "eq", "reduce_by", "increase_by", "text"])


def _info_sheet(workbook: Workbook, plan: Plan | None) -> None:
    sheet = workbook.active
    sheet.title = "Hướng dẫn"
    lines = [
        ("Kế hoạch", str(plan) if plan else "(mẫu trống)"),
        ("Cơ quan ban hành", str(plan.issuer) if plan else ""),
        ("", ""),
        (
            "Cách nhập",
            "Mỗi dòng một chỉ tiêu hoặc một nhiệm vụ. Để trống cột ID khi thêm mới; giữ nguyên ID và "
            "Phiên bản khi sửa dòng đã tải về.",
        ),
        ("Lĩnh vực", "; ".join(f"{v} = {label}" for v, label in Area.choices)),
        ("Việc con", "Nhiệm vụ có STT là «-» hoặc «+» là việc con của nhiệm vụ có số ngay phía trên."),
        (
            "Đơn vị",
            "Nhiều đơn vị cách nhau bởi dấu chấm phẩy (;). Tên đơn vị không phân biệt dấu, hoa thường.",
        ),
        (
            "So sánh",
            "gte = tối thiểu (≥); lte = tối đa (≤); eq = đạt; reduce_by = giảm; increase_by = tăng; "
            "text = định tính",
        ),
        ("Trạng thái", "; ".join(label for _, label in Task.Status.choices)),
    ]
    for row, (label, value) in enumerate(lines, start=1):
        put(sheet.cell(row=row, column=1), label).font = Font(name="Times New Roman", bold=True, size=12)
        put(sheet.cell(row=row, column=2), value).font = _BODY_FONT
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 120


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def export_plan(plan: Plan) -> bytes:
    workbook = Workbook()
    _info_sheet(workbook, plan)
    targets = plan.targets.order_by("area", "position", "id")
    _sheet(
        workbook,
        TARGET_SHEET,
        TARGET_COLUMNS,
        [
            [
                t.pk,
                t.version,
                t.get_area_display(),
                t.text,
                t.metric,
                t.comparator,
                _number(t.threshold),
                t.unit_of_measure,
                t.deadline_year,
            ]
            for t in targets
        ],
    )
    tasks = list(plan.tasks.order_by("area", "position", "id"))
    children: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id:
            children.setdefault(task.parent_id, []).append(task)
    ordered = []
    for task in tasks:
        if not task.parent_id:
            ordered.append(task)
            ordered.extend(children.get(task.pk, []))
    _sheet(
        workbook,
        TASK_SHEET,
        TASK_COLUMNS,
        [
            [
                t.pk,
                t.version,
                t.get_area_display(),
                t.number or ("-" if t.parent_id else ""),
                t.content,
                t.lead_text,
                t.partner_text,
                t.product,
                t.time_text,
                t.get_status_display(),
                t.progress,
                t.result,
            ]
            for t in ordered
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_template() -> bytes:
    workbook = Workbook()
    _info_sheet(workbook, None)
    _sheet(workbook, TARGET_SHEET, TARGET_COLUMNS, [])
    _sheet(workbook, TASK_SHEET, TASK_COLUMNS, [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Import -----------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    targets_created: int = 0
    targets_updated: int = 0
    tasks_created: int = 0
    tasks_updated: int = 0


class _RowReader:
    def __init__(self, sheet: Sheet, columns, errors: list[RowError]):
        self.sheet, self.errors = sheet, errors
        self.index = {}
        for key, label, _ in columns:
            position = sheet.column_index(label)
            if position is not None:
                self.index[key] = position
        required = {"area", "content"} if columns is TASK_COLUMNS else {"area", "text"}
        for key, label, _ in columns:
            if key in required and key not in self.index:
                errors.append(RowError(sheet.name, sheet.header_row, None, f"thiếu cột «{label}»."))

    def letter(self, key: str) -> str | None:
        return self.sheet.column_letter(self.index[key]) if key in self.index else None

    def raw(self, values, key: str):
        position = self.index.get(key)
        if position is None or position >= len(values):
            return None
        return values[position]

    def text(self, values, key: str) -> str:
        value = self.raw(values, key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return nfc(str(value))

    def error(self, row: int, key: str | None, message: str) -> None:
        self.errors.append(RowError(self.sheet.name, row, self.letter(key) if key else None, message))

    def integer(self, row: int, values, key: str, *, label: str, low: int, high: int) -> int | None:
        text = self.text(values, key)
        if not text:
            return None
        try:
            number = int(Decimal(text.replace(",", ".")))
        except (InvalidOperation, ValueError):
            self.error(row, key, f"{label} «{text}» không phải là số.")
            return None
        if not low <= number <= high:
            self.error(row, key, f"{label} {number} phải từ {low} đến {high}.")
            return None
        return number

    def area(self, row: int, values) -> int | None:
        text = self.text(values, "area")
        area = _AREA_BY_KEY.get(fold_key(text))
        if area is None:
            self.error(
                row,
                "area",
                f"lĩnh vực «{text}» không hợp lệ (nhập số 0–6 hoặc tên lĩnh vực)."
                if text
                else "thiếu lĩnh vực.",
            )
        return area


def _find_sheet(sheets: list[Sheet], title: str) -> Sheet | None:
    for sheet in sheets:
        if fold_key(sheet.name) == fold_key(title):
            return sheet
    return None


def _parse_targets(sheet: Sheet, plan: Plan, errors: list[RowError]) -> list[tuple[int, Target | None, dict]]:
    reader = _RowReader(sheet, TARGET_COLUMNS, errors)
    existing = {t.pk: t for t in plan.targets.all()}
    rows = []
    for row, values in sheet.rows:
        area = reader.area(row, values)
        text = reader.text(values, "text")
        if not text:
            reader.error(row, "text", "thiếu nội dung chỉ tiêu.")
        comparator_text = reader.text(values, "comparator") or "gte"
        comparator = _COMPARATOR_BY_KEY.get(comparator_text) or _COMPARATOR_BY_KEY.get(
            fold_key(comparator_text)
        )
        if comparator is None:
            reader.error(row, "comparator", f"cách so sánh «{comparator_text}» không hợp lệ.")
        threshold = None
        threshold_text = reader.text(values, "threshold").replace("%", "").replace(",", ".").strip()
        if threshold_text:
            try:
                threshold = Decimal(threshold_text)
            except InvalidOperation:
                reader.error(row, "threshold", f"ngưỡng «{threshold_text}» không phải là số.")
        elif comparator not in (None, "text"):
            reader.error(row, "threshold", "chỉ tiêu định lượng cần có ngưỡng.")
        unit = reader.text(values, "unit_of_measure")
        if unit == "%" and threshold is not None and not 0 <= threshold <= 100:
            reader.error(row, "threshold", f"tỷ lệ {threshold}% phải từ 0 đến 100.")
        deadline = reader.integer(row, values, "deadline_year", label="năm đạt", low=2000, high=2100)
        target = _existing(reader, row, values, existing, "chỉ tiêu")
        rows.append(
            (
                row,
                target,
                {
                    "area": area,
                    "text": text,
                    "metric": reader.text(values, "metric"),
                    "comparator": comparator,
                    "threshold": threshold,
                    "unit_of_measure": unit,
                    "deadline_year": deadline,
                    "_version": reader.integer(row, values, "version", label="phiên bản", low=1, high=10**9),
                },
            )
        )
    return rows


def _existing(reader: _RowReader, row: int, values, existing: dict, label: str):
    id_text = reader.text(values, "id")
    if not id_text:
        return None
    if not id_text.isdigit() or int(id_text) not in existing:
        reader.error(row, "id", f"ID {id_text} không phải {label} của kế hoạch này (để trống khi thêm mới).")
        return None
    return existing[int(id_text)]


def _parse_tasks(sheet: Sheet, plan: Plan, matcher: UnitMatcher, errors: list[RowError]):
    reader = _RowReader(sheet, TASK_COLUMNS, errors)
    existing = {t.pk: t for t in plan.tasks.all()}
    organisation = plan.issuer.organisation or plan.issuer
    rows = []
    last_top_row = None
    for row, values in sheet.rows:
        area = reader.area(row, values)
        number = reader.text(values, "number")
        content = reader.text(values, "content")
        if not content:
            reader.error(row, "content", "thiếu nội dung công việc.")
        lead = services._split_names(reader.text(values, "lead"))
        resolved = services.resolve_unit_names(lead, organisation=organisation, matcher=matcher)
        for name in resolved.unmatched:
            reader.error(row, "lead", f"không tìm thấy đơn vị chủ trì «{name}».")
        status_text = reader.text(values, "status")
        status = _STATUS_BY_KEY.get(fold_key(status_text)) if status_text else Task.Status.NOT_STARTED
        if status is None:
            reader.error(row, "status", f"trạng thái «{status_text}» không hợp lệ.")
        progress = reader.integer(row, values, "progress", label="tiến độ", low=0, high=100)
        if status is not None and progress is not None:
            try:
                services.check_task_progress(status, progress)
            except ValidationError as exc:
                message = " ".join(m for msgs in exc.message_dict.values() for m in msgs)
                reader.error(row, "progress", message[:1].lower() + message[1:])
        is_child = number in SUBTASK_MARKERS
        if is_child and last_top_row is None:
            reader.error(row, "number", "việc con («-») phải đứng sau một nhiệm vụ có số thứ tự.")
        task = _existing(reader, row, values, existing, "nhiệm vụ")
        fields = {
            "area": area,
            "number": number,
            "content": content,
            "lead": lead,
            "partners": services._split_names(reader.text(values, "partners")),
            "product": reader.text(values, "product"),
            "time_text": reader.text(values, "time_text"),
            "status": status,
            "progress": progress if progress is not None else (100 if status in Task.FINISHED else 0),
            "result": reader.text(values, "result"),
            "_version": reader.integer(row, values, "version", label="phiên bản", low=1, high=10**9),
            "_parent_row": last_top_row if is_child else None,
        }
        rows.append((row, task, fields))
        if not is_child:
            last_top_row = row
    return rows


def import_plan(*, actor, plan: Plan, data: bytes, filename: str) -> ImportResult:
    if actor is not None and not can_edit_plan(scope_for(actor), plan):
        raise PermissionDenied("Bạn không có quyền nhập dữ liệu vào kế hoạch này.")
    sheets = read_workbook(data, filename)
    target_sheet, task_sheet = _find_sheet(sheets, TARGET_SHEET), _find_sheet(sheets, TASK_SHEET)
    if target_sheet is None and task_sheet is None:
        raise ImportFileError(
            [f"Không thấy trang tính «{TARGET_SHEET}» hoặc «{TASK_SHEET}». Hãy dùng tệp mẫu."]
        )
    errors: list[RowError] = []
    matcher = UnitMatcher()
    target_rows = _parse_targets(target_sheet, plan, errors) if target_sheet else []
    task_rows = _parse_tasks(task_sheet, plan, matcher, errors) if task_sheet else []
    if errors:
        raise ImportFileError(errors)
    result = ImportResult()
    with transaction.atomic():
        _write_targets(actor, plan, target_sheet, target_rows, result, errors)
        _write_tasks(actor, plan, task_sheet, task_rows, matcher, result, errors)
        if errors:
            raise ImportFileError(errors)  # rolls back every row written above
    return result


def _service_error(sheet: Sheet, row: int, exc: Exception) -> RowError:
    if isinstance(exc, ConflictError):
        return RowError(
            sheet.name,
            row,
            "B",
            "dòng này đã được sửa trên hệ thống sau khi tải tệp về; hãy tải lại tệp mới nhất.",
        )
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        text = " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    else:
        text = " ".join(getattr(exc, "messages", [str(exc)]))
    return RowError(sheet.name, row, None, text)


def _write_targets(actor, plan, sheet, rows, result, errors) -> None:
    for row, target, fields in rows:
        version = fields.pop("_version")
        try:
            with transaction.atomic():
                if target is None:
                    services.target_create(actor=actor, plan=plan, **fields)
                    result.targets_created += 1
                else:
                    before = target.version
                    updated = services.target_update(
                        actor=actor, target=target, expected_version=version, **fields
                    )
                    result.targets_updated += updated.version != before
        except (ValidationError, ConflictError) as exc:
            errors.append(_service_error(sheet, row, exc))


def _write_tasks(actor, plan, sheet, rows, matcher, result, errors) -> None:
    by_row: dict[int, Task] = {}
    for row, task, fields in rows:
        version = fields.pop("_version")
        parent_row = fields.pop("_parent_row")
        parent = by_row.get(parent_row) if parent_row else None
        if parent_row and parent is None:
            errors.append(RowError(sheet.name, row, "D", "nhiệm vụ cha ở dòng trên không lưu được."))
            continue
        try:
            with transaction.atomic():
                if task is None:
                    by_row[row] = services.task_create(
                        actor=actor,
                        plan=plan,
                        matcher=matcher,
                        parent=parent,
                        position=(len(by_row) + 1) * 10,
                        **fields,
                    )
                    result.tasks_created += 1
                else:
                    before = task.version
                    by_row[row] = services.task_update(
                        actor=actor,
                        task=task,
                        expected_version=version,
                        matcher=matcher,
                        parent=parent,
                        **fields,
                    )
                    result.tasks_updated += by_row[row].version != before
        except (ValidationError, ConflictError) as exc:
            errors.append(_service_error(sheet, row, exc))
