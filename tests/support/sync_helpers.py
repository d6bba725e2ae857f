"""Small builders shared by the sync tests (and the kill -9 subprocess)."""
from __future__ import annotations

import socket
from typing import Any

from app.cases.workflow import Actor
from app.platform.enums import Role

OPERATOR = Actor("operator1", Role.OPERATOR)
OPERATOR2 = Actor("operator2", Role.OPERATOR)
LEAD = Actor("lead1", Role.SHIFT_LEAD)

PASSWORDS = {"operator1": "demo-operator1", "operator2": "demo-operator2", "operator3": "demo-operator3",
             "lead1": "demo-lead1", "lead2": "demo-lead2", "handler_water_supply": "demo-handler_water_supply",
             "handler_roads": "demo-handler_roads", "inspector1": "demo-inspector1", "inspector2": "demo-inspector2"}


def create_payload(refdata, n: int = 0, *, category: str | None = None) -> dict[str, Any]:
    """A valid CREATE payload inside one of the demo city's grids."""
    grid = refdata.grids[n % len(refdata.grids)]
    lat, lon = grid.centroid
    return {
        "source": "hotline",
        "category_code": category or refdata.categories[n % len(refdata.categories)].code,
        "description": f"test report {n}",
        "location": {"lat": lat, "lon": lon, "address": f"test address {n}"},
    }


def dispatch_unit(refdata) -> str:
    """A member unit that cases can be dispatched to."""
    return next(u.id for u in refdata.units if u.parent_id is not None)


def other_unit(refdata, unit_id: str) -> str:
    return next(u.id for u in refdata.units if u.parent_id is not None and u.id != unit_id)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
