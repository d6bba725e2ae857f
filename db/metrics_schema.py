"""The central server's facts for unit performance metrics (issue 5). Same `Base` as
`db.server_schema`, so one metadata (and one alembic history) covers every table."""
from __future__ import annotations

from db.server_schema import Base  # noqa: F401
