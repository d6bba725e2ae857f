"""Every server table in one `metadata` (alembic's target): importing this module imports each feature's
schema module, so the metadata is complete whichever table a caller needs first."""
from __future__ import annotations

from db import (  # noqa: F401  (they declare the tables)
    audit,
    avl,
    cases,
    detections,
    feed,
    map,
    metrics,
    open311,
    photos,
    platform,
    refdata,
    sensors,
    shifts,
    webhooks,
)
from db.base import Base

metadata = Base.metadata

__all__ = ["Base", "metadata"]
