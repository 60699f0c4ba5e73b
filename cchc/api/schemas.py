from datetime import date, datetime

from ninja import Schema


class Problem(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: dict | list | None = None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    depth: int


class PlanOut(Schema):
    id: int
    issuer_id: int
    number: str
    title: str
    kind: str
    status: str
    year_start: int
    year_end: int
    issued_on: date | None
    parent_id: int | None
    version: int


class TargetOut(Schema):
    id: int
    plan_id: int
    area: int
    text: str
    metric: str
    comparator: str
    threshold: str | None
    unit_of_measure: str
    deadline_year: int | None
    version: int


class TaskOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    area: int
    number: str
    content: str
    lead_text: str
    status: str
    progress: int
    result: str
    start_date: date | None
    end_date: date | None
    completed_on: date | None
    version: int


class TaskProgressIn(Schema):
    version: int
    status: str
    progress: int | None = None
    result: str | None = None


class EvidenceOut(Schema):
    id: int
    task_id: int
    kind: str
    original_name: str
    size: int


class UnitPage(Schema):
    items: list[UnitOut]
    next_cursor: int | None


class PlanPage(Schema):
    items: list[PlanOut]
    next_cursor: int | None


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: int | None


class KpiOut(Schema):
    unit_code: str
    period: str
    period_label: str
    figures: dict


class BatchOut(Schema):
    id: int
    status: str
    file_name: str
    rows_read: int
    inserted: int
    updated: int
    error_count: int
    message: str
    started_at: datetime
    finished_at: datetime | None


class JobOut(Schema):
    """A background job as the API shows it: state, progress and where its outcome lives."""

    id: int
    kind: str
    status: str
    percent: int
    progress_done: int
    progress_total: int
    phase: str
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    status_url: str
    batch_id: int | None
    batch_url: str | None


class BatchAccepted(JobOut):
    """202: the file is kept and its import queued; poll status_url until status is final."""
