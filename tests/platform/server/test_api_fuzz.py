"""The whole HTTP API fuzzed from its own OpenAPI schema (schemathesis on Hypothesis), on PostgreSQL.

Two tests, each on its own database with a case, an alarm, shifts and their handovers to act on:
- every operation of GET /openapi.json gets generated requests, valid ones (positive) and ones that
  break the schema (negative), some aimed at the seeded entities, each sent as every role, as a gateway
  where the operation takes an ingest key, and with no token or a made-up one;
- every field of a valid request to each operation gets, one at a time, the values a database cannot
  take (a NUL character, times whose UTC overflows, dates at the ends of the calendar, integers beyond
  64 bits, booleans for numbers), which random generation reaches only by chance.
Every answer must be no server error, have a documented status and content type, and fit the model
documented for that status (server.platform.api_responses).

Bounded and deterministic: a fixed number of examples per operation, derandomized (the same requests on
every run), no shrinking (a failure shows the request as generated); operations in the schema's order
with the login last (it may throttle logins by then). Every failure is reported at once. Run alone:

    .venv/bin/python -m pytest -q tests/platform/server/test_api_fuzz.py
"""
from __future__ import annotations

import re
import traceback
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.sensors.api import INGEST_KEY_HEADER
from tests.support.sensor_support import KEY, alarms, feed_step
from tests.support.server import password_of

EXAMPLES_PER_OPERATION = 25  # about a minute and a half here for all 26 operations
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# One user of each role (the demo city's); the unit handler's unit owns the seeded alarm's sensor.
ROLES = {"operator": "operator1", "shift_lead": "lead1", "inspector": "inspector1",
         "unit_handler": "handler_drainage", "admin": "admin"}
ALARM_SENSOR = "rf-001"


def _ok(response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def _shift_with_handover(h, lead: str) -> str:
    """A shift opened and closed by `lead` (its handover drafted); its id."""
    shift = _ok(h.client.post("/api/shifts", json={}, headers=h.login(lead)), 201)
    _ok(h.client.post(f"/api/shifts/{shift['id']}/close", json={"notes": "quiet"}, headers=h.login(lead)))
    return shift["id"]


def _seed(h) -> dict[str, dict[str, str]]:
    """Entities for generated requests to act on, as path parameters per operation path."""
    case = h.new_case()
    feed_step(h, ALARM_SENSOR, h.clock.now, [30] * 6)  # over its warning line for 5 minutes: an alarm
    alarm_id = alarms(h, ALARM_SENSOR)[0]["id"]
    notes_shift = _shift_with_handover(h, "lead1")  # lead1 (the fuzzed shift lead) may edit its notes
    sign_shift = _shift_with_handover(h, "lead2")   # lead1 may sign it
    open_shift = _ok(h.client.post("/api/shifts", json={}, headers=h.login("lead2")), 201)["id"]
    return {
        "/api/cases/{case_id}": {"case_id": case["id"]},
        "/api/sensors/{sensor_id}/readings": {"sensor_id": ALARM_SENSOR},
        "/api/alarms/{alarm_id}/acknowledge": {"alarm_id": alarm_id},
        "/api/alarms/{alarm_id}/clear": {"alarm_id": alarm_id},
        "/api/shifts/{shift_id}/close": {"shift_id": open_shift},
        "/api/handovers/{shift_id}": {"shift_id": notes_shift},
        "/api/handovers/{shift_id}/notes": {"shift_id": notes_shift},
        "/api/handovers/{shift_id}/sign": {"shift_id": sign_shift},
    }


def _strategy(operation, path_parameters: dict[str, str] | None):
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if path_parameters:
        strategies += [operation.as_strategy(generation_mode=mode, path_parameters=path_parameters) for mode in modes]
    return st.one_of(strategies)


def _identities(callers: dict[str, dict[str, str]], operation) -> dict[str, dict[str, str] | None]:
    """Who sends each request: the headers put over the generated ones (None: as generated, which is
    no credentials or made-up ones)."""
    out: dict[str, dict[str, str] | None] = dict(callers)
    if any("IngestKey" in requirement for requirement in operation.definition.raw.get("security", [])):
        out["gateway"] = {INGEST_KEY_HEADER: KEY}
    out["anonymous"] = None
    return out


def _schema_and_operations(h):
    schema = schemathesis.openapi.from_dict(_ok(h.client.get("/openapi.json")))
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: op.path == "/api/login")  # stable: schema order, the login last
    return schema, operations


def _send(h, case, headers: dict[str, str] | None):
    """The case through the harness's client (the app's lifespan runs in its event loop)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    sent = dict(kwargs.pop("headers"))
    if headers is not None:  # a caller's own credentials, not the generated ones
        sent = {k: v for k, v in sent.items() if k.lower() not in ("authorization", INGEST_KEY_HEADER.lower())}
        sent.update(headers)
    # As octets: httpx would encode text as ASCII, and a generated header may hold any Latin-1 character.
    octets = {k: v.encode("latin-1") if isinstance(v, str) else v for k, v in sent.items()}
    kwargs.pop("cookies", None)  # the API reads no cookies (and none are generated)
    if "data" in kwargs:  # raw bytes (e.g. a body that is not JSON)
        kwargs["content"] = kwargs.pop("data")
    return h.client.request(headers=octets, **kwargs), sent


def _fresh_token(h, username: str) -> dict[str, str]:
    token = _ok(h.client.post("/api/login", json={"username": username, "password": password_of(username)}))["token"]
    return {"Authorization": f"Bearer {token}"}


def _fuzz(h, operation, path_parameters: dict[str, str] | None, callers: dict[str, dict[str, str]]) -> None:
    identities = _identities(callers, operation)
    logout = operation.path == "/api/logout"

    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation, path_parameters))
    def run(case) -> None:
        for identity, headers in identities.items():
            response, sent = _send(h, case, headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=sent)
            except (Exception, BaseExceptionGroup) as exc:
                raise AssertionError(f"as {identity}: {exc}") from None
            if logout and response.status_code == 204 and identity in ROLES:  # that token is gone
                callers[identity] = identities[identity] = _fresh_token(h, ROLES[identity])

    run()


@pytest.mark.timeout(900)  # bounded by the example count; the default 300 s is too close on a busy machine
def test_every_operation_as_every_role_answers_as_documented(pg_url, make_harness):  # the harness closes first
    h = make_harness(pg_url, ingest_keys=KEY, sensor_batch_ms=5, sensor_feed_interval_s=0, long_poll_max_s=0,
                     feed_push_max_s=0)  # a feed stream answers its first page and ends, as a long-poll would
    _schema, operations = _schema_and_operations(h)
    pins = _seed(h)
    callers = {role: _fresh_token(h, user) for role, user in ROLES.items()}
    failures = []
    for operation in operations:
        try:
            _fuzz(h, operation, pins.get(operation.path), callers)
        except (Exception, BaseExceptionGroup) as exc:  # every operation's first failure, reported together
            failures.append(f"== {operation.label}\n{''.join(traceback.format_exception_only(exc))}"
                            f"{''.join(note + chr(10) for note in getattr(exc, '__notes__', []))}")
    assert not failures, f"{len(failures)} of {len(operations)} operations failed:\n" + "\n".join(failures)


# ---- edge values in every field ---------------------------------------------------------------------
# Random generation finds a value the database cannot take only by chance. These are sent for sure, one
# field at a time, in a request that is otherwise valid and reaches the database: a NUL character in
# text, times at the ends of datetime's range with an offset that overflows UTC, dates at the ends of
# the calendar, integers beyond 64 bits, and booleans where numbers go (and numbers where booleans go).
LOW_TIME, HIGH_TIME = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _edge_values(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [1]
    if isinstance(value, int):
        return [2**63, True]
    if isinstance(value, float):
        return [True, 1e308]
    if not isinstance(value, str):
        return []
    out: list[Any] = [value + "\x00"]
    if _DATE.match(value):
        out += ["0001-01-01", "9999-12-31"]
    elif "T" in value and _is_time(value):
        out += [LOW_TIME, HIGH_TIME]
    elif value.isdigit():
        out += [str(2**63)]
    return out


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _variants(value: Any) -> Iterator[Any]:
    """`value` (a query or a body) with one leaf at a time replaced by each of its edge values."""
    if isinstance(value, dict):
        for key, item in value.items():
            for variant in _variants(item):
                yield {**value, key: variant}
    elif isinstance(value, list):
        for i, item in enumerate(value):
            for variant in _variants(item):
                yield [*value[:i], variant, *value[i + 1:]]
    else:
        yield from _edge_values(value)


def _renewed(value: Any, ids: set[str]) -> Any:
    """`value` with a new id for each of `ids` (a command or an outage stored once per id would
    otherwise answer every variant after the first from what was stored)."""
    if isinstance(value, dict):
        return {key: _renewed(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_renewed(item, ids) for item in value]
    return str(uuid.uuid4()) if isinstance(value, str) and value in ids else value


Base = tuple[str, dict[str, str] | None, Any]  # who sends it, query, body


def _base_requests(h, pins: dict[str, dict[str, str]]) -> tuple[dict[tuple[str, str], Base], set[str]]:
    """(method, path) → a valid request that gets as far as the database; and the ids in them to renew
    for every variant."""
    now = h.clock.now
    iso = now.isoformat()
    command = {"command_id": str(uuid.uuid4()), "case_id": str(uuid.uuid4()), "action": "create",
               "payload": h.create_payload(), "issued_at": iso, "offline": False, "console_id": "console-1"}
    notes_shift = pins["/api/handovers/{shift_id}/notes"]["shift_id"]
    entity_command = {"command_id": str(uuid.uuid4()), "kind": "handover", "entity_id": notes_shift,
                      "action": "set_notes", "payload": {"notes": "all quiet"}, "issued_at": iso, "offline": False,
                      "console_id": "console-1"}
    outage = {"id": str(uuid.uuid4()), "started_at": (now - timedelta(minutes=10)).isoformat(),
              "ended_at": (now - timedelta(minutes=5)).isoformat(), "error": "connection refused"}
    ids = {command["command_id"], command["case_id"], entity_command["command_id"], outage["id"]}
    return {
        ("POST", "/api/login"): ("anonymous", None, {"username": "operator2", "password": password_of("operator2"),
                                                     "console_id": "console-1"}),
        ("POST", "/api/commands"): ("operator", None, {"commands": [command]}),
        ("GET", "/api/changes"): ("operator", {"after": "0", "limit": "10", "wait": "0"}, None),
        ("PUT", "/api/settings/emergency_mode"): ("shift_lead", None, {"on": False, "reason": "drill over"}),
        # `start` left to its default (end - 24 h): with both given, one at an edge is only a range too long
        ("GET", "/api/sensors/{sensor_id}/readings"): ("operator", {"end": iso, "resolution": "minute"}, None),
        ("GET", "/api/alarms"): ("operator", {"active": "true", "sensor_id": ALARM_SENSOR, "limit": "10"}, None),
        ("POST", "/api/alarms/{alarm_id}/acknowledge"): ("operator", None, {"note": "seen"}),
        ("POST", "/api/alarms/{alarm_id}/clear"): ("shift_lead", None, {"reason": "pump restarted"}),
        ("POST", "/api/sensors/readings"): (
            "gateway", None, {"readings": [{"sensor_id": ALARM_SENSOR, "time": iso, "value": 1.0, "unit": "mm/h"}]}),
        ("GET", "/api/shifts"): ("operator", {"limit": "10"}, None),
        ("POST", "/api/shifts/{shift_id}/close"): ("shift_lead", None, {"notes": "quiet"}),
        ("POST", "/api/shifts"): ("shift_lead", None, {"name": "day", "on_duty": ["operator1"]}),
        ("PUT", "/api/handovers/{shift_id}/notes"): ("shift_lead", None, {"notes": "all quiet"}),
        ("POST", "/api/handovers/{shift_id}/sign"): ("shift_lead", None, {"content_hash": "0" * 64}),
        ("POST", "/api/entity-commands"): ("shift_lead", None, {"commands": [entity_command]}),
        ("POST", "/api/console-outages"): ("operator", None, {"console_id": "console-1", "outages": [outage]}),
        ("GET", "/api/metrics"): ("admin", {"start": "2026-11-01", "end": "2026-11-23", "unit": "water_supply",
                                            "rollup": "true"}, None),
        ("GET", "/api/audit"): ("admin", {"start": (now - timedelta(days=1)).isoformat(), "end": iso, "actor": "lead1",
                                          "action": "login", "entity_kind": "user", "entity_id": "lead1",
                                          "console_id": "console-1", "result": "ok", "offline": "false",
                                          "before": "1000", "limit": "10"}, None),
    }, ids


@pytest.mark.timeout(600)
def test_edge_values_in_every_field_answer_as_documented(pg_url, make_harness):
    h = make_harness(pg_url, ingest_keys=KEY, sensor_batch_ms=5, sensor_feed_interval_s=0, long_poll_max_s=0,
                     feed_push_max_s=0)  # a feed stream answers its first page and ends, as a long-poll would
    _schema, operations = _schema_and_operations(h)
    pins = _seed(h)
    callers: dict[str, dict[str, str] | None] = {role: _fresh_token(h, user) for role, user in ROLES.items()}
    callers["gateway"] = {INGEST_KEY_HEADER: KEY}
    callers["anonymous"] = None
    bases, ids = _base_requests(h, pins)
    # The seeded open shift is closed here, after its own requests, so that opening one can succeed.
    operations.sort(key=lambda op: (op.method.upper(), op.path) == ("POST", "/api/shifts"))
    failures, sent_count, varied = [], 0, set()
    for operation in operations:
        base = bases.get((operation.method.upper(), operation.path))
        if base is None:  # nothing to vary: no query and no body
            continue
        varied.add((operation.method.upper(), operation.path))
        who, query, body = base
        if (operation.method.upper(), operation.path) == ("POST", "/api/shifts"):
            close = pins["/api/shifts/{shift_id}/close"]["shift_id"]
            h.client.post(f"/api/shifts/{close}/close", json={}, headers=h.login("lead1"))
        variants = [(v, body) for v in _variants(query)] if query else []
        variants += [(query, v) for v in _variants(body)] if body is not None else []
        for variant_query, variant_body in variants:
            variant_body = _renewed(variant_body, ids)
            case = operation.Case(path_parameters=pins.get(operation.path), query=variant_query,
                                  body=NOT_SET if variant_body is None else variant_body)
            response, sent = _send(h, case, callers[who])
            sent_count += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=sent)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"== {operation.label} as {who}: query {variant_query!r} body {variant_body!r}\n"
                                f"   {response.status_code} {response.text[:200]}\n   {str(exc).splitlines()[0]}")
    assert varied == set(bases)  # no base request left out by a path or method that changed
    assert not failures, f"{len(failures)} of {sent_count} requests failed:\n" + "\n".join(failures)
