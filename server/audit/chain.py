"""The server's audit trail: an append-only, tamper-evident chain of every action.

Every action the server answers — each command (accepted or rejected), each login (ok or failed), the
emergency-mode switch, account changes and reference-data imports, and the features' own actions — is
appended to `audit_log` by `record(...)`, inside the action's own transaction, as its last statement.

Appending (cheap: one UPDATE of the head row and one INSERT, no SELECT): the single `audit_head` row holds
the last entry's number and hash. `UPDATE audit_head SET seq = seq + 1, prev_hash = hash, hash = <the new
entry's hash computed by the database from the old head> RETURNING seq, prev_hash, hash` takes the head's
row lock, held until commit, so concurrent transactions on any number of server processes append one
after the other in commit order — one chain, no fork, no gap; a rolled-back transaction gives its number
back. The entry row is inserted with the returned values: on PostgreSQL in the same statement (`WITH h AS
(UPDATE …) INSERT … SELECT … FROM h`, one round trip), on SQLite as a second statement. Lock order: a
transaction takes the feed counter (`server.feed.record.record_change`) before the audit head, never the other
way round.

## The canonical form (for an auditor re-computing the chain)

    hash(entry) = lowercase hex SHA-256 of the UTF-8 bytes of
        "onegrid-audit-1:" + str(seq) + ":" + prev_hash + ":" + body
    body = JSON of these twelve fields, keys sorted, separators "," and ":" (no spaces), non-ASCII
           characters as themselves (json.dumps(..., sort_keys=True, separators=(",", ":"),
           ensure_ascii=False)):
        action, actor, at, client_time, console_id, detail, entity_id, entity_kind, offline, reason,
        result, role
    times (`at`, `client_time`) as UTC text "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always 6 fraction digits),
    absent values as null, `offline` as true/false, `detail` as stored (a JSON object or null).

Entry 1's prev_hash is 64 zeros; entry N's prev_hash is entry N-1's hash. `entry_hash()` below is the
reference implementation, and `verify_chain()` recomputes every entry with it. (The database computes
the same string at append time: PostgreSQL with `sha256()`, SQLite with a function the server registers
on each connection, see `server.platform.database`.)

## What tamper-evidence protects against, and what it does not

- Editing any field of an entry, deleting an entry, or inserting one is detected by `onegrid-ctl audit
  verify` (hash mismatch, gap in sequence, broken link), naming the first broken entry.
- On PostgreSQL, triggers refuse UPDATE / DELETE / TRUNCATE of `audit_log`, and any change of
  `audit_head` other than one entry forward; the application has no UPDATE or DELETE path at all.
- Cutting off the newest entries is detected while `audit_head` still names the real last entry
  (verify compares the chain's end with the head).
- NOT protected: someone with full database rights (a DBA) can drop the triggers, rewrite the tail of
  the chain with consistent hashes and move the head along. The chain cannot show that by itself; only a
  head recorded outside the database can: `onegrid-ctl audit head` prints `SEQ:HASH` — write it into the
  shift report, a ticket or another system regularly — and `audit verify --expect-head SEQ:HASH` checks
  that that entry is still in the chain with that hash. Nor does the chain prove that an action which
  was never recorded happened (e.g. a direct SQL write to `cases` that bypasses the server).
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from db.audit import GENESIS_HASH, AuditEntryRow, AuditHeadRow
from server.platform import request_context
from server.platform.database import dialect_insert

log = logging.getLogger(__name__)

HASH_PREFIX = "onegrid-audit-1:"
HASHED_FIELDS = ("action", "actor", "at", "client_time", "console_id", "detail", "entity_id", "entity_kind",
                 "offline", "reason", "result", "role")
# Column widths (db.audit): longer values are cut before hashing, so what is stored is what is hashed.
_WIDTHS = {"actor": 64, "role": 32, "console_id": 64, "action": 64, "entity_kind": 32, "entity_id": 128,
           "result": 16, "reason": 200}
VERIFY_PAGE = 5000

_entries = AuditEntryRow.__table__
_head = AuditHeadRow.__table__


# ---- the canonical form -----------------------------------------------------------------------------

def time_text(value: datetime | None) -> str | None:
    """A time in the canonical form: UTC, microseconds, `Z` (years below 1000 zero-padded)."""
    if value is None:
        return None
    u = value.astimezone(timezone.utc)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (u.year, u.month, u.day, u.hour, u.minute, u.second,
                                                    u.microsecond)


def canonical_body(fields: dict[str, Any]) -> str:
    """The JSON text of an entry's hashed fields (see the module docstring)."""
    data = {name: fields.get(name) for name in HASHED_FIELDS}
    data["at"] = time_text(data["at"])
    data["client_time"] = time_text(data["client_time"])
    data["offline"] = bool(data["offline"])
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(seq: int, prev_hash: str, body: str) -> str:
    return hashlib.sha256(f"{HASH_PREFIX}{seq}:{prev_hash}:{body}".encode("utf-8")).hexdigest()


# ---- appending ----------------------------------------------------------------------------------------

def record(session: Session, *, at: datetime, actor: str | None, role: str | None, action: str,
           entity_kind: str, entity_id: str, result: str, reason: str | None = None,
           console_id: str | None = None, client_time: datetime | None = None, offline: bool = False,
           detail: dict[str, Any] | None = None) -> int:
    """Append one audit entry inside the caller's transaction and return its sequence number.

    Call it as the transaction's very last statement (after `server.feed.record.record_change`, never before:
    both take a row lock held to commit, and one order for all avoids deadlocks). `result` is
    "accepted" / "rejected" (commands) or "ok" / "failed" (logins and other actions), `reason` the
    machine-readable reason of a refusal.

    `at` (server time) must carry a zone. `client_time` is the console's clock and is never trusted: a
    naive, non-datetime or unrepresentable value is stored as null with its text in
    `detail["client_time_raw"]`, so a bad console clock never fails the action being audited."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"audit time {at.isoformat()} is naive (server times must carry a zone)")
    fields = entry_fields(at=at, actor=actor, role=role, action=action, entity_kind=entity_kind,
                          entity_id=entity_id, result=result, reason=reason, console_id=console_id,
                          client_time=client_time, offline=offline, detail=detail)
    body = canonical_body(fields)
    session.flush()  # the caller's pending rows go first: the head lock is taken last
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":  # one round trip: the head update feeds the insert (a data-modifying CTE)
        seq = session.execute(_pg_append(), {**fields, "body": body}).scalar()
        if seq is not None:
            return seq
    else:
        head = session.execute(_head_update(dialect), {"body": body}).one_or_none()
        if head is not None:
            session.execute(_INSERT, {**fields, "seq": head[0], "prev_hash": head[1], "hash": head[2]})
            return head[0]
    # No head row: a schema created without the migration (never after `upgrade`). Create it and retry.
    insert_ = dialect_insert(session)
    session.execute(insert_(_head).values(id=1, seq=0, prev_hash=GENESIS_HASH, hash=GENESIS_HASH)
                    .on_conflict_do_nothing(index_elements=[_head.c.id]))
    seq, prev_hash, hash_ = session.execute(_head_update(dialect), {"body": body}).one()
    session.execute(_INSERT, {**fields, "seq": seq, "prev_hash": prev_hash, "hash": hash_})
    return seq


def prepare_many(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entries` (each `record`'s keyword arguments) made ready for `record_many`: the stored fields and
    the canonical body, computed before the caller takes any lock."""
    prepared = []
    for entry in entries:
        at = entry["at"]
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"audit time {at.isoformat()} is naive (server times must carry a zone)")
        fields = entry_fields(**entry)
        prepared.append({**fields, "body": canonical_body(fields)})
    return prepared


def record_many(session: Session, prepared: list[dict[str, Any]]) -> None:
    """Append the entries of `prepare_many`, in list order, in the caller's transaction, as its last
    statements (a group of commands, `server.cases.group_commit`). On PostgreSQL one executemany
    (pipelined: one round trip), each entry still moving the head one entry forward, as the head's
    trigger demands; the first goes alone, creating the head row if a schema lacks it."""
    if not prepared:
        return
    dialect = session.get_bind().dialect.name
    session.flush()  # the caller's pending rows go first: the head lock is taken last
    if dialect != "postgresql":
        for fields in prepared:
            _append_one(session, dialect, fields)
        return
    if session.execute(_pg_append(), prepared[0]).scalar() is None:  # no head row: the long way creates it
        _append_one(session, dialect, prepared[0])
    if len(prepared) > 1:
        session.execute(_pg_append_many(), prepared[1:])


def _append_one(session: Session, dialect: str, fields: dict[str, Any]) -> None:
    """One prepared entry the long way (SQLite, or no head row yet)."""
    head = session.execute(_head_update(dialect), {"body": fields["body"]}).one_or_none()
    if head is None:
        session.execute(dialect_insert(session)(_head).values(id=1, seq=0, prev_hash=GENESIS_HASH, hash=GENESIS_HASH)
                        .on_conflict_do_nothing(index_elements=[_head.c.id]))
        head = session.execute(_head_update(dialect), {"body": fields["body"]}).one()
    row = {k: v for k, v in fields.items() if k != "body"}
    session.execute(_INSERT, {**row, "seq": head[0], "prev_hash": head[1], "hash": head[2]})


_PG_APPEND_MANY: list[Any] = []


def _pg_append_many():
    """`_pg_append` without its RETURNING, for an executemany."""
    if not _PG_APPEND_MANY:
        head = _head_update("postgresql").cte("h")
        values = [bindparam(name, type_=_entries.c[name].type) for name in _DATA_COLUMNS]
        _PG_APPEND_MANY.append(insert(_entries).from_select(["seq", *_DATA_COLUMNS, "prev_hash", "hash"],
                                                            select(head.c.seq, *values, head.c.prev_hash,
                                                                   head.c.hash)))
    return _PG_APPEND_MANY[0]


def entry_fields(*, at, actor, role, action, entity_kind, entity_id, result, reason=None, console_id=None,
                 client_time=None, offline=False, detail=None) -> dict[str, Any]:
    """The stored (and hashed) values: strings cut to their columns, times in UTC, detail as plain JSON."""
    stored_client_time, raw = _client_time(client_time)
    detail = _plain_json(detail)
    if raw is not None:
        detail = {**(detail if isinstance(detail, dict) else {"value": detail} if detail is not None else {}),
                  "client_time_raw": raw}
    rid = request_context.request_id.get()
    if rid is not None:  # the HTTP request it came from: its log lines carry the same id
        detail = {**(detail if isinstance(detail, dict) else {"value": detail} if detail is not None else {}),
                  "request_id": rid}
    fields = {"at": at.astimezone(timezone.utc), "client_time": stored_client_time, "actor": actor, "role": role,
              "console_id": console_id, "offline": bool(offline), "action": action, "entity_kind": entity_kind,
              "entity_id": entity_id, "result": result, "reason": reason, "detail": detail}
    for name, width in _WIDTHS.items():
        value = fields[name]
        if value is not None:
            value = str(value)
            fields[name] = value[:width]
    return fields


def _client_time(value: Any) -> tuple[datetime | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, datetime):
        return None, str(value)[:64]
    if value.tzinfo is None or value.utcoffset() is None:
        return None, value.isoformat()[:64]
    try:
        return value.astimezone(timezone.utc), None
    except (OverflowError, ValueError):  # e.g. 9999-12-31T23:00-05:00 is past datetime.max in UTC
        return None, value.isoformat()[:64]


def _plain_json(detail: Any) -> Any:
    """`detail` as it will read back from the JSON column (UUIDs, times… as strings), so the hash of the
    stored value is the hash computed now."""
    if detail is None:
        return None
    return json.loads(json.dumps(detail, default=str, allow_nan=False))


def _hash_sql(dialect: str, seq, prev_hash, body):
    text_ = literal(HASH_PREFIX, Text) + cast(seq, Text) + literal(":", Text) + prev_hash + literal(":", Text) + body
    if dialect == "postgresql":
        return func.encode(func.sha256(func.convert_to(text_, literal_column("'UTF8'"))), literal_column("'hex'"))
    return func.onegrid_sha256(text_)


_HEAD_UPDATES: dict[str, Any] = {}


def _head_update(dialect: str):
    stmt = _HEAD_UPDATES.get(dialect)
    if stmt is None:
        new_seq = _head.c.seq + 1
        stmt = (update(_head).where(_head.c.id == 1)
                .values(seq=new_seq, prev_hash=_head.c.hash,
                        hash=_hash_sql(dialect, new_seq, _head.c.hash, bindparam("body", type_=Text)))
                .returning(_head.c.seq, _head.c.prev_hash, _head.c.hash))
        _HEAD_UPDATES[dialect] = stmt
    return stmt


_INSERT = insert(_entries)
_DATA_COLUMNS = ("at", "client_time", "actor", "role", "console_id", "offline", "action", "entity_kind", "entity_id",
                 "result", "reason", "detail")
_PG_APPEND: list[Any] = []


def _pg_append():
    """`WITH h AS (UPDATE audit_head … RETURNING seq, prev_hash, hash) INSERT INTO audit_log SELECT h.seq,
    :at, …, h.prev_hash, h.hash FROM h RETURNING seq` — no row when the head row is missing."""
    if not _PG_APPEND:
        head = _head_update("postgresql").cte("h")
        values = [bindparam(name, type_=_entries.c[name].type) for name in _DATA_COLUMNS]
        stmt = (insert(_entries)
                .from_select(["seq", *_DATA_COLUMNS, "prev_hash", "hash"],
                             select(head.c.seq, *values, head.c.prev_hash, head.c.hash))
                .returning(_entries.c.seq))
        _PG_APPEND.append(stmt)
    return _PG_APPEND[0]


def pg_append_cte(gate, prefix: str):
    """`_pg_append` as a CTE of a larger PostgreSQL statement (`server.cases.commands`: a command's whole
    tail in one round trip). It appends only if the CTE `gate` yields a row, and reading `gate` first
    makes the statement take the locks `gate` takes (the feed counter) before the audit head's, the one
    order `record` keeps too. Its binds are the entry's fields named `prefix + field`
    (`pg_append_params`); the CTE yields the new `seq`, or no row when the head row is missing."""
    new_seq = _head.c.seq + 1
    head = (update(_head).where(_head.c.id == 1, select(literal(1)).select_from(gate).exists())
            .values(seq=new_seq, prev_hash=_head.c.hash,
                    hash=_hash_sql("postgresql", new_seq, _head.c.hash, bindparam(f"{prefix}body", type_=Text)))
            .returning(_head.c.seq, _head.c.prev_hash, _head.c.hash)).cte(f"{prefix}head")
    values = [bindparam(f"{prefix}{name}", type_=_entries.c[name].type) for name in _DATA_COLUMNS]
    return (insert(_entries)
            .from_select(["seq", *_DATA_COLUMNS, "prev_hash", "hash"],
                         select(head.c.seq, *values, head.c.prev_hash, head.c.hash))
            .returning(_entries.c.seq)).cte(f"{prefix}entry")


def pg_append_params(prefix: str, **entry: Any) -> dict[str, Any]:
    """The binds of `pg_append_cte` for an entry given as `record`'s keyword arguments (less the session)."""
    at = entry["at"]
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"audit time {at.isoformat()} is naive (server times must carry a zone)")
    fields = entry_fields(**entry)
    params = {f"{prefix}{name}": fields[name] for name in _DATA_COLUMNS}
    params[f"{prefix}body"] = canonical_body(fields)
    return params


# ---- reading and verifying ----------------------------------------------------------------------------

ENTRY_COLUMNS = ("seq", "at", "client_time", "actor", "role", "console_id", "offline", "action", "entity_kind",
                 "entity_id", "result", "reason", "detail", "prev_hash", "hash")


def entry_dict(row) -> dict[str, Any]:
    """An entry as JSON-ready values (times as ISO text)."""
    data = {name: getattr(row, name) for name in ENTRY_COLUMNS}
    data["at"] = data["at"].isoformat()
    data["client_time"] = data["client_time"].isoformat() if data["client_time"] is not None else None
    return data


def iter_entries(session_factory, *, after: int = 0, page: int = VERIFY_PAGE) -> Iterator[Any]:
    """Every entry after `after`, oldest first, read in keyset pages (bounded memory, short reads)."""
    columns = [_entries.c[name] for name in ENTRY_COLUMNS]
    while True:
        with session_factory() as session:
            rows = session.execute(select(*columns).where(_entries.c.seq > after)
                                   .order_by(_entries.c.seq).limit(page)).all()
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].seq


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def read_head(session: Session) -> Head | None:
    row = session.execute(select(_head.c.seq, _head.c.hash).where(_head.c.id == 1)).one_or_none()
    return Head(row.seq, row.hash) if row is not None else None


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    last: Head | None
    broken_seq: int | None = None
    problem: str | None = None

    def summary(self) -> str:
        if self.ok:
            if not self.entries:
                return "audit chain ok: no entries yet"
            return f"audit chain ok: {self.entries} entries, 1 … {self.last.seq}, head {self.last}"
        where = f"entry {self.broken_seq}" if self.broken_seq is not None else "chain end"
        return f"audit chain BROKEN at {where}: {self.problem} ({self.entries} entries before it are intact)"


def verify_chain(session_factory, *, expect_head: Head | None = None, page: int = VERIFY_PAGE) -> VerifyReport:
    """Walk the whole chain from entry 1, recomputing every hash; stop at the first broken entry.

    Checks, in this order for each entry: its number follows the previous one (else "gap in sequence"),
    its prev_hash is the previous entry's hash ("broken link"), its hash is the hash of its fields
    ("hash mismatch"). At the end, the last entry must be the one `audit_head` names (else the tail was
    cut or the head moved), and `expect_head`, a head recorded earlier, must still be in the chain."""
    with session_factory() as session:
        head = read_head(session)
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    expect_found = expect_head is None or expect_head.seq == 0
    last: Head | None = None

    def broken(seq: int | None, problem: str) -> VerifyReport:
        return VerifyReport(False, count, last, seq, problem)

    for row in iter_entries(session_factory, page=page):
        if row.seq != expected_seq:
            missing = (f"entry {expected_seq} is missing" if row.seq == expected_seq + 1
                       else f"entries {expected_seq} … {row.seq - 1} are missing")
            return broken(row.seq, f"gap in sequence: {missing}")
        if row.prev_hash != prev_hash:
            return broken(row.seq, f"broken link: prev_hash {row.prev_hash} is not the hash of entry "
                                   f"{row.seq - 1} ({prev_hash})")
        computed = entry_hash(row.seq, row.prev_hash, canonical_body(row._mapping))
        if computed != row.hash:
            return broken(row.seq, f"hash mismatch: stored {row.hash}, computed {computed} "
                                   f"(a field of this entry was changed)")
        if expect_head is not None and row.seq == expect_head.seq:
            if row.hash != expect_head.hash:
                return broken(row.seq, f"the recorded head {expect_head} does not match: entry {row.seq} now "
                                       f"has hash {row.hash} (the chain was rewritten from here or earlier)")
            expect_found = True
        count += 1
        last = Head(row.seq, row.hash)
        expected_seq, prev_hash = row.seq + 1, row.hash
    end = last or Head(0, GENESIS_HASH)
    if head is None:
        return broken(None, "the audit_head row is missing")
    if head.seq != end.seq or head.hash != end.hash:
        if head.seq > end.seq:
            return broken(end.seq + 1, f"the chain ends at entry {end.seq} but the head names entry {head.seq}: "
                                       f"entries {end.seq + 1} … {head.seq} were removed (tail cut)")
        return broken(None, f"the chain ends at {end} but the head says {head} (the head was changed)")
    if not expect_found:
        return broken(expect_head.seq, f"the recorded head {expect_head} is past the chain's end at entry "
                                       f"{end.seq} (tail cut and head moved back)")
    return VerifyReport(True, count, last)


def parse_head(text: str) -> Head:
    """`SEQ:HASH` as printed by `onegrid-ctl audit head`; ValueError saying what is wrong otherwise."""
    seq_text, sep, hash_ = text.strip().partition(":")
    if not sep or not seq_text.isdigit() or len(hash_) != 64 or any(c not in "0123456789abcdef" for c in hash_):
        raise ValueError(f"a head is SEQ:HASH (a number, a colon, 64 lowercase hex digits), not {text!r}")
    return Head(int(seq_text), hash_)
