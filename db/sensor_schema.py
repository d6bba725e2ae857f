"""The central server's sensor tables (issue 4): readings, aggregates, alarms. Same `Base` as
`db.server_schema`, so one metadata (and one alembic history) covers every table."""
from __future__ import annotations

from db.server_schema import Base  # noqa: F401
