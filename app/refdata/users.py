"""users.json: the accounts (an optional file; demo passwords only)."""
from __future__ import annotations

from pathlib import Path

from app.platform.enums import Role
from app.refdata.entities import User
from app.refdata.errors import Src
from app.refdata.files import Fields, first_duplicate, read_json, require_list
from app.refdata.jurisdictions import check_code

__all__ = ["parse_users", "users_from_items"]


def users_from_items(items: list, src: Src) -> list[User]:
    users = []
    for i, obj in enumerate(items):
        f = Fields(obj, src, i)
        username = f.text("username")
        role_text = f.text("role")
        try:
            role = Role(role_text)
        except ValueError:
            raise f.error(f"user {username!r}: unknown role {role_text!r} (expected one of "
                          f"{', '.join(r.value for r in Role)})") from None
        unit_id = f.opt_str("unit_id")
        if role is Role.UNIT_HANDLER and unit_id is None:
            raise f.error(f"user {username!r}: a unit_handler needs a unit_id")
        password = obj.get("password")
        if password is not None and not isinstance(password, str):
            raise f.error(f"user {username!r}: password must be a string or null")
        codes = obj.get("jurisdictions") or []
        if not isinstance(codes, list):
            raise f.error(f"user {username!r}: jurisdictions must be a list of codes")
        for code in codes:
            if why := check_code(code):
                raise f.error(f"user {username!r}: {why}")
        users.append(User(username=username,
                          display_name=f.text("display_name", required=False) or username,
                          role=role, unit_id=unit_id, password=password or None,
                          jurisdictions=tuple(dict.fromkeys(codes))))
    dup = first_duplicate(u.username for u in users)
    if dup:
        raise src.error(dup[1], f"duplicate username {dup[2]!r} (first at {src.at(dup[0])})")
    return users


def parse_users(path: Path) -> list[User]:
    path = Path(path)
    items = require_list(read_json(path), path.name, "users")
    return users_from_items(items, Src.items(path.name, len(items)))
