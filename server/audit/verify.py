"""Reading and verifying the audit chains (`server.audit.chain` documents them and their canonical form):
each chain's entries in order, its head, and `verify_chain` / `verify_all`, what `onegrid-ctl audit verify`
and `audit head` run."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from db.audit import GENESIS_HASH, PLATFORM_CHAIN, AuditEntryRow, AuditHeadRow
from server.audit.chain import (
    CANONICAL_JSON,
    HASHED_FIELDS,
    entry_hash,
    time_text,
    valid_chain,
)

log = logging.getLogger(__name__)

VERIFY_PAGE = 5000
# A time in the canonical form (`chain.time_text`), written by PostgreSQL: its process formats while ours hashes
_PG_TIME_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
# The columns of an entry as read and listed (the API, the export): `chain` and `id` last, after the columns
# a trail had before chains, so an export's columns keep their places.
ENTRY_COLUMNS = ("seq", "at", "client_time", "actor", "role", "console_id", "offline", "action", "entity_kind",
                 "entity_id", "result", "reason", "detail", "prev_hash", "hash", "chain", "id")

_entries = AuditEntryRow.__table__
_head = AuditHeadRow.__table__


def entry_dict(row) -> dict[str, Any]:
    """An entry as JSON-ready values (times as ISO text)."""
    data = {name: getattr(row, name) for name in ENTRY_COLUMNS}
    data["at"] = data["at"].isoformat()
    data["client_time"] = data["client_time"].isoformat() if data["client_time"] is not None else None
    return data


def chain_order(chain: str) -> tuple[bool, str]:
    """The order chains are listed and locked in: cities by code, the platform chain last."""
    return chain == PLATFORM_CHAIN, chain


def _ranges(session_factory, chain: str, columns: list, after: int, page: int) -> Iterator[list]:
    """`columns` of `chain`'s entries after `after`, oldest first, a page at a time: the entries numbered
    after+1 … after+page, each page read in a short transaction of its own (bounded memory, short reads).

    A page is a range of numbers, not `seq > after … LIMIT page`: with its statistics not yet gathered (a
    chain just written, or copied in) PostgreSQL plans that LIMIT as a read of every later entry then a
    sort, so each page read the rest of the chain (a million entries: quadratic). A range reads at most a
    page whatever the plan. A short page is the end or a gap: the next number present (one index probe)
    says which, and reading goes on from there."""
    c = _entries.c
    while True:
        last = after + page
        with session_factory() as session:
            rows = session.execute(select(*columns).where(c.chain == chain, c.seq > after, c.seq <= last)
                                   .order_by(c.seq)).all()
            following = None
            if len(rows) < page:
                following = session.execute(select(func.min(c.seq)).where(c.chain == chain, c.seq > last)).scalar()
        if rows:
            yield rows
        if len(rows) < page and following is None:
            return
        after = last if following is None else following - 1


def iter_entries(session_factory, *, chain: str = PLATFORM_CHAIN, after: int = 0,
                 page: int = VERIFY_PAGE) -> Iterator[Any]:
    """Every entry of `chain` after `after`, oldest first, read in pages (`_ranges`)."""
    for rows in _ranges(session_factory, chain, [_entries.c[name] for name in ENTRY_COLUMNS], after, page):
        yield from rows


class _Hashed:
    """An entry as verify reads it: its number, links and the canonical body of its fields."""

    __slots__ = ("seq", "prev_hash", "hash", "body")

    def __init__(self, seq: int, prev_hash: str, hash_: str, body: str):
        self.seq, self.prev_hash, self.hash, self.body = seq, prev_hash, hash_, body


def _hashed_columns(dialect: str) -> list:
    """What verify reads of an entry: seq, prev_hash, hash, then the hashed fields in `HASHED_FIELDS` order.
    On PostgreSQL the times come as their canonical text (`chain.time_text`), formatted by the database."""
    c = _entries.c
    if dialect == "postgresql":
        times = {name: func.to_char(func.timezone("UTC", c[name]), literal(_PG_TIME_FORMAT))
                 for name in ("at", "client_time")}
    else:
        times = {"at": c.at, "client_time": c.client_time}
    return [c.seq, c.prev_hash, c.hash, *(times.get(name, c[name]) for name in HASHED_FIELDS)]


_AT, _CLIENT_TIME = HASHED_FIELDS.index("at"), HASHED_FIELDS.index("client_time")


def _pages(session_factory, chain: str, page: int) -> Iterator[list[_Hashed]]:
    """`chain`'s entries a page at a time (`_ranges`), each with its canonical body: `chain.canonical_body`
    of the stored fields, computed without building a row mapping."""
    with session_factory() as session:
        dialect = session.get_bind().dialect.name
    encode = CANONICAL_JSON.encode
    for rows in _ranges(session_factory, chain, _hashed_columns(dialect), 0, page):
        hashed = []
        for row in rows:
            values = list(row[3:])
            if dialect != "postgresql":
                values[_AT], values[_CLIENT_TIME] = time_text(values[_AT]), time_text(values[_CLIENT_TIME])
            data = dict(zip(HASHED_FIELDS, values))
            data["offline"] = bool(data["offline"])
            hashed.append(_Hashed(row[0], row[1], row[2], encode(data)))
        yield hashed


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    chain: str = PLATFORM_CHAIN

    def __str__(self) -> str:
        """`SEQ:HASH` for the platform chain (as a head was printed before chains), `CITY@SEQ:HASH` for a city's."""
        return f"{self.chain}@{self.seq}:{self.hash}" if self.chain else f"{self.seq}:{self.hash}"


def read_head(session: Session, chain: str = PLATFORM_CHAIN) -> Head | None:
    row = session.execute(select(_head.c.seq, _head.c.hash).where(_head.c.chain == chain)).one_or_none()
    return Head(row.seq, row.hash, chain) if row is not None else None


def read_heads(session: Session) -> list[Head]:
    """Every chain's head, cities by code, the platform chain last."""
    heads = [Head(r.seq, r.hash, r.chain) for r in session.execute(select(_head.c.chain, _head.c.seq, _head.c.hash))]
    return sorted(heads, key=lambda h: chain_order(h.chain))


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    last: Head | None
    broken_seq: int | None = None
    problem: str | None = None
    chain: str = PLATFORM_CHAIN

    def summary(self) -> str:
        name = f"audit chain {self.chain}" if self.chain else "audit chain"
        if self.ok:
            if not self.entries:
                return f"{name} ok: no entries yet"
            return f"{name} ok: {self.entries} entries, 1 … {self.last.seq}, head {self.last}"
        where = f"entry {self.broken_seq}" if self.broken_seq is not None else "chain end"
        return f"{name} BROKEN at {where}: {self.problem} ({self.entries} entries before it are intact)"


def verify_chain(session_factory, *, chain: str | None = None, expect_head: Head | None = None,
                 page: int = VERIFY_PAGE) -> VerifyReport:
    """Walk one chain (`chain`, else `expect_head`'s, else the platform's) from entry 1, recomputing every
    hash; stop at the first broken entry.

    Checks, in this order for each entry: its number follows the previous one (else "gap in sequence"),
    its prev_hash is the previous entry's hash ("broken link"), its hash is the hash of its fields and
    chain ("hash mismatch"). At the end, the last entry must be the one the chain's head names (else the
    tail was cut or the head moved), and `expect_head`, a head recorded earlier, must still be in the chain."""
    if chain is None:
        chain = expect_head.chain if expect_head is not None else PLATFORM_CHAIN
    with session_factory() as session:
        head = read_head(session, chain)
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    expect_found = expect_head is None or expect_head.seq == 0
    last: Head | None = None

    def broken(seq: int | None, problem: str) -> VerifyReport:
        return VerifyReport(False, count, last, seq, problem, chain)

    for row in (entry for hashed in _pages(session_factory, chain, page) for entry in hashed):
        if row.seq != expected_seq:
            missing = (f"entry {expected_seq} is missing" if row.seq == expected_seq + 1
                       else f"entries {expected_seq} … {row.seq - 1} are missing")
            return broken(row.seq, f"gap in sequence: {missing}")
        if row.prev_hash != prev_hash:
            return broken(row.seq, f"broken link: prev_hash {row.prev_hash} is not the hash of entry "
                                   f"{row.seq - 1} ({prev_hash})")
        computed = entry_hash(row.seq, row.prev_hash, row.body, chain)
        if computed != row.hash:
            return broken(row.seq, f"hash mismatch: stored {row.hash}, computed {computed} "
                                   f"(a field of this entry was changed)")
        if expect_head is not None and row.seq == expect_head.seq:
            if row.hash != expect_head.hash:
                return broken(row.seq, f"the recorded head {expect_head} does not match: entry {row.seq} now "
                                       f"has hash {row.hash} (the chain was rewritten from here or earlier)")
            expect_found = True
        count += 1
        last = Head(row.seq, row.hash, chain)
        expected_seq, prev_hash = row.seq + 1, row.hash
    end = last or Head(0, GENESIS_HASH, chain)
    if head is None:
        return broken(None, "its audit_head row is missing")
    if head.seq != end.seq or head.hash != end.hash:
        if head.seq > end.seq:
            return broken(end.seq + 1, f"the chain ends at entry {end.seq} but the head names entry {head.seq}: "
                                       f"entries {end.seq + 1} … {head.seq} were removed (tail cut)")
        return broken(None, f"the chain ends at {end} but the head says {head} (the head was changed)")
    if not expect_found:
        return broken(expect_head.seq, f"the recorded head {expect_head} is past the chain's end at entry "
                                       f"{end.seq} (tail cut and head moved back)")
    return VerifyReport(True, count, last, chain=chain)


def chains(session: Session) -> list[str]:
    """Every chain that has a head or an entry (an entry without its head is reported by verify), in
    `chain_order`; the platform chain always."""
    found = set(session.execute(select(_head.c.chain)).scalars())
    found |= set(session.execute(_entry_chains()).scalars())
    found.add(PLATFORM_CHAIN)
    return sorted(found, key=chain_order)


def _entry_chains():
    """The distinct chains of `audit_log`, one index probe each (a recursive skip over the (chain, seq) index),
    not a scan of every entry: `SELECT DISTINCT chain` read the whole trail before verify began."""
    c = _entries.c
    found = select(func.min(c.chain).label("chain")).cte("found", recursive=True)
    following = select(select(func.min(c.chain)).where(c.chain > found.c.chain).scalar_subquery())
    found = found.union_all(following.where(found.c.chain.is_not(None)))
    return select(found.c.chain).where(found.c.chain.is_not(None))


def verify_all(session_factory, *, expect_heads: Iterable[Head] = (), page: int = VERIFY_PAGE) -> list[VerifyReport]:
    """`verify_chain` for every chain (and every chain of `expect_heads`: a recorded head of a chain that is
    gone altogether is reported as such), one report each, in `chain_order`. At most one recorded head
    per chain."""
    expected: dict[str, Head] = {}
    for head in expect_heads:
        if head.chain in expected:
            raise ValueError(f"two recorded heads for chain {head.chain or 'platform'}: give one per chain")
        expected[head.chain] = head
    with session_factory() as session:
        names = chains(session)
    reports = []
    for chain in sorted(set(names) | set(expected), key=chain_order):
        recorded = expected.get(chain)
        if chain not in names and recorded is not None and recorded.seq > 0:
            reports.append(VerifyReport(False, 0, None, recorded.seq, f"the recorded head {recorded} names a "
                                        f"chain that has no entries and no head (the chain was removed)", chain))
            continue
        reports.append(verify_chain(session_factory, chain=chain, expect_head=recorded, page=page))
    return reports


def parse_head(text: str) -> Head:
    """`SEQ:HASH` (the platform chain) or `CITY@SEQ:HASH` as printed by `onegrid-ctl audit head`; ValueError
    saying what is wrong otherwise."""
    label, sep, hash_ = text.strip().partition(":")
    chain, at, seq_text = label.rpartition("@")
    if (not sep or not seq_text.isdigit() or len(hash_) != 64 or any(c not in "0123456789abcdef" for c in hash_)
            or (at and (not chain or not valid_chain(chain)))):
        raise ValueError(f"a head is SEQ:HASH or CITY@SEQ:HASH (a city's 4 digits and @, a number, a colon, "
                         f"64 lowercase hex digits), not {text!r}")
    return Head(int(seq_text), hash_, chain)
