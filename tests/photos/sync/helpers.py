"""A handler's console with photos against a live server, and a case walked to `in_progress` there."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import requests

from app.photos import PhotoStore
from tests.support.consoles import online_console
from tests.support.sync_helpers import PASSWORDS, create_payload

USERS = ("operator1", "lead1", "handler_water_supply", "handler_roads")
HANDLER = "handler_water_supply"


def _token(url: str, user: str) -> str:
    r = requests.post(f"{url}/api/login", json={"username": user, "password": PASSWORDS[user]}, timeout=10)
    r.raise_for_status()
    return r.json()["token"]


def server_do(url: str, user: str, action: str, case_id, payload: dict) -> dict:
    command = {"command_id": str(uuid.uuid4()), "case_id": str(case_id), "action": action, "payload": payload,
               "issued_at": datetime.now(timezone.utc).isoformat()}
    r = requests.post(f"{url}/api/commands", json={"commands": [command]},
                      headers={"Authorization": f"Bearer {_token(url, user)}"}, timeout=10)
    r.raise_for_status()
    (result,) = r.json()["results"]
    assert result["status"] == "accepted", result
    return result["case"]


def case_in_progress(url: str, refdata) -> uuid.UUID:
    case_id = uuid.uuid4()
    server_do(url, "operator1", "create", case_id, create_payload(refdata, category="C0101"))
    server_do(url, "operator1", "register", case_id, {})
    server_do(url, "operator1", "dispatch", case_id, {"unit_id": "water_supply"})
    server_do(url, HANDLER, "accept", case_id, {})
    return case_id


def handler_console(directory, url: str, user: str = HANDLER):
    console = online_console(directory, url, user)
    store = PhotoStore(directory)
    console.engine.use_photos(store)
    return console, store
