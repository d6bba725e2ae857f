"""The reference data the server works with, read from the `refdata` table.

Loaded on first use (so the server starts even while the database is down) and re-read when another
process (the admin CLI's import) changes the stored version; the check costs one tiny query at most every
`recheck_s`. The JSON answer of GET /api/refdata is serialised once per version.
"""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.refdata.model import RefData
from app.wire import raw
from db.refdata import RefDataRow
from server.platform.errors import ApiError

log = logging.getLogger(__name__)


class RefDataStore:
    def __init__(self, reader: sessionmaker[Session], *, fixed: RefData | None = None, recheck_s: float = 15.0):
        self._reader = reader
        self._fixed = fixed
        self._recheck_s = recheck_s
        self._lock = threading.Lock()
        self._current: RefData | None = fixed
        self._checked_at = 0.0
        self._body: tuple[str, bytes] | None = None

    def current(self) -> RefData:
        if self._fixed is not None:
            return self._fixed
        if self._current is not None and time.monotonic() - self._checked_at < self._recheck_s:
            return self._current
        with self._lock:
            if self._current is None or time.monotonic() - self._checked_at >= self._recheck_s:
                self._refresh()
            assert self._current is not None
            return self._current

    def _refresh(self) -> None:
        with self._reader() as session:
            version = session.execute(select(RefDataRow.version).where(RefDataRow.id == 1)).scalar()
            if version is None:
                raise ApiError(503, "no_refdata", "the server database holds no reference data; "
                                                  "initialise it (server.admin.bootstrap.init_db / onegrid-ctl)")
            if self._current is None or self._current.version != version:
                data = session.execute(select(RefDataRow.data).where(RefDataRow.id == 1)).scalar_one()
                self._current = RefData.from_dict(data)
                log.info("reference data version %s loaded", version)
        self._checked_at = time.monotonic()

    def serialized(self) -> tuple[str, bytes]:
        """(version, JSON body of GET /api/refdata), cached per version."""
        refdata = self.current()
        body = self._body
        if body is None or body[0] != refdata.version:
            payload = refdata.to_dict()
            payload["version"] = refdata.version
            body = (refdata.version, raw.refdata(payload))
            self._body = body
        return body
