"""Wire types of the console ⇄ server contract (docs/ARCHITECTURE.md) that `app.cases.commands` does not
already define: the login answer and the changes feed. Plain data, no I/O."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.platform.enums import Role


class _Wire(BaseModel):
    # The server may add fields; the console must keep working with a newer server.
    model_config = ConfigDict(extra="ignore", frozen=True)


class UserInfo(_Wire):
    username: str
    display_name: str = ""
    role: Role
    unit_id: str | None = None


class LoginResult(_Wire):
    token: str
    expires_at: datetime
    user: UserInfo
    server_time: datetime


class Change(_Wire):
    """One feed entry. kind `case`: data is the full case JSON; kind `setting`: data is {key, value};
    kind `scope_exit` (`app.platform.scope`): the entity `id` of kind `data.kind` left the user's scope."""

    position: int
    kind: str  # unknown kinds (from a newer server) are skipped by the cache
    id: str
    data: dict[str, Any]


class ChangesPage(_Wire):
    changes: list[Change]
    cursor: int
    more: bool
    scope: str | None = None  # `app.platform.scope.scope_tag` of what the user sees (None: a server without it)
    server_time: datetime
