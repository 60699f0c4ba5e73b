"""Import of paper questionnaires keyed into a spreadsheet: one row per questionnaire, one column
per question (its code in the header, as the template the page offers). All or nothing: the whole
file is checked first, every problem named by sheet, row and column; only a clean file is written,
in one transaction.

Each row's submission UUID derives from the channel and the row's "Số phiếu" (or its content), so
importing the same file twice counts every questionnaire once."""

import uuid
from dataclasses import dataclass

from django.db import transaction

from cchc.core import uploads
from cchc.core.exceptions import ConflictError, ValidationError
from cchc.core.tabular import ImportFileError, RowError, Sheet, read_workbook
from cchc.surveys import services
from cchc.surveys.models import Channel, Question, Response

NUMBER_HEADER = "Số phiếu"
NAMESPACE = uuid.UUID("6f1d0a52-3c1e-4a43-9d8e-2f4a5b7c9e10")


@dataclass(frozen=True)
class ImportResult:
    created: int
    already: int


def read_upload(data: bytes, filename: str) -> list[Sheet]:
    """The one place an upload is opened: core.uploads' cheap checks (size, zip bomb) first; the
    row count is checked by tabular before openpyxl parses a sheet."""
    uploads.check_upload(data, name=filename)
    return read_workbook(data, filename, header_marker=NUMBER_HEADER)


def _cell_value(question: Question, value):
    if value is None or value == "":
        return None
    if question.kind == Question.Kind.MULTIPLE:
        labels = {str(label).casefold(): str(v) for v, label in question.choices}
        return [
            labels.get(part.strip().casefold(), part.strip())
            for part in str(value).split(";")
            if part.strip()
        ]
    if question.kind == Question.Kind.SINGLE:
        labels = {str(label).casefold(): str(v) for v, label in question.choices}
        return labels.get(str(value).strip().casefold(), str(value).strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def import_paper(*, actor, channel: Channel, data: bytes, filename: str) -> ImportResult:
    questions = services.questions_of(channel.round.version)
    by_code = {q.code: q for q in questions}
    errors: list[RowError] = []
    rows: list[tuple[int, uuid.UUID, dict]] = []
    for sheet in read_upload(data, filename)[:1]:
        columns = {}
        for index, title in enumerate(sheet.header):
            code = str(title or "").strip()
            if code in by_code:
                columns[index] = by_code[code]
            elif code and code != NUMBER_HEADER:
                errors.append(
                    RowError(
                        sheet.name,
                        sheet.header_row,
                        sheet.column_letter(index),
                        f"Không có câu hỏi mã «{code}» trong phiếu.",
                    )
                )
        number_index = sheet.column_index(NUMBER_HEADER)
        for row_number, cells in sheet.rows:
            if all(c in (None, "") for c in cells):
                continue
            raw = {}
            for index, question in columns.items():
                value = _cell_value(question, cells[index] if index < len(cells) else None)
                if value not in (None, []):
                    raw[question.code] = value
            try:
                answers = services.clean_answers(questions, raw)
            except ValidationError as exc:
                for code, messages in exc.message_dict.items():
                    index = next((i for i, q in columns.items() if q.code == code), None)
                    letter = sheet.column_letter(index) if index is not None else code
                    errors.extend(RowError(sheet.name, row_number, letter, m) for m in messages)
                continue
            number = cells[number_index] if number_index is not None and number_index < len(cells) else None
            seed = (
                f"{channel.slug}|{number}"
                if number not in (None, "")
                else f"{channel.slug}|{row_number}|{sorted(answers.items())}"
            )
            rows.append((row_number, uuid.uuid5(NAMESPACE, seed), answers))
    if not rows and not errors:
        errors.append(RowError("", None, None, "Tệp không có phiếu nào."))
    if errors:
        raise ImportFileError(errors)
    created = already = 0
    with transaction.atomic():
        for row_number, uid, answers in rows:
            try:
                result = services.response_submit(
                    channel=channel,
                    raw=answers,
                    submission_uuid=uid,
                    source=Response.Source.IMPORT,
                    actor=actor,
                    questions=questions,
                )
            except (ConflictError, services.QuotaFull) as exc:
                raise ImportFileError([RowError("", row_number, None, str(exc))]) from exc
            created += result.created
            already += not result.created
    return ImportResult(created, already)
