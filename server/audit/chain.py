"""The server's audit trail: append-only, tamper-evident chains of every action, one per city.

Every action the server answers — each command (accepted or rejected), each login (ok or failed), the
emergency-mode switch, account changes and reference-data imports, and the features' own actions — is
appended to `audit_log` by `record(...)`, inside the action's own transaction, as its last statement.

## Chains

The trail is one chain per city and the platform chain. An entry about a case goes to its city's chain
(`chain`: the first 4 digits of the street the transaction just wrote in `cases`, the case's feed partition,
`app.platform.feed_partition`); every other entry — logins, accounts, reference data, settings, sensors,
a command naming no existing case — to the platform chain (`chain` ''). A caller may name the chain
(`record(..., chain=…)`). Each chain is numbered 1, 2, 3, … without gap and linked by hashes on its own,
so two cities' commands never wait on one row. The chain before chains (one chain, every entry) became
the platform chain unchanged (migration 0026): its entries hash exactly as before, so they still verify,
and its head continues it.

Appending (cheap: one UPDATE of the chain's head row and one INSERT, no SELECT): the chain's `audit_head`
row holds its last entry's number and hash. `UPDATE audit_head SET seq = seq + 1, prev_hash = hash, hash =
<the new entry's hash computed by the database from the old head> WHERE chain = <the entry's chain>
RETURNING chain, seq, prev_hash, hash` takes that head's row lock, held until commit, so concurrent
transactions on any number of server processes append to one chain one after the other in commit order —
no fork, no gap; a rolled-back transaction gives its number back. The entry row is inserted with the
returned values: on PostgreSQL in the same statement (`WITH h AS (UPDATE …) INSERT … SELECT … FROM h`, one
round trip), on SQLite as a second statement. A chain's head row is created at its first entry.

Lock order (deadlock-free): a transaction takes the feed counters (`server.feed.record.record_change`:
cities' before the global one) before any audit head, never the other way round; and when it appends to
several chains, it takes their heads in one order: cities by code, the platform chain last (`record_many`
sorts its entries so; a caller of `record` twice in one transaction keeps that order).

## The canonical form (for an auditor re-computing a chain)

    hash(entry) = lowercase hex SHA-256 of the UTF-8 bytes of
        "onegrid-audit-1:" + label + ":" + prev_hash + ":" + body
    label = str(seq) on the platform chain; chain + "@" + str(seq) on a city's chain (e.g. "3301@17")
    body = JSON of these twelve fields, keys sorted, separators "," and ":" (no spaces), non-ASCII
           characters as themselves (json.dumps(..., sort_keys=True, separators=(",", ":"),
           ensure_ascii=False)):
        action, actor, at, client_time, console_id, detail, entity_id, entity_kind, offline, reason,
        result, role
    times (`at`, `client_time`) as UTC text "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always 6 fraction digits),
    absent values as null, `offline` as true/false, `detail` as stored (a JSON object or null).

The chain is in the hashed string, so an entry moved to another chain no longer verifies; the platform
chain's label is the number alone, which is the form every entry had before chains. A chain's entry 1 has
the prev_hash of 64 zeros; entry N's prev_hash is entry N-1's hash in the same chain. `entry_hash()` below
is the reference implementation, and `server.audit.verify` recomputes every entry with it. (The database
computes the same string at append time: PostgreSQL with `sha256()`, SQLite with a function the server
registers on each connection, see `server.platform.database`.)

## What tamper-evidence protects against, and what it does not

- Editing any field of an entry, deleting an entry, moving it to another chain or inserting one is detected
  by `onegrid-ctl audit verify` (hash mismatch, gap in sequence, broken link), naming the chain and its
  first broken entry.
- On PostgreSQL, triggers refuse UPDATE / DELETE / TRUNCATE of `audit_log`, any change of a head other
  than one entry forward in its chain, and a new head that does not start at the genesis; the application
  has no UPDATE or DELETE path at all.
- Cutting off a chain's newest entries is detected while its head still names the real last entry (verify
  compares each chain's end with its head).
- NOT protected: someone with full database rights (a DBA) can drop the triggers, rewrite the tail of a
  chain with consistent hashes and move its head along, or drop a city's whole chain with its head. The
  chains cannot show that by themselves; only heads recorded outside the database can: `onegrid-ctl audit
  head` prints every chain's head (`SEQ:HASH` for the platform chain, `CITY@SEQ:HASH` for a city's) —
  write them into the shift report, a ticket or another system regularly — and `audit verify
  --expect-head HEAD` (repeatable) checks that each is still in its chain with that hash. Nor does a chain
  prove that an action which was never recorded happened (e.g. a direct SQL write to `cases` that bypasses
  the server).
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    String,
    Text,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from app.platform import fast_json
from db.audit import GENESIS_HASH, PLATFORM_CHAIN, AuditEntryRow, AuditHeadRow
from db.cases import CaseRow
from server.platform import request_context
from server.platform.database import dialect_insert

log = logging.getLogger(__name__)

HASH_PREFIX = "onegrid-audit-1:"
HASHED_FIELDS = ("action", "actor", "at", "client_time", "console_id", "detail", "entity_id", "entity_kind",
                 "offline", "reason", "result", "role")
CASE_KIND = "case"  # the entity kind of a command's entry: its case's city names the chain
CITY_DIGITS = 4
# Column widths (db.audit): longer values are cut before hashing, so what is stored is what is hashed.
_WIDTHS = {"actor": 64, "role": 32, "console_id": 64, "action": 64, "entity_kind": 32, "entity_id": 128,
           "result": 16, "reason": 200}

_entries = AuditEntryRow.__table__
_head = AuditHeadRow.__table__
_cases = CaseRow.__table__


# ---- the canonical form -----------------------------------------------------------------------------

def time_text(value: datetime | None) -> str | None:
    """A time in the canonical form: UTC, microseconds, `Z` (years below 1000 zero-padded)."""
    if value is None:
        return None
    u = value.astimezone(timezone.utc)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (u.year, u.month, u.day, u.hour, u.minute, u.second,
                                                    u.microsecond)


# json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False), built once
CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_body(fields: dict[str, Any]) -> str:
    """The JSON text of an entry's hashed fields (see the module docstring)."""
    data = {name: fields.get(name) for name in HASHED_FIELDS}
    data["at"] = time_text(data["at"])
    data["client_time"] = time_text(data["client_time"])
    data["offline"] = bool(data["offline"])
    return CANONICAL_JSON.encode(data)


def seq_label(chain: str, seq: int) -> str:
    """An entry's number as hashed: the number alone on the platform chain, `CITY@N` on a city's."""
    return f"{chain}@{seq}" if chain else str(seq)


def entry_hash(seq: int, prev_hash: str, body: str, chain: str = PLATFORM_CHAIN) -> str:
    return hashlib.sha256(f"{HASH_PREFIX}{seq_label(chain, seq)}:{prev_hash}:{body}".encode("utf-8")).hexdigest()


def chain_of_street(jurisdiction: str | None) -> str:
    """The chain of an entry about a case in `jurisdiction` (a street code; None: the platform chain)."""
    return jurisdiction[:CITY_DIGITS] if jurisdiction else PLATFORM_CHAIN


def valid_chain(name: str) -> bool:
    """A chain's name as stored: '' (the platform chain) or a city's 4 digits."""
    return name == PLATFORM_CHAIN or (len(name) == CITY_DIGITS and name.isdigit())


# ---- appending ----------------------------------------------------------------------------------------

def record(session: Session, *, at: datetime, actor: str | None, role: str | None, action: str,
           entity_kind: str, entity_id: str, result: str, reason: str | None = None,
           console_id: str | None = None, client_time: datetime | None = None, offline: bool = False,
           detail: dict[str, Any] | None = None, chain: str | None = None) -> int:
    """Append one audit entry inside the caller's transaction and return its sequence number in its chain.

    Call it as the transaction's very last statement (after `server.feed.record.record_change`, never before:
    both take a row lock held to commit, and one order for all avoids deadlocks). `result` is
    "accepted" / "rejected" (commands) or "ok" / "failed" (logins and other actions), `reason` the
    machine-readable reason of a refusal. `chain`: None for the entry's own (its case's city, else the
    platform chain; the module docstring).

    `at` (server time) must carry a zone. `client_time` is the console's clock and is never trusted: a
    naive, non-datetime or unrepresentable value is stored as null with its text in
    `detail["client_time_raw"]`, so a bad console clock never fails the action being audited."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"audit time {at.isoformat()} is naive (server times must carry a zone)")
    fields = entry_fields(at=at, actor=actor, role=role, action=action, entity_kind=entity_kind,
                          entity_id=entity_id, result=result, reason=reason, console_id=console_id,
                          client_time=client_time, offline=offline, detail=detail)
    fields.update(chain_params(entity_kind, entity_id, chain))
    fields["body"] = canonical_body(fields)
    session.flush()  # the caller's pending rows go first (the case's street too): the head lock is taken last
    if session.get_bind().dialect.name == "postgresql":  # one round trip: the head update feeds the insert
        seq = session.connection().exec_driver_sql(*_pg_append_text(session, fields)).scalar()
        if seq is not None:
            return seq
    return _append_one(session, fields)


def _pg_append_text(session: Session, fields: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`_pg_append` as its SQL text (compiled once) and its binds, for the driver as they are: executed as a
    statement, its cache key (the whole statement walked on every execution) and the binds' type processing
    took about as long as the append's own work in the database. The binds are what the types would have
    made of them: times already in UTC (`entry_fields`), `detail` as the engine writes JSON."""
    compiled = _STATEMENTS.get("one_text")
    if compiled is None:
        compiled = _STATEMENTS["one_text"] = _pg_append().compile(dialect=session.get_bind().dialect)
    detail = fields["detail"]
    return compiled.string, {**compiled.params, **fields,
                             "detail": fast_json.dumps(detail) if detail is not None else None}


def chain_params(entity_kind: str, entity_id: str, chain: str | None = None) -> dict[str, Any]:
    """The binds naming an entry's chain: `chain` when the caller names it, else its case (the database
    reads the case's street in the same statement)."""
    if chain is not None and not valid_chain(chain):
        raise ValueError(f"audit chain {chain!r} is neither '' (the platform) nor a city's 4 digits")
    return {"audit_chain": chain, "audit_case": _case_id(entity_kind, entity_id) if chain is None else None}


def _case_id(entity_kind: str, entity_id: Any) -> uuid.UUID | None:
    if entity_kind != CASE_KIND or not entity_id:
        return None
    try:
        return entity_id if isinstance(entity_id, uuid.UUID) else uuid.UUID(str(entity_id))
    except ValueError:  # a refused command's malformed case id: no city
        return None


def prepare_many(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entries` (each `record`'s keyword arguments) made ready for `record_many`: the stored fields, the
    chain's binds and the canonical body, computed before the caller takes any lock."""
    prepared = []
    for entry in entries:
        entry = dict(entry)
        at = entry["at"]
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"audit time {at.isoformat()} is naive (server times must carry a zone)")
        chain = entry.pop("chain", None)
        fields = entry_fields(**entry)
        prepared.append({**fields, **chain_params(fields["entity_kind"], fields["entity_id"], chain),
                         "body": canonical_body(fields)})
    return prepared


def record_many(session: Session, prepared: list[dict[str, Any]]) -> None:
    """Append the entries of `prepared_many` in the caller's transaction, as its last statements (a group of
    commands, `server.cases.group_commit`): each chain's in list order, the chains in the lock order (cities
    by code, the platform last). On PostgreSQL one executemany per chain (pipelined: one round trip),
    each entry still moving its head one entry forward, as the head's trigger demands; a chain's first goes
    alone, creating the head row if the chain has none yet."""
    if not prepared:
        return
    session.flush()  # the caller's pending rows go first: the head locks are taken last
    by_chain: dict[str, list[dict[str, Any]]] = {}
    for fields in _with_chains(session, prepared):
        by_chain.setdefault(fields["audit_chain"], []).append(fields)
    postgres = session.get_bind().dialect.name == "postgresql"
    for chain in sorted(by_chain, key=lambda c: (c == PLATFORM_CHAIN, c)):
        group = by_chain[chain]
        if not postgres:
            for fields in group:
                _append_one(session, fields)
            continue
        if session.execute(_pg_append(), group[0]).scalar() is None:  # no head row: the long way creates it
            _append_one(session, group[0])
        if len(group) > 1:
            session.execute(_pg_append_many(), group[1:])


def _with_chains(session: Session, prepared: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`prepared` with every entry's chain named (read from the cases this transaction wrote)."""
    ids = {p["audit_case"] for p in prepared if p["audit_chain"] is None and p["audit_case"] is not None}
    streets = (dict(session.execute(select(_cases.c.id, _cases.c.jurisdiction).where(_cases.c.id.in_(ids))).all())
               if ids else {})
    return [p if p["audit_chain"] is not None else {**p, "audit_chain": chain_of_street(streets.get(p["audit_case"]))}
            for p in prepared]


def _append_one(session: Session, fields: dict[str, Any]) -> int:
    """One prepared entry the long way (SQLite, or no head row for its chain yet)."""
    dialect = session.get_bind().dialect.name
    head = session.execute(_head_update(dialect), fields).one_or_none()
    if head is None:  # the chain's first entry (a city's; the platform's in a schema made without migrations)
        chain = session.execute(select(_chain_sql("audit_chain", "audit_case")), fields).scalar_one()
        session.execute(dialect_insert(session)(_head).values(chain=chain, seq=0, prev_hash=GENESIS_HASH,
                                                              hash=GENESIS_HASH)
                        .on_conflict_do_nothing(index_elements=[_head.c.chain]))
        head = session.execute(_head_update(dialect), fields).one()
    row = {name: fields[name] for name in _DATA_COLUMNS}
    session.execute(_INSERT, {**row, "chain": head[0], "seq": head[1], "prev_hash": head[2], "hash": head[3]})
    return head[1]


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


# ---- the statements -------------------------------------------------------------------------------------

def _chain_sql(chain_bind: str, case_bind: str):
    """The entry's chain in SQL: the one bound, else the city of the case bound (its street as this
    transaction wrote it), else the platform chain."""
    street = select(_cases.c.jurisdiction).where(
        _cases.c.id == bindparam(case_bind, type_=_cases.c.id.type)).scalar_subquery()
    return func.coalesce(bindparam(chain_bind, type_=String), func.substr(street, 1, CITY_DIGITS),
                         literal(PLATFORM_CHAIN, String))


def _hash_sql(dialect: str, chain, seq, prev_hash, body):
    label = case((chain == PLATFORM_CHAIN, literal("", Text)), else_=cast(chain, Text) + literal("@", Text))
    text_ = (literal(HASH_PREFIX, Text) + label + cast(seq, Text) + literal(":", Text) + prev_hash
             + literal(":", Text) + body)
    if dialect == "postgresql":
        return func.encode(func.sha256(func.convert_to(text_, literal_column("'UTF8'"))), literal_column("'hex'"))
    return func.onegrid_sha256(text_)


def _head_move(dialect: str, prefix: str = "", *where):
    """`UPDATE audit_head … WHERE chain = <the entry's chain> RETURNING chain, seq, prev_hash, hash` (binds
    named `prefix` + audit_chain, audit_case, body)."""
    new_seq = _head.c.seq + 1
    return (update(_head).where(_head.c.chain == _chain_sql(f"{prefix}audit_chain", f"{prefix}audit_case"), *where)
            .values(seq=new_seq, prev_hash=_head.c.hash,
                    hash=_hash_sql(dialect, _head.c.chain, new_seq, _head.c.hash,
                                   bindparam(f"{prefix}body", type_=Text)))
            .returning(_head.c.chain, _head.c.seq, _head.c.prev_hash, _head.c.hash))


_HEAD_UPDATES: dict[str, Any] = {}


def _head_update(dialect: str):
    stmt = _HEAD_UPDATES.get(dialect)
    if stmt is None:
        stmt = _HEAD_UPDATES[dialect] = _head_move(dialect)
    return stmt


_INSERT = insert(_entries)
_DATA_COLUMNS = ("at", "client_time", "actor", "role", "console_id", "offline", "action", "entity_kind", "entity_id",
                 "result", "reason", "detail")
_STATEMENTS: dict[str, Any] = {}


def _append_from(head, prefix: str = ""):
    values = [bindparam(f"{prefix}{name}", type_=_entries.c[name].type) for name in _DATA_COLUMNS]
    return insert(_entries).from_select(["chain", "seq", *_DATA_COLUMNS, "prev_hash", "hash"],
                                        select(head.c.chain, head.c.seq, *values, head.c.prev_hash, head.c.hash))


def _pg_append():
    """`WITH h AS (UPDATE audit_head … RETURNING chain, seq, prev_hash, hash) INSERT INTO audit_log SELECT
    h.chain, h.seq, :at, …, h.prev_hash, h.hash FROM h RETURNING seq` — no row when the chain has no head."""
    if "one" not in _STATEMENTS:
        _STATEMENTS["one"] = _append_from(_head_update("postgresql").cte("h")).returning(_entries.c.seq)
    return _STATEMENTS["one"]


def _pg_append_many():
    """`_pg_append` without its RETURNING, for an executemany."""
    if "many" not in _STATEMENTS:
        _STATEMENTS["many"] = _append_from(_head_update("postgresql").cte("h"))
    return _STATEMENTS["many"]


def pg_append_cte(gate, prefix: str):
    """`_pg_append` as a CTE of a larger PostgreSQL statement (`server.cases.commands`: a command's whole
    tail in one round trip). It appends only if the CTE `gate` yields a row, and reading `gate` first
    makes the statement take the locks `gate` takes (the feed counter) before the audit head's, the one
    order `record` keeps too. Its binds are the entry's fields named `prefix + field`
    (`pg_append_params`); the CTE yields the new `seq`, or no row when the chain has no head row yet."""
    head = _head_move("postgresql", prefix, select(literal(1)).select_from(gate).exists()).cte(f"{prefix}head")
    return _append_from(head, prefix).returning(_entries.c.seq).cte(f"{prefix}entry")


def pg_append_params(prefix: str, **entry: Any) -> dict[str, Any]:
    """The binds of `pg_append_cte` for an entry given as `record`'s keyword arguments (less the session)."""
    at = entry["at"]
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"audit time {at.isoformat()} is naive (server times must carry a zone)")
    chain = entry.pop("chain", None)
    fields = entry_fields(**entry)
    params = {f"{prefix}{name}": fields[name] for name in _DATA_COLUMNS}
    params.update({f"{prefix}{name}": value
                   for name, value in chain_params(fields["entity_kind"], fields["entity_id"], chain).items()})
    params[f"{prefix}body"] = canonical_body(fields)
    return params
