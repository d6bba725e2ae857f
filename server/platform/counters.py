"""Named counters (the feed position, the yearly case number) incremented inside the caller's transaction.

The increment is a single UPDATE … RETURNING (an upsert when the row may not exist yet), so the row lock
it takes is held until the caller commits: concurrent transactions get consecutive values in commit
order, and a rolled-back transaction gives its value back.
"""
from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from db.platform import CounterRow
from server.platform.database import dialect_insert

_COUNTERS = CounterRow.__table__
# On the table, not the ORM class (an ORM-enabled statement costs the session more per execution), built once.
INCREMENT = (update(_COUNTERS).where(_COUNTERS.c.name == bindparam("counter"))
              .values(value=_COUNTERS.c.value + 1).returning(_COUNTERS.c.value))


def increment(session: Session, name: str, *, start: int = 1) -> int:
    """Add one to counter `name` (created at `start` if missing) and return the new value."""
    value = session.execute(INCREMENT, {"counter": name}).scalar_one_or_none()
    if value is not None:
        return value
    insert = dialect_insert(session)
    stmt = insert(CounterRow).values(name=name, value=start)
    # Two transactions may both find the row missing; the loser of the insert increments instead.
    stmt = stmt.on_conflict_do_update(index_elements=[CounterRow.name], set_={"value": CounterRow.value + 1})
    return session.execute(stmt.returning(CounterRow.value)).scalar_one()
