from cchc.core import history
from cchc.plans.models import Area, Target, Task
from cchc.reporting.models import UnitReport
from cchc.reporting.permissions import access_report

# The report form's own section names (reporting.views shows the same ones).
SECTION_LABELS = {
    "area_0": Area.DIRECTION.label,
    **{f"area_{value}": f"Kết quả: {label}" for value, label in Area.choices if value},
    "limitations": "Tồn tại, hạn chế",
    "causes": "Nguyên nhân",
    "next_tasks": "Nhiệm vụ trọng tâm kỳ tới",
    "proposals": "Đề xuất, kiến nghị",
}


def _report_title(report: UnitReport) -> str:
    # Period titles already read "Báo cáo cải cách hành chính…"; do not say "Báo cáo Báo cáo".
    title = report.period.title
    if not title.casefold().startswith("báo cáo"):
        title = f"Báo cáo {title}"
    return f"{title} – {report.unit}"


def _task_names(ids: set) -> dict:
    return {
        pk: f"{number}. {content[:80]}" if number else content[:80]
        for pk, number, content in Task.objects.filter(pk__in=ids).values_list("pk", "number", "content")
    }


def _target_names(ids: set) -> dict:
    return {pk: text[:80] for pk, text in Target.objects.filter(pk__in=ids).values_list("pk", "text")}


history.register(
    UnitReport,
    access_report,
    title=_report_title,
    labels={
        "narrative": "phần nội dung đã sửa",
        "tasks": "nhiệm vụ đã cập nhật",
        "targets": "chỉ tiêu đã cập nhật",
        "period": "kỳ báo cáo",
        "prefilled_from": "lấy số liệu ban đầu từ",
    },
    formatters={"narrative": lambda key: SECTION_LABELS.get(key, key)},
    references={"tasks": _task_names, "targets": _target_names},
    changed_lists={"narrative", "tasks", "targets"},
)
