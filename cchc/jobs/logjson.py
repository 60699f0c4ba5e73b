"""One JSON object a line for the logs (LOG_FORMAT=json): what journald, Loki or jq read as fields."""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    FIELDS = ("job_id", "kind", "status_code", "request_id")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
