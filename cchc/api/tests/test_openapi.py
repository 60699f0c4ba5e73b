"""docs/openapi.yaml is the schema the code generates: a change to an endpoint without regenerating
it (`python manage.py openapi_schema`) fails here."""

import json

from cchc.api.openapi import SCHEMA_PATH, schema_text


def test_the_committed_schema_is_the_one_the_code_generates():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "docs/openapi.yaml lệch với mã nguồn: chạy `python manage.py openapi_schema`."
    )


def test_the_schema_lists_the_versioned_resources():
    paths = json.loads(schema_text())["paths"]
    for path in (
        "/api/v1/units/",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/progress",
        "/api/v1/dossier-batches",
    ):
        assert path in paths
