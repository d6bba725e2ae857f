"""The console's side of the audit trail: the filter a lead sets, the server pages it asks for,
display texts for each column, and the CSV export of a filtered result. Qt-free, so the audit dock, the
CLI and tests share it.

The trail lives only on the server (`GET /api/audit`); nothing of it is cached, so offline there is none.
"""
from __future__ import annotations

import csv
import json
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.platform import labels, times
from app.platform.enums import Action, Role
from app.platform.i18n import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from app.wire.audit import AuditEntry

CTX = "AuditTrail"
PLATFORM_CHAIN_PARAM = "platform"  # `GET /api/audit?chain=`: the platform chain (logins, accounts, settings…)
PAGE = 200          # entries per request while browsing
EXPORT_PAGE = 500   # the server's maximum

# (key of the server's entry, column title)
COLUMNS = (
    ("seq", QT_TRANSLATE_NOOP("AuditTrail", "No.")),
    ("at", QT_TRANSLATE_NOOP("AuditTrail", "Server time")),
    ("client_time", QT_TRANSLATE_NOOP("AuditTrail", "Console time")),
    ("actor", QT_TRANSLATE_NOOP("AuditTrail", "User")),
    ("role", QT_TRANSLATE_NOOP("AuditTrail", "Role")),
    ("console_id", QT_TRANSLATE_NOOP("AuditTrail", "Console")),
    ("offline", QT_TRANSLATE_NOOP("AuditTrail", "Offline")),
    ("action", QT_TRANSLATE_NOOP("AuditTrail", "Action")),
    ("entity_kind", QT_TRANSLATE_NOOP("AuditTrail", "Object")),
    ("entity_id", QT_TRANSLATE_NOOP("AuditTrail", "Object id")),
    ("result", QT_TRANSLATE_NOOP("AuditTrail", "Result")),
    ("reason", QT_TRANSLATE_NOOP("AuditTrail", "Reason")),
    ("detail", QT_TRANSLATE_NOOP("AuditTrail", "Details")),
    ("hash", QT_TRANSLATE_NOOP("AuditTrail", "Hash")),
)
COLUMN_KEYS = tuple(key for key, _ in COLUMNS)

_RESULTS = {
    "accepted": QT_TRANSLATE_NOOP("AuditTrail", "Accepted"),
    "rejected": QT_TRANSLATE_NOOP("AuditTrail", "Rejected"),
    "ok": QT_TRANSLATE_NOOP("AuditTrail", "OK"),
    "failed": QT_TRANSLATE_NOOP("AuditTrail", "Failed"),
}
# Server actions other than case commands (server.audit.actions); features add their own names, shown as is.
_ACTIONS = {
    "login": QT_TRANSLATE_NOOP("AuditTrail", "Log in"),
    "logout": QT_TRANSLATE_NOOP("AuditTrail", "Log out"),
    "emergency_mode": QT_TRANSLATE_NOOP("AuditTrail", "Emergency mode switch"),
    "user_add": QT_TRANSLATE_NOOP("AuditTrail", "Account created"),
    "user_replace": QT_TRANSLATE_NOOP("AuditTrail", "Account replaced"),
    "refdata_import": QT_TRANSLATE_NOOP("AuditTrail", "Reference data imported"),
    "login_lockout": QT_TRANSLATE_NOOP("AuditTrail", "Logins locked after failures"),
    "login_unlock": QT_TRANSLATE_NOOP("AuditTrail", "Logins unlocked"),
    "outages_report": QT_TRANSLATE_NOOP("AuditTrail", "Console offline periods reported"),
    "sensor_readings": QT_TRANSLATE_NOOP("AuditTrail", "Sensor readings received"),
    "sensor_readings_dropped": QT_TRANSLATE_NOOP("AuditTrail", "Old sensor readings removed"),
    "shift_open": QT_TRANSLATE_NOOP("AuditTrail", "Shift started"),
    "shift_close": QT_TRANSLATE_NOOP("AuditTrail", "Shift ended"),
    "handover_notes": QT_TRANSLATE_NOOP("AuditTrail", "Handover notes written"),
    "handover_set_notes": QT_TRANSLATE_NOOP("AuditTrail", "Handover notes written"),
    "handover_sign": QT_TRANSLATE_NOOP("AuditTrail", "Handover signed"),
    "alarm_acknowledge": QT_TRANSLATE_NOOP("AuditTrail", "Alarm acknowledged"),
    "alarm_clear": QT_TRANSLATE_NOOP("AuditTrail", "Alarm cleared"),
    "photo_attach": QT_TRANSLATE_NOOP("AuditTrail", "Photo attached"),
    "photo_retention": QT_TRANSLATE_NOOP("AuditTrail", "Old photos removed"),
    "basemap_import": QT_TRANSLATE_NOOP("AuditTrail", "Base map imported"),
    "detection_confirm": QT_TRANSLATE_NOOP("AuditTrail", "Detection confirmed"),
    "detection_reject": QT_TRANSLATE_NOOP("AuditTrail", "Detection rejected"),
}
_KINDS = {
    "case": QT_TRANSLATE_NOOP("AuditTrail", "Case"),
    "user": QT_TRANSLATE_NOOP("AuditTrail", "Account"),
    "setting": QT_TRANSLATE_NOOP("AuditTrail", "Setting"),
    "refdata": QT_TRANSLATE_NOOP("AuditTrail", "Reference data"),
    "address": QT_TRANSLATE_NOOP("AuditTrail", "Client address"),
    "alarm": QT_TRANSLATE_NOOP("AuditTrail", "Alarm"),
    "console": QT_TRANSLATE_NOOP("AuditTrail", "Console"),
    "sensor_batch": QT_TRANSLATE_NOOP("AuditTrail", "Sensor readings"),
    "shift": QT_TRANSLATE_NOOP("AuditTrail", "Shift"),
    "handover": QT_TRANSLATE_NOOP("AuditTrail", "Handover"),
    "photos": QT_TRANSLATE_NOOP("AuditTrail", "Photos"),
    "basemap": QT_TRANSLATE_NOOP("AuditTrail", "Base map"),
    "detection": QT_TRANSLATE_NOOP("AuditTrail", "Detection"),
}
RESULT_KEYS = tuple(_RESULTS)
ACTION_KEYS = tuple(str(a) for a in Action) + tuple(_ACTIONS)


def column_title(key: str) -> str:
    return translate(CTX, dict(COLUMNS)[key])


def result_text(result: str | None) -> str:
    return translate(CTX, _RESULTS[result]) if result in _RESULTS else (result or "")


def action_text(action: str | None) -> str:
    if action in _ACTIONS:
        return translate(CTX, _ACTIONS[action])
    try:
        return labels.action_label(Action(action))
    except ValueError:
        return action or ""


def kind_text(kind: str | None) -> str:
    return translate(CTX, _KINDS[kind]) if kind in _KINDS else (kind or "")


def role_text(role: str | None) -> str:
    try:
        return labels.role_label(Role(role))
    except ValueError:
        return role or ""


def time_text(iso: str | None) -> str:
    """Server and console times in the city's time zone, to the second (`app.platform.times`)."""
    return times.fmt(iso, "seconds")


def cell_text(entry: AuditEntry, key: str) -> str:
    """What a lead reads in column `key` (also the CSV cell)."""
    value = getattr(entry, key)
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    if key in ("at", "client_time"):
        text = time_text(value)
        raw = detail.get("client_time_raw") if key == "client_time" else None
        return text or (translate(CTX, QT_TRANSLATE_NOOP("AuditTrail", "unusable: {raw}")).format(raw=raw) if raw else "")
    if key == "offline":
        return translate(CTX, QT_TRANSLATE_NOOP("AuditTrail", "offline")) if value else ""
    if key == "action":
        return action_text(value)
    if key == "result":
        return result_text(value)
    if key == "role":
        return role_text(value)
    if key == "entity_kind":
        return kind_text(value)
    if key == "detail":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if key == "seq" and entry.chain:  # a city's chain counts its own entries: its label, as hashed
        return f"{entry.chain}@{value}"
    if key == "entity_id" and entry.entity_kind == "case" and detail.get("number"):
        return detail["number"]  # the case number the lead knows; the UUID is in the tooltip
    return "" if value is None else str(value)


def case_ref(cache, text: str | None) -> str | None:
    """The object id to filter on for what a lead typed: a case number (or provisional number) found in
    the local cache becomes the case's UUID; anything else is used as typed. Reads the cache: call it off
    the GUI thread."""
    if not text:
        return text
    try:
        return str(uuid.UUID(text))
    except ValueError:
        pass
    if cache is not None:
        found = cache.find_case_ids(text)
        if found:
            return str(found[0])
    return text


@dataclass(frozen=True)
class AuditQuery:
    """The lead's filter; every field optional. `start` inclusive, `end` exclusive (server time)."""

    start: datetime | None = None
    end: datetime | None = None
    actor: str | None = None
    action: str | None = None
    entity_id: str | None = None
    console_id: str | None = None
    result: str | None = None
    offline: bool | None = None
    chain: str | None = None  # one chain: `PLATFORM_CHAIN_PARAM` or a city's 4 digits (None: every chain)

    def params(self) -> dict[str, Any]:
        """The query string of `GET /api/audit` (empty criteria left out)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, bool):
                value = "true" if value else "false"
            out[f.name] = value.strip() if isinstance(value, str) else value
        return out


def export_csv(client, query: AuditQuery, path: str | Path, *,
               progress: Callable[[int], None] | None = None) -> int:
    """Write every entry matching `query` (newest first, as the viewer shows them) to `path` as CSV in
    UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right), with translated
    column titles. Pages through the server; written to a temporary file first, so a failure halfway
    leaves no half-written export. Returns the number of entries."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".audit-", suffix=".csv", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([column_title(key) for key in COLUMN_KEYS])
            before = None
            while True:
                page = client.audit(**query.params(), before=before, limit=EXPORT_PAGE)
                for entry in page.entries:
                    writer.writerow([cell_text(entry, key) for key in COLUMN_KEYS])
                count += len(page.entries)
                if progress is not None:
                    progress(count)
                before = page.next_before
                if before is None:
                    break
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
