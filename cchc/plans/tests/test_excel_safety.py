"""The plan workbook keeps what people typed as text: nothing they write can become a formula."""

import io

from openpyxl import load_workbook

from cchc.plans import excel
from cchc.plans import services as plans

HOSTILE = ["=SUM(A1)", "-5% so với cùng kỳ", "+84 912 345 678", "@lệnh", "\t=1+1", "＝HYPERLINK(1)"]


def _cells(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from (cell for cell in row if cell.value is not None)


def _hostile_plan(world, personas):
    task = world.office_task
    for number, text in enumerate(HOSTILE, start=1):
        plans.task_create(
            actor=personas["officer"],
            plan=world.plan,
            area=task.area,
            content=text,
            product=text,
            number=str(number + 10),
        )
    plans.target_create(
        actor=personas["officer"], plan=world.plan, area=1, text="=1+1", metric="-3 ngày", threshold=5
    )
    return world.plan


def test_no_cell_of_the_plan_export_is_a_formula_and_dangerous_text_is_quote_prefixed(world, personas):
    data = excel.export_plan(_hostile_plan(world, personas))
    cells = list(_cells(data))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    dangerous = [c for c in cells if isinstance(c.value, str) and c.value in HOSTILE + ["=1+1", "-3 ngày"]]
    assert len(dangerous) == 2 * len(HOSTILE) + 2
    assert all(c.data_type == "s" and c.quotePrefix for c in dangerous)


def test_numbers_in_the_plan_export_stay_numbers(world):
    workbook = load_workbook(io.BytesIO(excel.export_plan(world.plan)))
    target = next(workbook["Chỉ tiêu"].iter_rows(min_row=2))
    assert (target[0].data_type, target[1].data_type, target[6].data_type) == ("n", "n", "n")
    task = next(workbook["Nhiệm vụ"].iter_rows(min_row=2))
    assert isinstance(task[10].value, int) and task[10].data_type == "n"


def test_formula_like_text_exports_and_re_imports_unchanged(world, personas):
    plan = _hostile_plan(world, personas)
    before = sorted(plan.tasks.values_list("id", "content", "product", "version"))
    result = excel.import_plan(
        actor=personas["officer"], plan=plan, data=excel.export_plan(plan), filename="kh.xlsx"
    )
    assert (result.tasks_created, result.tasks_updated) == (0, 0)
    assert sorted(plan.tasks.values_list("id", "content", "product", "version")) == before
    assert plan.targets.filter(text="=1+1", metric="-3 ngày").exists()


def test_the_empty_template_has_no_formula_either(db):
    assert not [c for c in _cells(excel.export_template()) if c.data_type == "f"]
