"""How a person is named on screen and on paper: '张敏 · Operator', not 'operator1'.

The reference data's user list gives each account a display name and a role; a username it does not
know (an account added since, `system`, a script) is shown as it is, so nothing is ever hidden.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.platform import labels
from app.platform.enums import Role
from app.refdata.errors import RefDataError

if TYPE_CHECKING:
    from app.refdata.entities import User
    from app.refdata.model import RefData


def _user(refdata: RefData | None, username: str | None) -> User | None:
    if refdata is None or not username:
        return None
    try:
        return refdata.user(username)
    except RefDataError:  # an account the reference data does not list
        return None


def display_name(refdata: RefData | None, username: str | None) -> str:
    """The account's display name, or the username when the reference data does not know it."""
    if not username:
        return ""
    if username == "system":
        return labels.role_label(Role.SYSTEM)
    user = _user(refdata, username)
    return (user.display_name or username) if user is not None else username


def person_text(refdata: RefData | None, username: str | None, role: Role | str | None = None) -> str:
    """'张敏 · Shift lead': the display name and the role (the one the event was taken in, when given,
    else the account's); just the name when neither role is known."""
    name = display_name(refdata, username)
    if not name or username == "system":
        return name
    if role is None:
        user = _user(refdata, username)
        role = user.role if user is not None else None
    try:
        return f"{name} · {labels.role_label(Role(role))}" if role else name
    except ValueError:
        return name
