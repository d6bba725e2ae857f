"""devices.json: the vehicles and handsets that report positions (AVL), each with its kind, its member
unit and, where one carries it, its person (an optional file beside the other reference data).

Kept beside `RefData` rather than inside it: the console learns each device's kind, unit and person from
the position entries of the feed (`app.avl.positions`), so the bundle every console downloads (and its
version) does not change when a truck is added."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.refdata.errors import RefDataError, Src
from app.refdata.files import Fields, first_duplicate, read_json, require_list

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

__all__ = ["DEVICES_FILE", "DEVICE_KINDS", "Device", "devices_from_items", "load_devices", "parse_devices"]

DEVICES_FILE = "devices.json"
DEVICE_KINDS = ("sanitation_truck", "muck_truck", "patrol_car", "inspector_handset")
_ID_MAX = 64


@dataclass(frozen=True)
class Device:
    """A GPS device: a vehicle's box or a person's handset."""

    id: str
    kind: str
    unit_id: str
    person: str | None = None  # a username of the reference data (the inspector carrying a handset)
    name: str = ""             # a plate number or a call sign

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "unit_id": self.unit_id, "person": self.person,
                "name": self.name}


def devices_from_items(items: list, src: Src, refdata: RefData | None = None) -> list[Device]:
    """Parse and check the devices; with `refdata`, their units and people must exist there."""
    devices = []
    for i, obj in enumerate(items):
        f = Fields(obj, src, i)
        did = f.text("id")
        if len(did) > _ID_MAX or "/" in did or "+" in did or "#" in did:
            raise f.error(f"device {did!r}: an id is at most {_ID_MAX} characters without / + or # "
                          f"(it is an MQTT topic level)")
        kind = f.text("kind")
        if kind not in DEVICE_KINDS:
            raise f.error(f"device {did!r}: unknown kind {kind!r} (expected one of {', '.join(DEVICE_KINDS)})")
        unit = f.text("unit_id")
        person = f.text("person", required=False) or None
        if refdata is not None:
            if not refdata.has_unit(unit):
                raise f.error(f"device {did!r}: unknown unit {unit!r}")
            if person is not None:
                try:
                    refdata.user(person)
                except RefDataError:
                    raise f.error(f"device {did!r}: unknown person {person!r}") from None
        if kind == "inspector_handset" and person is None:
            raise f.error(f"device {did!r}: an inspector_handset needs its person")
        devices.append(Device(id=did, kind=kind, unit_id=unit, person=person,
                              name=f.text("name", required=False) or ""))
    dup = first_duplicate(d.id for d in devices)
    if dup:
        raise src.error(dup[1], f"duplicate device id {dup[2]!r} (first at {src.at(dup[0])})")
    return devices


def parse_devices(path: Path, refdata: RefData | None = None) -> list[Device]:
    path = Path(path)
    items = require_list(read_json(path), path.name, "devices")
    return devices_from_items(items, Src.items(path.name, len(items)), refdata)


def load_devices(directory: Path, refdata: RefData | None = None) -> list[Device]:
    """The devices of a reference-data folder; none when it has no devices.json."""
    path = Path(directory) / DEVICES_FILE
    return parse_devices(path, refdata) if path.exists() else []
