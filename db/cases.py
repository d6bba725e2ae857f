"""Cases: their current state, the ledger of accepted actions, and every command's stored answer."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


def street_of_grid(grid: str | None) -> str | None:
    """A case row's jurisdiction from its grid code (the first 9 digits of a grid code name its street)."""
    return grid[:9] if grid else None


def _street_of_grid(context) -> str | None:
    """The column default: `street_of_grid` of the grid code written with it, so no writer of `cases` can
    leave it behind its grid."""
    return street_of_grid(context.get_current_parameters().get("grid_code"))


class CaseRow(Base):
    """The current state of a case: indexed columns for queries, `data` = `Case.model_dump(mode="json")`."""

    __tablename__ = "cases"
    __table_args__ = (
        # the repeat check (`server.cases.repeats`): open cases by grid cell, then category and age
        Index("ix_cases_merge_cell", "merge_cell", "category_code", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    priority: Mapped[str] = mapped_column(String(32))
    category_code: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[str | None] = mapped_column(String(64), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(32))
    # the street the case lies in (`app.refdata.jurisdictions.of_grid`), kept with its grid by every write
    jurisdiction: Mapped[str | None] = mapped_column(String(16), index=True, default=_street_of_grid,
                                                     onupdate=_street_of_grid)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
    # `app.cases.merging.open_cell`: the grid cell of an open case, NULL once it has ended (so the index
    # holds open cases only); a merged repeat's master, for the master's list of its reports
    merge_cell: Mapped[int | None] = mapped_column(BigInteger)
    lat: Mapped[float | None] = mapped_column(Float)   # the place, read by the check without parsing `data`
    lon: Mapped[float | None] = mapped_column(Float)
    merged_into: Mapped[uuid.UUID | None] = mapped_column(index=True)


class CaseEventRow(Base):
    """The ledger: one row per accepted action, never updated. Performance metrics are counted from it."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_at", "at"),
        Index("ix_case_events_action_at", "action", "at"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    client_time: Mapped[datetime | None]
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    console_id: Mapped[str | None] = mapped_column(String(64))
    command_id: Mapped[uuid.UUID | None]
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]


class CommandRow(Base):
    """Every command the server answered, with its stored answer: the idempotency record."""

    __tablename__ = "commands"

    command_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any]]
