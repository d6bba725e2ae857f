"""Reading the audit trail by filter, across its chains: pages for `GET /api/audit` (newest first, keyset on
`id`) and a stream for `onegrid-ctl audit export` (oldest first). Both go by `id`, the primary key, which
numbers the whole trail in insertion order (a chain's own `seq` counts that chain only), so a page costs
one index range scan however long the trail is."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from db.audit import AuditEntryRow
from server.audit.verify import ENTRY_COLUMNS, entry_dict

_entries = AuditEntryRow.__table__
_COLUMNS = [_entries.c[name] for name in ENTRY_COLUMNS]


@dataclass(frozen=True)
class AuditFilter:
    """Every criterion optional; `start` inclusive, `end` exclusive (server time)."""

    start: datetime | None = None
    end: datetime | None = None
    actor: str | None = None
    action: str | None = None
    entity_kind: str | None = None
    entity_id: str | None = None
    console_id: str | None = None
    result: str | None = None
    offline: bool | None = None
    chain: str | None = None  # '' the platform chain, else a city's 4 digits

    def apply(self, stmt: Select) -> Select:
        c = _entries.c
        if self.start is not None:
            stmt = stmt.where(c.at >= self.start)
        if self.end is not None:
            stmt = stmt.where(c.at < self.end)
        for name in ("actor", "action", "entity_kind", "entity_id", "console_id", "result", "chain"):
            value = getattr(self, name)
            if value is not None:
                stmt = stmt.where(c[name] == value)
        if self.offline is not None:
            stmt = stmt.where(c.offline.is_(self.offline))
        return stmt


def newest_first(session, where: AuditFilter, *, before: int | None = None, limit: int = 100) -> list[dict]:
    """Up to `limit` matching entries with `id < before` (all when None), newest first."""
    stmt = where.apply(select(*_COLUMNS))
    if before is not None:
        stmt = stmt.where(_entries.c.id < before)
    return [entry_dict(row) for row in session.execute(stmt.order_by(_entries.c.id.desc()).limit(limit))]


def newest_id(session) -> int:
    """The `id` of the trail's newest entry (0: none yet)."""
    return session.execute(select(func.coalesce(func.max(_entries.c.id), 0))).scalar_one()


def oldest_first(session_factory, where: AuditFilter, *, page: int = 2000) -> Iterator[dict]:
    """Every matching entry, oldest first, read in keyset pages (bounded memory)."""
    after = 0
    while True:
        with session_factory() as session:
            rows = session.execute(where.apply(select(*_COLUMNS)).where(_entries.c.id > after)
                                   .order_by(_entries.c.id).limit(page)).all()
        for row in rows:
            yield entry_dict(row)
        if len(rows) < page:
            return
        after = rows[-1].id


CSV_COLUMNS = ENTRY_COLUMNS


def csv_row(entry: dict) -> list[str]:
    """One entry as CSV cells (detail as compact JSON, booleans as true/false, null as empty)."""
    cells = []
    for name in CSV_COLUMNS:
        value = entry.get(name)
        if name == "detail":
            cells.append(json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else "")
        elif isinstance(value, bool):
            cells.append("true" if value else "false")
        else:
            cells.append("" if value is None else str(value))
    return cells


def csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()
