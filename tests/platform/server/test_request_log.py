"""Request ids (`X-Request-ID`: kept when sent, made when not, returned, carried into the audit entry) and
the log lines: JSON with the request's context when configured, plain text by default."""
from __future__ import annotations

import io
import json
import logging
import re
import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from db.audit import AuditEntryRow
from server.platform.log_format import PLAIN, JsonFormatter, log_config
from server.platform.request_context import ContextFilter
from server.platform.settings import ServerSettings

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def last_audit_detail(h, action: str) -> dict | None:
    with h.ctx.db.reader() as session:
        return session.execute(select(AuditEntryRow.detail).where(AuditEntryRow.action == action)
                               .order_by(AuditEntryRow.id.desc()).limit(1)).scalar_one()


def test_a_sent_request_id_is_returned_and_lands_in_the_audit_entry(srv):
    case_id = uuid.uuid4()
    r = srv.client.post("/api/commands", json={"commands": [srv.command("create", case_id, srv.create_payload())]},
                        headers={**srv.login("operator1"), "X-Request-ID": "gw-7f3a.0001:retry-2"})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted"
    assert r.headers["X-Request-ID"] == "gw-7f3a.0001:retry-2"
    assert last_audit_detail(srv, "create")["request_id"] == "gw-7f3a.0001:retry-2"


@pytest.mark.parametrize("sent", [None, "", "has spaces", "x" * 129, "semi;colon", "ünï"])
def test_a_missing_or_unusable_request_id_is_replaced(lite, sent):
    headers = {} if sent is None else {"X-Request-ID": sent.encode("utf-8")}
    r = lite.client.post("/api/login", json={"username": "operator1", "password": "demo-operator1"},
                         headers=headers)
    assert r.status_code == 200
    made = r.headers["X-Request-ID"]
    assert GENERATED.match(made)
    assert last_audit_detail(lite, "login")["request_id"] == made


def test_every_answer_carries_one_even_errors_and_the_fast_feed(lite):
    headers = lite.login("operator1")
    for r in (lite.client.get("/no/such/page"), lite.client.get("/healthz"),
              lite.client.get("/api/changes", params={"cursor": "any.0"}, headers=headers)):
        assert GENERATED.match(r.headers["X-Request-ID"]), r.url
    ids = {lite.client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


@pytest.fixture
def json_log(lite):
    """The server's log lines as JSON objects, formatted as `ONEGRID_LOG_FORMAT=json` formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("server")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_json_lines_name_the_request_user_console_and_command(lite, json_log):
    headers = lite.login("operator1", console_id="ws-17")
    command_id = uuid.uuid4()
    lite.ctx.before_commit = lambda session: logging.getLogger("server.cases").info("committing a command")
    r = lite.client.post("/api/commands", json={"commands": [
        lite.command("create", uuid.uuid4(), lite.create_payload(), command_id=command_id)]},
        headers={**headers, "X-Request-ID": "req-42"})
    assert r.status_code == 200
    lite.ctx.before_commit = None
    assert lite.client.post("/api/logout", headers={**headers, "X-Request-ID": "req-43"}).status_code == 204

    lines = json_log()
    committing = next(line for line in lines if line["message"] == "committing a command")
    assert {k: committing[k] for k in ("level", "logger", "request_id", "user", "console_id", "command_id")} == {
        "level": "INFO", "logger": "server.cases", "request_id": "req-42", "user": "operator1",
        "console_id": "ws-17", "command_id": str(command_id)}
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", committing["time"])
    logout = next(line for line in lines if line["message"].startswith("logout: operator1"))
    assert (logout["request_id"], logout["user"], logout["console_id"], logout["command_id"]) == \
        ("req-43", "operator1", "ws-17", None)


def test_a_log_line_outside_a_request_has_empty_context_and_an_exception_its_traceback(json_log):
    log = logging.getLogger("server.maintenance")
    try:
        raise RuntimeError("sweep failed")
    except RuntimeError:
        log.exception("maintenance round failed; retrying in %d s", 30)
    (line,) = json_log()
    assert line["message"] == "maintenance round failed; retrying in 30 s" and line["level"] == "ERROR"
    assert (line["request_id"], line["user"], line["console_id"], line["command_id"]) == (None, None, None, None)
    assert "RuntimeError: sweep failed" in line["exc_info"]


def test_plain_text_by_default_json_when_configured():
    assert ServerSettings.from_env({}).log_format == "plain"
    assert log_config("info")["formatters"]["line"] == {"format": PLAIN}
    assert ServerSettings.from_env({"ONEGRID_LOG_FORMAT": "json"}).log_format == "json"
    assert log_config("info", "json")["formatters"]["line"] == {"()": "server.platform.log_format.JsonFormatter"}
    with pytest.raises(ValidationError, match="log_format"):
        ServerSettings.from_env({"ONEGRID_LOG_FORMAT": "xml"})


@pytest.mark.postgres
def test_every_command_of_a_batch_carries_it_also_from_the_parallel_lanes(pg):
    commands = [pg.command("create", uuid.uuid4(), pg.create_payload()) for _ in range(4)]  # 4 cases: lanes
    r = pg.client.post("/api/commands", json={"commands": commands},
                       headers={**pg.login("operator1"), "X-Request-ID": "batch-9"})
    assert [c["status"] for c in r.json()["results"]] == ["accepted"] * 4
    with pg.ctx.db.reader() as session:
        details = session.execute(select(AuditEntryRow.detail).where(AuditEntryRow.action == "create")).scalars().all()
    assert len(details) == 4 and {d["request_id"] for d in details} == {"batch-9"}
