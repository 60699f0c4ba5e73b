"""The draft a plan document is read into: plan, targets, tasks (what the review page shows and the JSON carries)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

AREA_NAMES = {
    0: "Công tác chỉ đạo, điều hành",
    1: "Cải cách thể chế",
    2: "Cải cách thủ tục hành chính",
    3: "Cải cách tổ chức bộ máy hành chính nhà nước",
    4: "Cải cách chế độ công vụ",
    5: "Cải cách tài chính công",
    6: "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
}


# ----------------------------------------------------------------------------------------- results


@dataclass(kw_only=True)
class DraftItem:
    lines: tuple[int, int] = (0, 0)  # 1-based first and last source line
    confidence: float = 1.0
    restored: bool = False


@dataclass(kw_only=True)
class DraftTarget(DraftItem):
    area: int
    text: str
    metric: str = ""
    comparator: str = "text"  # gte | lte | eq | reduce_by | increase_by | text
    threshold: float | None = None
    unit: str = ""
    deadline_year: int | None = None


@dataclass(kw_only=True)
class DraftTask(DraftItem):
    area: int
    number: str
    content: str
    lead: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    product: str = ""
    time_text: str = ""
    children: list[DraftTask] = field(default_factory=list)


@dataclass(kw_only=True)
class DraftPlan:
    number: str = ""
    issuer: str = ""
    date: str | None = None  # ISO
    title: str = ""
    kind: str = "period"  # program | period | yearly
    year_start: int | None = None
    year_end: int | None = None
    lines: list[str] = field(default_factory=list)
    targets: list[DraftTarget] = field(default_factory=list)
    tasks: list[DraftTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parent_number: str = ""
    signer: str = ""
    restored: bool = False  # the document had lost its diacritics; they were restored
    target_source: str = ""  # structure | rules: which path read the targets
    task_source: str = ""  # table | vertical | interleaved | bullets | inline: where the tasks came from
    # parts of the document that look like a plan's but gave nothing: {"part", "lines": [a, b], "reason"}
    unread: list[dict] = field(default_factory=list)
    looks_like_plan: bool = False  # headings of a plan (mục tiêu, nhiệm vụ, tổ chức thực hiện…) found

    def to_json(self) -> dict:
        data = asdict(self)
        for target in data["targets"]:
            target["lines"] = list(target["lines"])

        def fix(tasks):
            for task in tasks:
                task["lines"] = list(task["lines"])
                fix(task["children"])

        fix(data["tasks"])
        return data

    def all_tasks(self) -> list[DraftTask]:
        out = []
        for task in self.tasks:
            out.append(task)
            out.extend(task.children)
        return out
