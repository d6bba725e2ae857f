"""The central server's facts for unit performance metrics. Same `Base` as
`db.metadata`, so one metadata (and one alembic history) covers every table.

Deadlines of past stage rounds are not in the ledger (`case_events` holds actions, not the deadlines the
working calendar derived from them), and the unit holding a case at each event and the event's local day
cannot be derived portably in SQL. So each command's transaction also writes the case's metric facts,
computed by `app.metrics.case_facts.case_facts` from the same history the console uses offline; a report is then one
aggregate statement over these two tables (`server.metrics.facts`). `onegrid-ctl metrics rebuild-facts` recomputes
them from `cases` (after a change of time limits or time zone).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class MetricFactRow(Base):
    """One counted event or one deadline round of a case (`app.metrics.figures.Fact`)."""

    __tablename__ = "metric_facts"
    # A unit's report reads its own units' facts (the center's are a third of the rows, without a unit); the
    # percentiles read only the timed facts, from a narrow partial index.
    __table_args__ = (Index("ix_metric_facts_at", "at"), Index("ix_metric_facts_unit_at", "unit_id", "at"),
                      Index("ix_metric_facts_timed", "at", postgresql_include=["kind", "seconds"],
                            postgresql_where=text("seconds IS NOT NULL"), sqlite_where=text("seconds IS NOT NULL")))

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    fact_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[str | None] = mapped_column(String(64))
    category_code: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime | None]
    day: Mapped[date | None] = mapped_column(Date)
    seconds: Mapped[float | None] = mapped_column(Float)
    met: Mapped[bool | None] = mapped_column(Boolean)


class MetricCaseRow(Base):
    """One per case, for the timely resolution rate and the closure rate's cohort
    (`app.metrics.case_facts.CaseFact`)."""

    __tablename__ = "metric_cases"
    __table_args__ = (Index("ix_metric_cases_closed_at", "closed_at"), Index("ix_metric_cases_late_at", "late_at"),
                      Index("ix_metric_cases_registered_at", "registered_at"))

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[str | None] = mapped_column(String(64))
    category_code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    late_at: Mapped[datetime | None]
    registered_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]   # the latest suspension's start
    resumed_at: Mapped[datetime | None]     # and its end (None: still suspended)
