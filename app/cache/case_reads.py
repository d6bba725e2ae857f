"""The cases as the console reads them from its cache (`CaseReads`, part of `LocalCache`): queue rows, display
copies and server snapshots, and the docks' lists read with SQLite's JSON functions. Every read takes its own
pooled connection, so any thread may read while the writer thread writes."""
from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime, timezone
from typing import Iterable, Iterator
from uuid import UUID

from sqlalchemy import select, text

from app.cache import cache_tables as tables
from app.cache import (
    case_lookup,
    case_rows,
    followups,
    lead_work,
    merged_reports,
    task_rows,
)
from app.cache.models import CaseTexts
from app.cases.case import Case
from app.cases.summary import CaseSummary
from app.cases.tasks import Task
from db.cache import cases

log = logging.getLogger(__name__)


class CaseReads:
    """`LocalCache`'s reads of cases. Uses the cache's engine only."""

    def summaries(self, ids: Iterable[UUID] | None = None) -> list[CaseSummary]:
        """Queue rows for every case (or the given ids), from the indexed columns only."""
        summary = case_rows.summary_from_raw
        return [summary(row) for rows in self.summary_rows(ids) for row in rows]

    def summary_rows(self, ids: Iterable[UUID] | None = None, chunk: int = 10_000, *,
                     coded: bool = False) -> Iterator[list[tuple]]:
        """`summaries()` as raw sqlite3 tuples (`case_rows.SUMMARY_COLUMNS` order), `chunk` rows at a time:
        for the queue's numpy columns, which never need a CaseSummary per case (100,000 of them cost
        ~140 MB and a second to build). `coded`: status, priority, source and stage as their positions in
        the enums and the three times as integer microseconds (`case_rows.CODED_SUMMARY_SELECT`; -1 for
        a time not in the stored form: read it again with `summary_rows(..., coded=False)`)."""
        select = case_rows.CODED_SUMMARY_SELECT if coded else case_rows.SUMMARY_SELECT
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            if ids is None:
                cursor = _whole_queue(raw, case_rows.CODED_ALL_SQL if coded else case_rows.ALL_SUMMARIES_SQL)
                while rows := cursor.fetchmany(chunk):
                    yield rows
                return
            for part in tables.chunks([str(i) for i in ids]):
                marks = ",".join("?" * len(part))
                rows = raw.execute(f"{select} WHERE id IN ({marks})", part).fetchall()
                if rows:
                    yield rows

    def summary_columns(self) -> tuple:
        """Every case's summary columns in one row of concatenated texts (`case_rows.SUMMARY_COLUMNS_SQL`),
        for `app.cases.queue_rows.RowBatch.from_columns`."""
        with self._engine.connect() as conn:
            return _whole_queue(conn.connection.driver_connection, case_rows.SUMMARY_COLUMNS_SQL).fetchone()

    def case_count(self) -> int:
        with self._engine.connect() as conn:
            return tables.case_count(conn)

    def case(self, case_id: UUID) -> Case | None:
        """The display copy: what the operator sees, including their own commands not yet answered."""
        return self._case_column(case_id, cases.c.data)

    def cases_with_status(self, status: str) -> list[Case]:
        """The display copies of the cases in one status (by its index: e.g. the few returned cases)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(cases.c.data).where(cases.c.status == str(status))).scalars().all()
        return [Case.model_validate(data) for data in rows]

    def open_tasks(self) -> list[Task]:
        """Every open task inside the cached cases (`app.cases.tasks`): co-handling tasks, on-site checks and
        verifications, read by SQLite's JSON functions (`app.cache.task_rows`), so a 100,000-case cache
        parses no case (the tasks dock reloads after every change)."""
        with self._engine.connect() as conn:
            return task_rows.open_tasks(conn.connection.driver_connection)

    def server_case(self, case_id: UUID) -> Case | None:
        """The last state the server confirmed (None for a case created here and not yet accepted)."""
        with self._engine.connect() as conn:
            data = tables.server_snapshot_json(conn, case_id)
        return None if data is None else Case.model_validate_json(data)

    def case_texts(self, ids: Iterable[UUID], username: str) -> CaseTexts:
        """For the queue's search, "my cases" and the unit column: each case's free text (description,
        address, reporter, joined by \x1f as `app.cases.search.case_text`), the ids whose events name
        `username` or whose inspector it is, and the co-handling units of joint cases with their tasks'
        states. Read by SQLite's JSON functions, so 100,000 cases never become Case objects."""
        texts: dict[UUID, str] = {}
        mine: set[UUID] = set()
        co_units: dict[UUID, tuple[tuple[str, str], ...]] = {}
        sql = text(
            "SELECT id, json_extract(data, '$.description'), json_extract(data, '$.location.address'), "
            "json_extract(data, '$.reporter_name'), json_extract(data, '$.reporter_phone'), "
            "(json_extract(data, '$.inspector') = :u) OR EXISTS (SELECT 1 FROM json_each(data, '$.events') "
            " WHERE json_extract(json_each.value, '$.actor') = :u), "
            "CASE WHEN json_array_length(data, '$.co_tasks') > 0 THEN (SELECT json_group_array(json_array("
            " json_extract(t.value, '$.unit_id'), json_extract(t.value, '$.status'))) "
            " FROM json_each(data, '$.co_tasks') t) END "
            "FROM cases WHERE id IN (SELECT value FROM json_each(:ids))")
        with self._engine.connect() as conn:
            wanted = [str(i) for i in ids]
            for chunk in (wanted[i:i + 2000] for i in range(0, len(wanted), 2000)):
                for row in conn.execute(sql, {"u": username, "ids": json.dumps(chunk)}):
                    case_id = UUID(row[0])
                    texts[case_id] = "\x1f".join(x for x in row[1:5] if x)
                    if row[5]:
                        mine.add(case_id)
                    if row[6]:
                        co_units[case_id] = tuple((unit, state) for unit, state in json.loads(row[6]))
        return CaseTexts(texts, mine, co_units)

    def server_cases(self) -> Iterator[Case]:
        """Every case as the server last confirmed it (none of this console's pending edits), for
        computations that must agree with the server's, such as the performance metrics offline."""
        with self._engine.connect() as conn:
            raw = conn.connection.driver_connection
            rows = raw.execute(f"SELECT {tables.SERVER_JSON} FROM cases").fetchall()
        validate = Case.model_validate_json
        for (data,) in rows:
            if data is not None:
                yield validate(data)

    def follow_up_cases(self, now: datetime | None = None, *, ids: Iterable[UUID] | None = None) -> list[Case]:
        """Cases with an open supervision order or waiting for a callback (`app.cache.followups`); with
        `ids`, only among those."""
        with self._engine.connect() as conn:
            return followups.follow_up_cases(conn.connection.driver_connection, now or datetime.now(timezone.utc),
                                             ids)

    def merged_reports(self, master_id: UUID) -> list[Case]:
        """The repeats merged into a master case, oldest first (`app.cache.merged_reports`)."""
        with self._engine.connect() as conn:
            return merged_reports.merged_into(conn.connection.driver_connection, master_id)

    def find_case_ids(self, ref: str, *, id_prefix: bool = False) -> list[UUID]:
        """The cases whose server or provisional number is `ref` (with `id_prefix`, also those whose id
        starts with it): one query over the summary index, no summary of every case."""
        sql = "SELECT id FROM cases WHERE number = ? OR provisional_number = ?"
        params: tuple = (ref, ref)
        if id_prefix:
            sql += " OR substr(id, 1, ?) = ?"
            params += (len(ref), ref.lower())
        with self._engine.connect() as conn:
            rows = conn.connection.driver_connection.execute(sql, params).fetchall()
        return [UUID(row[0]) for row in rows]

    def lookup(self, query: str, limit: int = 30) -> list[case_lookup.Hit]:
        """Cases found by number, provisional number, phone, address or description, best first
        (`app.cache.case_lookup`): all cached cases, whatever the queue shows."""
        with self._engine.connect() as conn:
            return case_lookup.lookup(conn, query, limit)

    def lead_work(self, now: datetime | None = None) -> dict[lead_work.Kind, list[lead_work.Item]]:
        """What waits for a shift lead (`app.cache.lead_work`): extension requests, verification failures,
        escalations, suspensions due to resume, and this console's unsettled conflicts."""
        with self._engine.connect() as conn:
            found = lead_work.case_work(conn, now or datetime.now(timezone.utc))
            conflicts = [c for c in tables.read_conflicts(conn) if not c.settled]
        found[lead_work.Kind.CONFLICT] = [lead_work.conflict_item(c) for c in conflicts]
        return found

    def cases_updated_since(self, since: datetime) -> list[Case]:
        """The cases updated at or after `since`, each as the server last confirmed it, else (created here
        and not accepted yet) as displayed; one query, no summary of every case (the shift timeline)."""
        with self._engine.connect() as conn:
            rows = conn.connection.driver_connection.execute(
                f"SELECT coalesce({tables.SERVER_JSON}, data) FROM cases WHERE updated_at >= ?",
                (case_rows.stored_time(since),)).fetchall()
        validate = Case.model_validate_json
        return [validate(data) for (data,) in rows]

    def _case_column(self, case_id: UUID, column) -> Case | None:
        with self._engine.connect() as conn:
            data = conn.execute(select(column).where(cases.c.id == str(case_id))).scalar_one_or_none()
        return None if data is None else Case.model_validate(data)


def _whole_queue(raw: sqlite3.Connection, sql: str) -> sqlite3.Cursor:
    """`sql`, a whole-queue read that names the covering index, run without naming it while a first sync
    writes without its indexes (`app.cache.first_sync`): a plain scan then, slower but right."""
    try:
        return raw.execute(sql)
    except sqlite3.OperationalError as exc:
        if "no such index" not in str(exc):
            raise
        return raw.execute(sql.replace(case_rows.BY_SUMMARY_INDEX, ""))
