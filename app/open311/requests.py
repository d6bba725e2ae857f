"""A service request in and out: the spec's POST fields checked into the case a create command opens,
and a case shown as a service request.

What a citizen app is shown of a case is what any citizen may see: never the reporter's name, phone or
e-mail (ours or anyone's), nor the operators' notes. The description is shown with phone numbers and
e-mail addresses blanked (a hotline operator may have typed a caller's number into it), and
`status_notes` is a fixed sentence per status, not the free text of the last event.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from app.open311 import services
from app.open311.formats import Open311Error
from app.platform.edge_types import PHONE_RULE, phone_ok
from app.platform.enums import Priority, Source, Status
from app.refdata.model import RefData

CLOSED_STATUSES = frozenset({Status.CLOSED, Status.VOIDED})

STATUS_NOTES = {
    Status.REPORTED: "Received; waiting to be accepted by the center.",
    Status.REGISTERED: "Accepted by the center; waiting to be dispatched.",
    Status.DISPATCHED: "Sent to the responsible unit.",
    Status.IN_PROGRESS: "The responsible unit is working on it.",
    Status.RETURNED: "Being sent to the right unit.",
    Status.HANDLED: "The unit reports it fixed; waiting for a check.",
    Status.VERIFYING: "An inspector is checking the work.",
    Status.SUSPENDED: "On hold; it waits on something outside the center.",
    Status.CLOSED: "Fixed and checked.",
    Status.VOIDED: "Closed without action (a duplicate, not in scope, or not found).",
    Status.MERGED: "Reported before by someone else; handled as that request.",
}

_PHONE = re.compile(r"\+?\d[\d\s-]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
MAX_DESCRIPTION = 4000
MAX_FIELD = 200


def spec_status(status: str) -> str:
    """A merged repeat's own status, without its master (its answer shows the master's): closed."""
    return "closed" if Status(status) in CLOSED_STATUSES or status == Status.MERGED else "open"


def statuses_for(spec: str) -> list[str]:
    """The case statuses a spec status (`open` / `closed`) stands for; a merged repeat stands for its
    master's, so it is filtered once its master is read (`server.open311.query.with_context`)."""
    closed = spec == "closed"
    return [str(s) for s in Status if s != Status.MERGED and (s in CLOSED_STATUSES) == closed]


def public_text(text: str) -> str:
    return _EMAIL.sub("[e-mail]", _PHONE.sub("[phone]", text))


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _w3c(value: Any) -> str | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.isoformat(timespec="seconds")


def service_request(case: Mapping[str, Any], refdata: RefData, *, master: Mapping[str, Any] | None = None,
                    media_url: str = "") -> dict[str, Any]:
    """The spec's fields of a case (`case` is the case's JSON, as stored). A repeat merged into a master
    (`master`: its number, status, unit and last change) answers with the master's status and unit and
    names its number: the reporter follows the one case that is worked on. `media_url`: the URL of the
    media a citizen uploaded with it (a media URL sent with the request wins)."""
    status = Status(case["status"])
    notes = STATUS_NOTES[status]
    unit_id = case.get("unit_id")
    updated = case.get("updated_at")
    if status == Status.MERGED and master is not None:
        status = Status(master["status"])
        notes = f"A repeat of request {master.get('number') or ''}, which is handled in its place: {STATUS_NOTES.get(status, '')}"
        unit_id = master.get("unit_id")
        updated = max(_moment(updated), _moment(master.get("updated_at")))
    agency = ""
    if unit_id and refdata.has_unit(unit_id):
        agency = refdata.unit(unit_id).name
    code = case["category_code"]
    name = refdata.category(code).name if refdata.has_category(code) else code
    location = case.get("location") or {}
    media = next((a for a in case.get("attachments") or () if str(a).startswith(("http://", "https://"))), media_url)
    return {
        "service_request_id": case.get("number") or "",
        "status": spec_status(status),
        "status_notes": notes,
        "service_name": name,
        "service_code": code,
        "description": public_text(case.get("description") or ""),
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": _w3c(case.get("created_at")),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(case.get("due_at")) or "",
        "address": location.get("address") or "",
        "address_id": "",
        "zipcode": "",
        "lat": location.get("lat"),
        "long": location.get("lon"),
        "media_url": media,
    }


def _field(fields: Mapping[str, str], name: str, limit: int = MAX_FIELD) -> str:
    value = (fields.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise Open311Error(400, f"{name} holds a NUL character")
    return value


def _coordinate(fields: Mapping[str, str], name: str, low: float, high: float) -> float:
    raw = _field(fields, name)
    if not raw:
        raise Open311Error(400, "lat and long are required: this jurisdiction places a report by its coordinates "
                                "(address_string alone cannot be placed)")
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} is not a number: {raw[:40]!r}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise Open311Error(400, f"{name} {raw[:40]} is outside {low}..{high}")
    return value


def create_payload(fields: Mapping[str, str], refdata: RefData) -> tuple[dict[str, Any], dict[str, str]]:
    """The case's create payload (source `citizen_app`) and the reporter's extra contact (`email`,
    `device_id`, `account_id`, kept beside the case) from the spec's POST fields. Raises Open311Error (400,
    404 for an unknown service code) naming the field."""
    code = _field(fields, "service_code", 16)
    if not code:
        raise Open311Error(400, "service_code is required")
    if not refdata.has_category(code):
        raise Open311Error(404, f"service_code {code} is not a service of this jurisdiction (GET services lists them)")
    category = refdata.category(code)
    lat = _coordinate(fields, "lat", -90, 90)
    lon = _coordinate(fields, "long", -180, 180)
    grid = refdata.grid_at(lat, lon)
    if grid is None:
        raise Open311Error(400, f"lat {lat}, long {lon} is outside the city this jurisdiction serves")
    description = _field(fields, "description", MAX_DESCRIPTION)
    answers: list[str] = []
    priority: str | None = None
    object_code: str | None = None
    for attribute in services.attributes(category):
        key = f"attribute[{attribute['code']}]"
        answer = _field(fields, key)
        if not answer:
            if attribute["required"]:
                raise Open311Error(400, f"{key} is required for service {code}: {attribute['description']}")
            continue
        allowed = [v["key"] for v in attribute.get("values", ())]
        if allowed and answer not in allowed:
            raise Open311Error(400, f"{key} must be one of {', '.join(allowed)}")
        if attribute["code"] == services.OBJECT_CODE:
            if not re.fullmatch(services.object_code_pattern(), answer):
                raise Open311Error(400, f"{key} is not an asset code (digits: county, class, serial)")
            object_code = answer
        elif attribute["code"] == services.DANGER and answer == "yes":
            priority = str(Priority.URGENT)
        answers.append(f"{attribute['code']}={answer}")
    if not description:
        description = f"{category.name} ({category.name_en})"
    if answers:
        description = f"{description}\n[{'; '.join(answers)}]"
    address = _field(fields, "address_string", 300)
    media_url = _field(fields, "media_url", 2000)
    if media_url and not media_url.startswith(("http://", "https://")):
        raise Open311Error(400, "media_url must be an http or https URL")
    name = " ".join(p for p in (_field(fields, "first_name", 50), _field(fields, "last_name", 50)) if p)
    phone = _field(fields, "phone", 40)
    if phone and not phone_ok(phone):
        raise Open311Error(400, f"phone {PHONE_RULE}")
    payload: dict[str, Any] = {
        "source": str(Source.CITIZEN_APP), "category_code": code, "description": description[:MAX_DESCRIPTION],
        "location": {"lat": lat, "lon": lon, "address": address, "grid_code": grid.code},
        "reporter_name": name[:100], "reporter_phone": phone,
        "attachments": [media_url] if media_url else [],
    }
    if priority:
        payload["priority"] = priority
    if object_code:
        payload["object_code"] = object_code
    email = _field(fields, "email")
    if email and not _EMAIL.fullmatch(email):
        raise Open311Error(400, "email is not an e-mail address")
    contact = {"email": email, "device_id": _field(fields, "device_id"), "account_id": _field(fields, "account_id")}
    return payload, contact
