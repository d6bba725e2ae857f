"""Writing a batch so that one item the database refuses fails alone: the whole batch in one transaction
first (the usual case, one commit), and if that fails, its halves, and each failing half's halves, until
the refused item stands alone. k refused items among n cost at most about 2·k·log2(n) extra attempts;
a batch with none costs nothing extra.

Not every failure is one item's fault: a database that cannot be reached (connection refused or lost,
pool exhausted, SQLite busy) would fail every half the same way, so such an error is raised at once
instead of being split (`splittable`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def splittable(exc: BaseException) -> bool:
    """Whether a failed write may be the fault of some of its items (rather than of the database)."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)):
        return False
    return not (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def write_split(items: Sequence[T], write: Callable[[Sequence[T]], R], *,
                after_failure: Callable[[Sequence[T], BaseException], None] | None = None,
                ) -> tuple[list[R], list[tuple[T, BaseException]]]:
    """`write(items)`; if it raises a `splittable` error, `after_failure(items, error)` (to undo what the
    failed attempt left in memory) and the same for each half. Returns the results of the writes that
    succeeded, in order, and each item that failed alone with its error. An error that is not splittable
    is raised (the writes before it stay done)."""
    done: list[R] = []
    refused: list[tuple[T, BaseException]] = []
    _write(list(items), write, after_failure, done, refused)
    return done, refused


def _write(items: list[T], write, after_failure, done: list, refused: list) -> None:
    if not items:
        return
    try:
        done.append(write(items))
        return
    except Exception as exc:
        if not splittable(exc):
            raise
        if after_failure is not None:
            after_failure(items, exc)
        if len(items) == 1:
            refused.append((items[0], exc))
            return
        log.info("writing %d items failed (%s: %s); writing them in halves", len(items), type(exc).__name__,
                 _first_line(exc))
    mid = len(items) // 2
    _write(items[:mid], write, after_failure, done, refused)
    _write(items[mid:], write, after_failure, done, refused)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else ""


__all__ = ["splittable", "write_split"]
