"""Settings shared by every console (e.g. emergency mode, 平急转换): kept in the `settings` table and
announced through the changes feed as kind `setting` with data `{key, value}`."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from db.platform import SettingRow
from server.feed.record import SETTING, record_change
from server.platform.database import dialect_insert

log = logging.getLogger(__name__)

EMERGENCY_MODE = "emergency_mode"


def put_setting(session: Session, key: str, value: dict[str, Any], by: str, now: datetime) -> int:
    """Store `value` under `key` and move it in the feed; returns its feed position."""
    insert = dialect_insert(session)
    stmt = insert(SettingRow).values(key=key, value=value, updated_at=now, updated_by=by)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[SettingRow.key],
        set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at,
              "updated_by": stmt.excluded.updated_by}))
    position = record_change(session, SETTING, key, {"key": key, "value": value})
    log.info("setting %s changed by %s: %s", key, by, value)
    return position
