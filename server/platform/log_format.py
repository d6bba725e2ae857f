"""The server's log lines: plain text by default, one JSON object per line with `ONEGRID_LOG_FORMAT=json`
(for a log shipper: journald → Loki, Elasticsearch, …).

A JSON line has one field each for `time` (ISO-8601, UTC, milliseconds), `level`, `logger`, `message`,
`process`, and — whenever known — `request_id`, `user`, `console_id` and `command_id`
(`server.platform.request_context`); an exception adds `exc_info` (its formatted traceback):

    {"time": "2026-12-07T01:02:03.456Z", "level": "INFO", "logger": "server.platform.api",
     "message": "logout: operator1 from console c-17", "process": 4242, "request_id": "3f2a…",
     "user": "operator1", "console_id": "c-17", "command_id": null}

`log_config` is the one dictConfig for our loggers and uvicorn's, applied in every worker process.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from server.platform.request_context import FIELDS

FORMATS = ("plain", "json")
PLAIN = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record (the fields above); never raises on an odd message argument."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception as exc:  # noqa: BLE001 - a bad %-argument must not lose the line
            message = f"{record.msg!r} (unformattable: {exc!r})"
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "process": record.process,
        }
        for name in FIELDS:
            line[name] = getattr(record, name, None)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_config(level: str, fmt: str = "plain") -> dict:
    """dictConfig for the root logger (our loggers and uvicorn's propagate to it): stderr, `fmt`."""
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r} is not one of {', '.join(FORMATS)}")
    formatter = {"()": f"{__name__}.JsonFormatter"} if fmt == "json" else {"format": PLAIN}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "server.platform.request_context.ContextFilter"}},
        "formatters": {"line": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["context"]}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
    }
