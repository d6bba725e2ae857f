"""Who and what a log line or an audit entry belongs to: the request id, the user, the console and the
command being applied, kept in context variables for the request's task and the threads it hands work to
(anyio's worker threads copy the context; so do the batch lanes of `server.cases.commands`).

    X-Request-ID: 3f2a…   →  every log line of the request (JSON logs: `request_id`), the answer's
                              `X-Request-ID` header, and `detail.request_id` of the audit entries it wrote

A request id sent by the caller (a proxy or a console) is kept when it looks like one (letters, digits and
`._:-`, at most 128 characters); otherwise, or when none is sent, the server makes one.
"""
from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "X-Request-ID"
_HEADER_KEY = HEADER.lower().encode()
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

request_id: ContextVar[str | None] = ContextVar("onegrid_request_id", default=None)
user: ContextVar[str | None] = ContextVar("onegrid_user", default=None)
console_id: ContextVar[str | None] = ContextVar("onegrid_console_id", default=None)
command_id: ContextVar[str | None] = ContextVar("onegrid_command_id", default=None)

FIELDS = {"request_id": request_id, "user": user, "console_id": console_id, "command_id": command_id}


def accepted_request_id(sent: str | None) -> str:
    """The caller's id when it is acceptable, else a new one."""
    if sent is not None and _ACCEPTABLE.match(sent):
        return sent
    return uuid.uuid4().hex


@contextmanager
def applying_command(command: object) -> Iterator[None]:
    """Log lines (and nothing else) written while `command` is applied carry its id."""
    token = command_id.set(None if command is None else str(command))
    try:
        yield
    finally:
        command_id.reset(token)


def enter_request(rid: str) -> list:
    """Start a request's context (its id; no user or console yet); hand the result to `leave_request`.
    Called by the edge middleware (`server.platform.edge`), which also sends the id back in `X-Request-ID`."""
    return [(request_id, request_id.set(rid)), (user, user.set(None)), (console_id, console_id.set(None))]


def leave_request(tokens: list) -> None:
    for var, token in reversed(tokens):
        var.reset(token)


class ContextFilter(logging.Filter):
    """Puts the context's fields on every record (None outside a request), for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in FIELDS.items():
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True
