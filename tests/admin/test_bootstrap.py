"""Database preparation for the admin CLI: init_db, add_user, import_refdata."""
from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select

from app.refdata.errors import RefDataError
from app.refdata.loading import demo_dir
from db.platform import UserRow
from db.refdata import RefDataRow
from server.admin.bootstrap import BootstrapError, add_user, import_refdata, init_db
from server.platform.auth import verify_password
from server.platform.database import Database
from tests.support.server import Harness


def _users(url) -> dict[str, UserRow]:
    db = Database(url)
    try:
        with db.reader() as session:
            return {u.username: u for u in session.execute(select(UserRow)).scalars()}
    finally:
        db.dispose()


def test_init_db_loads_the_demo_city_and_users_idempotently(server_db_url, refdata):
    loaded = init_db(server_db_url, demo_users=True)
    assert loaded.version == refdata.version
    users = _users(server_db_url)
    assert set(users) == {u.username for u in refdata.users}
    assert verify_password(users["lead1"].password_hash, "demo-lead1")
    assert users["handler_roads"].unit_id == "roads" and users["handler_roads"].role == "unit_handler"
    before = {name: u.password_hash for name, u in users.items()}
    init_db(server_db_url, demo_users=True)  # again: nothing is replaced
    assert {name: u.password_hash for name, u in _users(server_db_url).items()} == before


def test_a_throwaway_demo_database_hashes_quickly_and_logins_upgrade_the_hash(sqlite_url):
    from argon2 import extract_parameters

    from server.platform.auth import check_credentials, password_hasher

    init_db(sqlite_url, demo_users=True, throwaway=True)
    stored = _users(sqlite_url)["lead1"].password_hash
    assert verify_password(stored, "demo-lead1") and not verify_password(stored, "demo-lead2")
    assert extract_parameters(stored).time_cost == 1
    assert password_hasher.check_needs_rehash(stored)  # what a login looks at: it stores a production hash
    row = _users(sqlite_url)["lead1"]
    assert check_credentials(row, "demo-lead1")[1] is not None                 # an ordinary server upgrades it
    assert check_credentials(row, "demo-lead1", upgrade=False)[1] is None      # a demo server keeps it


def test_init_db_without_demo_users_creates_none(sqlite_url):
    init_db(sqlite_url)
    assert _users(sqlite_url) == {}


def test_add_user(sqlite_url):
    init_db(sqlite_url)
    add_user(sqlite_url, "zhao", "s3cret", "unit_handler", "drainage", "赵工")
    user = _users(sqlite_url)["zhao"]
    assert (user.role, user.unit_id, user.display_name, user.active) == ("unit_handler", "drainage", "赵工", True)
    assert verify_password(user.password_hash, "s3cret") and "s3cret" not in user.password_hash
    with pytest.raises(BootstrapError, match="already exists"):
        add_user(sqlite_url, "zhao", "other", "operator")
    add_user(sqlite_url, "zhao", "other", "operator", replace=True)
    user = _users(sqlite_url)["zhao"]
    assert user.role == "operator" and user.unit_id is None and verify_password(user.password_hash, "other")


@pytest.mark.parametrize("kwargs, problem", [
    ({"role": "wizard"}, "unknown role"),
    ({"role": "system"}, "system"),
    ({"role": "unit_handler"}, "needs a unit_id"),
    ({"role": "unit_handler", "unit_id": "atlantis"}, "unknown unit"),
    ({"role": "operator", "password": ""}, "password"),
    ({"role": "operator", "username": ""}, "bad username"),
])
def test_add_user_refuses_bad_accounts(sqlite_url, kwargs, problem):
    init_db(sqlite_url)
    args = {"username": "x", "password": "pw", "unit_id": None, **kwargs}
    with pytest.raises(BootstrapError, match=problem):
        add_user(sqlite_url, args.pop("username"), args.pop("password"), args.pop("role"), args.pop("unit_id"))


def test_import_refdata_is_picked_up_by_a_running_server(sqlite_url, tmp_path, refdata, clock):
    init_db(sqlite_url, demo_users=True)
    city = tmp_path / "city"
    shutil.copytree(demo_dir(), city)
    units = json.loads((city / "units.json").read_text(encoding="utf-8"))
    units[1]["phone"] = "0571-00000000"
    (city / "units.json").write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    with Harness(sqlite_url, None, clock) as srv:
        srv.ctx.refdata_store._recheck_s = 0  # re-read at every use instead of every 15 s
        headers = srv.login("operator1")
        first = srv.client.get("/api/refdata", headers=headers)
        imported = import_refdata(sqlite_url, city)
        assert imported.version != refdata.version
        second = srv.client.get("/api/refdata", headers={**headers, "If-None-Match": first.headers["etag"]})
        assert second.status_code == 200 and second.json()["version"] == imported.version
        assert second.json()["units"][1]["phone"] == "0571-00000000"


def test_import_refdata_refuses_a_broken_folder(sqlite_url, tmp_path, refdata):
    init_db(sqlite_url)
    city = tmp_path / "city"
    shutil.copytree(demo_dir(), city)
    (city / "units.json").write_text("[]", encoding="utf-8")
    with pytest.raises(RefDataError):
        import_refdata(sqlite_url, city)
    db = Database(sqlite_url)
    with db.reader() as session:
        assert session.execute(select(RefDataRow.version)).scalar() == refdata.version
    db.dispose()
