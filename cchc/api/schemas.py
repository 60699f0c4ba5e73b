from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ninja import Schema
from pydantic import Field


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


# Reporting ---------------------------------------------------------------------------------------


class PeriodOut(Schema):
    id: int
    rule_set_id: int
    issuer_id: int
    kind: str
    year: int
    code: str
    title: str
    cutoff_start: date
    cutoff_end: date
    deadline: date


class PeriodPage(Schema):
    items: list[PeriodOut]
    next_cursor: int | None


class ReportSummary(Schema):
    id: int
    period_id: int
    unit_id: int
    status: str
    revision: int
    version: int
    first_submitted_at: datetime | None
    submitted_at: datetime | None
    accepted_at: datetime | None


class ReportPage(Schema):
    items: list[ReportSummary]
    next_cursor: int | None


class ReportTaskOut(Schema):
    task_id: int
    area: int
    number: str
    content: str
    status: str
    progress: int
    result: str


class ReportTargetOut(Schema):
    target_id: int
    area: int
    text: str
    unit_of_measure: str
    actual: str | None
    numerator: str | None
    denominator: str | None
    note: str


class ReportOut(ReportSummary):
    reviewer_note: str
    narrative: dict[str, str]
    tasks: list[ReportTaskOut]
    targets: list[ReportTargetOut]


class ReportTaskIn(Schema):
    task_id: int = Field(..., ge=1, le=2**62)
    status: str | None = Field(None, max_length=16)
    progress: int | None = Field(None, ge=0, le=100)
    result: str | None = Field(None, max_length=5000)


Figure = Annotated[str, Field(max_length=20, pattern=r"^-?\d{1,12}(\.\d{1,2})?$")]


class ReportTargetIn(Schema):
    target_id: int = Field(..., ge=1, le=2**62)
    actual: Figure | None = None
    numerator: Figure | None = None
    denominator: Figure | None = None
    note: str | None = Field(None, max_length=500)


class ReportSaveIn(Schema):
    expected_version: int = Field(..., ge=1, le=2**62)
    narrative: dict[str, Annotated[str, Field(max_length=20000)]] | None = None
    tasks: list[ReportTaskIn] = Field(default_factory=list, max_length=500)
    targets: list[ReportTargetIn] = Field(default_factory=list, max_length=500)


class ReportSubmitIn(Schema):
    expected_version: int = Field(..., ge=1, le=2**62)


class ConsolidatedTargetOut(Schema):
    target_id: int
    text: str
    unit_of_measure: str
    threshold: str | None
    units: int
    numerator: str
    denominator: str
    rate: str | None
    is_met: bool | None
    units_without_counts: list[str]


class ConsolidationOut(Schema):
    period_id: int
    unit_id: int
    counts: dict[str, int]
    late_unit_ids: list[int]
    missing_unit_ids: list[int]
    targets: list[ConsolidatedTargetOut]
    task_counts: dict[str, dict[str, int]]


# Published results (public) ----------------------------------------------------------------------


class ReleaseOut(Schema):
    id: int
    season_id: int
    title: str
    year: int
    block: str
    number: int
    published_at: datetime
    units: int


class ReleasePage(Schema):
    items: list[ReleaseOut]
    next_cursor: int | None


class RankingRow(Schema):
    code: str
    name: str
    appraised: str
    survey: str
    index: str
    rank: int | None
    band: str
    excluded: bool
    excluded_reason: str
    areas: dict[str, str]
    change: str


class ReleaseDetail(ReleaseOut):
    note: str
    rows: list[RankingRow]


class IndexValueOut(Schema):
    """A satisfaction share in per cent; null with suppressed=true under the survey's cell minimum."""

    value: float | None
    low: float | None
    high: float | None
    responses: int
    suppressed: bool


class SurveyResultOut(Schema):
    id: int
    title: str
    year: int
    published_at: datetime
    min_cell: int
    overall: IndexValueOut


class SurveyResultPage(Schema):
    items: list[SurveyResultOut]
    next_cursor: int | None


class AspectOut(Schema):
    code: str
    title: str
    value: IndexValueOut


class UnitResultOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    overall: IndexValueOut


class SurveyResultDetail(SurveyResultOut):
    aspects: list[AspectOut]
    units: list[UnitResultOut]


class InitiativeOut(Schema):
    id: int
    title: str
    unit_id: int
    unit_name: str
    field: str
    year: int
    decision_number: str
    decision_date: date | None
    solution: str
    benefits: str


class InitiativePage(Schema):
    items: list[InitiativeOut]
    next_cursor: int | None


# Survey submission (public form) -----------------------------------------------------------------

Answer = (
    int
    | Annotated[str, Field(max_length=4000)]
    | Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=30)]
)


class SurveyResponseIn(Schema):
    submission_uuid: UUID
    answers: dict[Annotated[str, Field(max_length=40)], Answer] = Field(..., max_length=200)
    token: str = Field("", max_length=300, description="Mã in trên giấy biên nhận (khi đợt khảo sát yêu cầu)")


class SurveyResponseOut(Schema):
    submission_uuid: UUID
    created: bool
    message: str


class QuestionOut(Schema):
    code: str
    section: str
    text: str
    kind: str
    required: bool
    choices: list[list[str]]
    show_if_code: str
    show_if_values: list[str]


class SurveyChannelOut(Schema):
    slug: str
    round_title: str
    unit_name: str
    is_open: bool
    requires_token: bool
    questions: list[QuestionOut]
