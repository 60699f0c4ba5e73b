"""Form helpers: the public questionnaire is built from the survey's questions, not a Django Form,
because its fields are data; these turn a POST into raw answers and back into widgets."""

from collections.abc import Mapping
from typing import Any

from cchc.surveys.models import Question


def field_name(question: Question) -> str:
    return f"q-{question.code}"


def raw_from_post(questions: list[Question], data) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for q in questions:
        name = field_name(q)
        if q.kind == Question.Kind.MULTIPLE:
            values = data.getlist(name)
            if values:
                raw[q.code] = values
        elif data.get(name, "") != "":
            raw[q.code] = data.get(name)
    return raw


def widgets(questions: list[Question], answers: Mapping[str, Any], errors: Mapping[str, list]) -> list[dict]:
    """What the template draws per question, grouped by section."""
    sections: list[dict] = []
    for q in questions:
        if not sections or sections[-1]["section"].pk != q.section_id:
            sections.append({"section": q.section, "questions": []})
        value = answers.get(q.code)
        chosen = (
            {str(v) for v in value}
            if isinstance(value, list)
            else ({str(value)} if value not in (None, "") else set())
        )
        condition = ""
        if q.show_if_code:
            parent = next((p for p in questions if p.code == q.show_if_code), None)
            labels = [
                str(label)
                for v, label in (parent.choices if parent else [])
                if str(v) in map(str, q.show_if_values)
            ]
            condition = f"Chỉ trả lời nếu ở câu trước Ông/Bà chọn «{', '.join(labels)}»."
        sections[-1]["questions"].append(
            {
                "q": q,
                "name": field_name(q),
                "value": "" if value is None or isinstance(value, list) else value,
                "options": [
                    {"value": str(v), "label": label, "checked": str(v) in chosen} for v, label in q.choices
                ],
                "errors": errors.get(q.code, []),
                "condition": condition,
            }
        )
    return sections
