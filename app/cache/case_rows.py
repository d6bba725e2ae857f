"""Between Case models and `cases` rows: the queue columns, the queue summary, and the rebase that
builds a display copy from the server snapshot plus the commands still waiting in the outbox."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable
from uuid import UUID

import msgspec

from app.cache.models import QueuedCommand
from app.cases import workflow
from app.cases.case import Case, Location
from app.cases.summary import CaseSummary
from app.platform import fast_json
from app.platform.enums import Priority, Source, Stage, Status

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

# Direct dict look-ups: calling the enum class costs several times more per row.
_STATUS = {s.value: s for s in Status}
_PRIORITY = {p.value: p for p in Priority}
_SOURCE = {s.value: s for s in Source}
_STAGE = {s.value: s for s in Stage}
_STAGE[None] = None  # type: ignore[index]
_fromiso = datetime.fromisoformat

SUMMARY_COLUMNS = ("id", "number", "provisional_number", "status", "priority", "category_code", "unit_id",
                   "grid_code", "lat", "lon", "source", "created_at", "updated_at", "due_at", "stage",
                   "escalation_level", "return_count", "pending", "server_version")


def case_columns(display: Case) -> dict[str, Any]:
    """The queue columns of a case, taken from its display copy."""
    return {
        "number": display.number,
        "provisional_number": display.provisional_number,
        "status": display.status.value,
        "priority": display.priority.value,
        "category_code": display.category_code,
        "unit_id": display.unit_id,
        "grid_code": display.location.grid_code,
        "lat": display.location.lat,
        "lon": display.location.lon,
        "source": display.source.value,
        "created_at": display.created_at,
        "updated_at": display.updated_at,
        "due_at": display.due_at,
        "stage": display.stage.value if display.stage else None,
        "escalation_level": display.escalation_level,
        "return_count": display.return_count,
    }


# Two marks read from the display copy as it is written, so that the docks' lists read a few rows by a
# partial index instead of parsing every case's JSON after every change: `tasks`, it holds a co-task or an
# on-site check (where an open task can be, besides a case in verification: `app.cache.task_rows`);
# `lead_work`, it holds an extension request or a planned resume, or was sent back for rework (where a shift
# lead's work can be, besides an escalated case: `app.cache.lead_work`).
ROW_COLUMNS = SUMMARY_COLUMNS + ("server_data", "data", "tasks", "lead_work")
# One upsert for every write of `cases`, run through plain sqlite3 executemany (no per-row SQLAlchemy
# parameter processing). Rows are tuples in ROW_COLUMNS order, already in their stored form.
UPSERT_ROWS_SQL = (f"INSERT INTO cases ({', '.join(ROW_COLUMNS)}) VALUES ({', '.join('?' * len(ROW_COLUMNS))}) "
                   f"ON CONFLICT(id) DO UPDATE SET "
                   + ", ".join(f"{c}=excluded.{c}" for c in ROW_COLUMNS if c != "id"))

_UTC = timezone.utc


def stored_time(value: datetime | None) -> str | None:
    """A datetime as `UtcTimestamp` stores it (fixed-width UTC ISO-8601 text)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} (cache times must carry a zone)")
    return value.astimezone(_UTC).isoformat(timespec="microseconds")


def dumps(data: Any) -> str:
    return fast_json.dumps(data)  # most of an initial sync's Python time was json.dumps here


def case_row(display: Case, server: Case | None, pending: bool) -> tuple:
    """A `cases` row in ROW_COLUMNS order. `server_data` is NULL when the server snapshot is the display
    copy itself (no pending commands): the JSON is stored once, and readers take `data` then."""
    location = display.location
    stage = display.stage
    same = display is server
    return (str(display.id), display.number, display.provisional_number, display.status.value,
            display.priority.value, display.category_code, display.unit_id, location.grid_code, location.lat,
            location.lon, display.source.value, stored_time(display.created_at), stored_time(display.updated_at),
            stored_time(display.due_at), stage.value if stage else None, display.escalation_level,
            display.return_count, 1 if pending else 0, server.version if server else None,
            None if same or server is None else server.model_dump_json(), display.model_dump_json(),
            1 if display.co_tasks or display.check is not None else 0,
            1 if display.extension is not None or display.resume_at is not None or display.rework_count else 0)


# ---------------------------------------------------------------------- the feed's fast path

_CASE_FIELDS = frozenset(Case.model_fields)
_LOCATION_FIELDS = frozenset(Location.model_fields)
_REQUIRED = tuple(name for name, field in Case.model_fields.items() if field.is_required())
_GRID = re.compile(r"\d{14}")


class BadCase(ValueError):
    """A case of the feed that does not have the shape of a Case."""


def _time(data: dict, key: str, required: bool) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise BadCase(f"{key} is missing")
        return None
    if not isinstance(value, str):
        raise BadCase(f"{key} is not a timestamp: {value!r}")
    return _stored_text(key, value)


def _stored_text(key: str, value: str) -> str:
    """A feed timestamp's text in the stored form (`stored_time`); BadCase for anything else."""
    try:
        parsed = _fromiso(value)
    except ValueError:
        raise BadCase(f"{key} is not a timestamp: {value!r}") from None
    tz = parsed.tzinfo
    if tz is None:
        raise BadCase(f"{key} has no time zone: {value!r}")
    if tz is _UTC and len(value) == 27 and value[26] == "Z" and value[10] == "T" and value[19] == ".":
        return value[:26] + "+00:00"  # pydantic's UTC form "…T01:02:03.456789Z": only the suffix differs
    return parsed.astimezone(_UTC).isoformat(timespec="microseconds")


def _opt_str(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise BadCase(f"{key} is not a string: {value!r}")
    return value


def _int(data: dict, key: str) -> int:
    value = data.get(key, 0)
    if type(value) is not int:
        raise BadCase(f"{key} is not an integer: {value!r}")
    return value


def _number(location: dict, key: str, limit: float) -> float:
    value = location.get(key)
    if type(value) not in (float, int) or not -limit <= value <= limit:
        raise BadCase(f"location.{key} is not a coordinate: {value!r}")
    return value


def feed_row(data: Any) -> tuple[UUID, int, tuple]:
    """(id, version, row) for a feed snapshot stored as it came: the queue columns are read straight from
    the dict, checked for the keys and types they need (BadCase otherwise) instead of a full Case
    validation, and the JSON is serialised once (`server_data` NULL: same as `data`)."""
    if not isinstance(data, dict):
        raise BadCase(f"not an object: {type(data).__name__}")
    unknown = data.keys() - _CASE_FIELDS
    if unknown:
        raise BadCase(f"unknown fields {sorted(unknown)}")
    missing = [name for name in _REQUIRED if name not in data]
    if missing:
        raise BadCase(f"missing fields {missing}")
    try:
        case_id = UUID(data["id"])
    except (TypeError, ValueError, AttributeError):
        raise BadCase(f"id is not a UUID: {data['id']!r}") from None
    try:
        status, priority, source = _STATUS[data["status"]], _PRIORITY[data["priority"]], _SOURCE[data["source"]]
        stage = _STAGE[data.get("stage")]
    except (KeyError, TypeError) as exc:
        raise BadCase(f"unknown status, priority, source or stage: {exc}") from None
    location = data["location"]
    if not isinstance(location, dict):
        raise BadCase(f"location is not an object: {location!r}")
    if location.keys() - _LOCATION_FIELDS:
        raise BadCase(f"unknown location fields {sorted(location.keys() - _LOCATION_FIELDS)}")
    grid_code = _opt_str(location, "grid_code")
    if grid_code is not None and not _GRID.fullmatch(grid_code):
        raise BadCase(f"location.grid_code is not 14 digits: {grid_code!r}")
    category_code = data["category_code"]
    if not isinstance(category_code, str) or not isinstance(data["description"], str):
        raise BadCase("category_code and description must be strings")
    if not isinstance(data.get("events", ()), list):
        raise BadCase("events is not a list")
    version = _int(data, "version")
    row = (str(case_id), _opt_str(data, "number"), _opt_str(data, "provisional_number"), status.value,
           priority.value, category_code, _opt_str(data, "unit_id"), grid_code, _number(location, "lat", 90),
           _number(location, "lon", 180), source.value, _time(data, "created_at", True),
           _time(data, "updated_at", True), _time(data, "due_at", False), stage.value if stage else None,
           _int(data, "escalation_level"), _int(data, "return_count"), 0, version, None, dumps(data),
           1 if data.get("co_tasks") or isinstance(data.get("check"), dict) else 0,
           1 if data.get("extension") is not None or data.get("resume_at") is not None or data.get("rework_count")
           else 0)
    return case_id, version, row


# ---------------------------------------------------------------------- the same, from the case's JSON text

def _head_struct() -> type:
    """A msgspec struct with every field of `Case` (so an unknown field is refused, as `feed_row` refuses
    it), typed where the queue columns are read and left as raw JSON elsewhere (passed over, not built)."""
    typed: dict[str, Any] = {
        "id": str, "number": str | None, "provisional_number": str | None, "status": str, "priority": str,
        "source": str, "stage": str | None, "category_code": str, "description": str, "unit_id": str | None,
        "location": _LocationHead, "created_at": str, "updated_at": str, "due_at": str | None,
        "escalation_level": int, "return_count": int, "rework_count": int, "version": int}
    fields = []
    for name, field in Case.model_fields.items():
        kind = typed.get(name, msgspec.Raw)
        # a field with a default: absent is fine (its value is read as None, or 0 for the counters)
        fields.append((name, kind) if field.is_required() else (name, kind, 0 if kind is int else None))
    return msgspec.defstruct("CaseHead", fields, kw_only=True, forbid_unknown_fields=True)


class _LocationHead(msgspec.Struct, forbid_unknown_fields=True):
    lat: float
    lon: float
    address: msgspec.Raw = msgspec.Raw()
    grid_code: str | None = None


_HEAD = msgspec.json.Decoder(_head_struct())
# The id as `str(UUID)` writes it: a server's ids come in this form, and formatting them again cost an initial
# sync more Python time than the regex (`UUID.__str__` is pure Python).
_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def text_feed_row(text: str) -> tuple[UUID, int, tuple]:
    """`feed_row` for a case still in the JSON text it came as (`app.wire.feed_decode.CaseText`): the queue
    columns are decoded from the text by msgspec, checked as `feed_row` checks them, and the text itself is
    stored, never parsed into dicts and written again."""
    try:
        head = _HEAD.decode(text)
    except msgspec.DecodeError as exc:  # ValidationError included: a missing, unknown or mistyped field
        raise BadCase(str(exc)) from None
    text_id = head.id
    try:
        case_id = UUID(text_id)
    except ValueError:
        raise BadCase(f"id is not a UUID: {text_id!r}") from None
    if not _CANONICAL_ID.fullmatch(text_id):  # stored in the canonical form, as `str(UUID)` writes it
        text_id = str(case_id)
    status, priority, source, stage = head.status, head.priority, head.source, head.stage
    if status not in _STATUS or priority not in _PRIORITY or source not in _SOURCE or stage not in _STAGE:
        raise BadCase(f"unknown status, priority, source or stage: {status!r}, {priority!r}, {source!r}, {stage!r}")
    location = head.location
    grid_code = location.grid_code
    if grid_code is not None and not _GRID.fullmatch(grid_code):
        raise BadCase(f"location.grid_code is not 14 digits: {grid_code!r}")
    if not (-90 <= location.lat <= 90 and -180 <= location.lon <= 180):
        raise BadCase(f"location is not a coordinate: {location.lat!r}, {location.lon!r}")
    events = head.events
    if events is not None and memoryview(events)[:1] != b"[":
        raise BadCase("events is not a list")
    due_at = head.due_at
    # the enums' values are the texts themselves (checked above): stored as they came
    row = (text_id, head.number, head.provisional_number, status, priority, head.category_code,
           head.unit_id, grid_code, location.lat, location.lon, source,
           _stored_text("created_at", head.created_at), _stored_text("updated_at", head.updated_at),
           None if due_at is None else _stored_text("due_at", due_at), stage,
           head.escalation_level, head.return_count, 0, head.version, None, text,
           1 if _holds_tasks(head.co_tasks, head.check) else 0,
           1 if _given(head.extension) or _given(head.resume_at) or head.rework_count else 0)
    return case_id, head.version, row


_JSON_SPACE = b" \t\r\n"


def _holds_tasks(co_tasks: msgspec.Raw | None, check: msgspec.Raw | None) -> bool:
    """`case_row`'s `tasks` from the raw JSON of the two fields: a co-task list that is not empty, or a check
    that is an object."""
    if co_tasks is not None and bytes(co_tasks).translate(None, _JSON_SPACE) not in (b"[]", b"null"):
        return True
    return check is not None and bytes(check).lstrip(_JSON_SPACE)[:1] == b"{"


def _given(raw: msgspec.Raw | None) -> bool:
    """Whether a field's raw JSON is there and not null."""
    return raw is not None and bytes(raw).strip(_JSON_SPACE) != b"null"


SUMMARY_SELECT = f"SELECT {', '.join(SUMMARY_COLUMNS)} FROM cases"


def _code_sql(column: str, enum) -> str:
    """`column`'s text as the member's position in `enum` (NULL for anything else)."""
    return f"CASE {column} " + " ".join(f"WHEN '{m.value}' THEN {i}" for i, m in enumerate(enum)) + " END"


def _micros_sql(column: str) -> str:
    """A stored time (fixed-width "2026-11-23T02:00:00.000000+00:00") as integer microseconds since the
    epoch, computed by SQLite (exact; NULL for NULL). A text of another form gives -1 and is read again
    in full by the caller (`COLUMN_TEXT_SQL`)."""
    return (f"CASE WHEN {column} IS NULL THEN NULL WHEN length({column}) = 32 AND substr({column}, 27) = '+00:00' "
            f"THEN unixepoch(substr({column}, 1, 19)) * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER) "
            f"ELSE -1 END")  # unixepoch(): SQLite 3.38+; older ones raise, and the caller reads plain rows


# The queue's numpy columns read the summary columns with the enums as codes and the times as integer
# microseconds (`app.cases.queue_rows.RowBatch.from_coded_rows`): SQLite does per row in C what Python
# would do per value. Same column order as SUMMARY_COLUMNS.
CODED_SUMMARY_SELECT = ("SELECT id, number, provisional_number, " + _code_sql("status", Status) + ", "
                        + _code_sql("priority", Priority) + ", category_code, unit_id, grid_code, lat, lon, "
                        + _code_sql("source", Source) + ", " + ", ".join(_micros_sql(c) for c in
                                                                        ("created_at", "updated_at", "due_at"))
                        + ", " + _code_sql("stage", Stage)
                        + ", escalation_level, return_count, pending, server_version FROM cases")
# Whole-queue reads name the covering index: without statistics SQLite would scan the wide table.
BY_SUMMARY_INDEX = " INDEXED BY ix_cases_summary"
CODED_ALL_SQL = f"{CODED_SUMMARY_SELECT}{BY_SUMMARY_INDEX}"

# Every case's summary columns as one row of concatenations (ids back to back, texts joined by \x1f,
# numbers by ","), computed in a single sqlite3 step, which Python runs without the GIL: a reader thread
# takes them in while the GUI thread builds the window, instead of queueing for the GIL after every row
# (100,000 steps). NULL texts come as "", a NULL time as NO_TIME_SQL, a NULL stage or version as -1; a
# value the SQL cannot code drops out of its list, so the lists' lengths tell.
NO_TIME_SQL = -9223372036854775808
_TEXT, _NUM = "char(31)", "','"
SUMMARY_COLUMNS_SQL = (
    "SELECT count(*), group_concat(id, ''), "
    + ", ".join(f"group_concat(coalesce({c}, ''), {_TEXT})" for c in ("number", "provisional_number")) + ", "
    + ", ".join(f"group_concat({_code_sql(c, e)}, {_NUM})" for c, e in (("status", Status), ("priority", Priority)))
    + ", " + ", ".join(f"group_concat(coalesce({c}, ''), {_TEXT})" for c in ("category_code", "unit_id", "grid_code"))
    + ", " + ", ".join(f"group_concat(printf('%!.17g', {c}), {_NUM})" for c in ("lat", "lon"))
    + f", group_concat({_code_sql('source', Source)}, {_NUM}), "
    + ", ".join(f"group_concat(coalesce({_micros_sql(c)}, {NO_TIME_SQL}), {_NUM})"
                for c in ("created_at", "updated_at", "due_at"))
    + f", group_concat(coalesce({_code_sql('stage', Stage)}, -1), {_NUM}), "
    + ", ".join(f"group_concat({c}, {_NUM})" for c in ("escalation_level", "return_count", "pending"))
    + f", group_concat(coalesce(server_version, -1), {_NUM}) FROM cases{BY_SUMMARY_INDEX}")
ALL_SUMMARIES_SQL = f"{SUMMARY_SELECT}{BY_SUMMARY_INDEX}"


def summary_from_raw(raw: tuple) -> CaseSummary:
    """A queue row from a raw sqlite3 tuple (SQLAlchemy's per-value processing skipped on purpose)."""
    (id_, number, provisional, status, priority, category, unit_id, grid_code, lat, lon, source, created_at,
     updated_at, due_at, stage, escalation_level, return_count, pending, server_version) = raw
    return CaseSummary(UUID(id_), number, provisional, _STATUS[status], _PRIORITY[priority], category, unit_id,
                       grid_code, lat, lon, _SOURCE[source], _fromiso(created_at), _fromiso(updated_at),
                       _fromiso(due_at) if due_at else None, _STAGE[stage], escalation_level, return_count,
                       bool(pending), server_version)


def rebase(server: Case | None, queued: Iterable[QueuedCommand], refdata: RefData | None) -> Case | None:
    """The display copy: the server snapshot with the queued commands re-applied in issue order.

    A command already in the snapshot's history (the server applied it, its answer is still on the way)
    is not applied twice. A command that no longer applies locally is left out of the display but stays
    queued: the server is the authority and will accept or refuse it. Without reference data (a freshly
    rebuilt cache) the snapshot is shown as it is."""
    case = server
    if refdata is None:
        return case
    applied = {e.command_id for e in server.events} if server else set()
    for item in queued:
        if item.command.command_id in applied:
            continue
        try:
            case = workflow.apply(case, item.command, item.actor, refdata, item.command.issued_at)
        except workflow.WorkflowError as exc:
            log.info("queued command %s (%s on case %s) no longer applies locally: %s; it stays queued for "
                     "the server to decide", item.command.command_id, item.command.action,
                     item.command.case_id, exc.message)
    return case
