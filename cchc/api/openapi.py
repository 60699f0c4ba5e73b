"""The OpenAPI document of /api/v1/, as committed in docs/openapi.yaml.

Written as JSON (which is valid YAML 1.2), keys sorted, so the file has one form and needs no YAML
library at run time."""

import json
from pathlib import Path

from django.conf import settings

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def schema_text() -> str:
    from cchc.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
