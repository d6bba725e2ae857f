"""The platform's bodies on the wire: login, health, unlocking an account, and the error body every
refusal carries."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.platform.edge_types import Text
from app.platform.enums import Role
from app.wire.base import Answer, Request


class LoginRequest(Request):
    username: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=1024)
    console_id: Text | None = Field(default=None, max_length=64)


class UserInfo(Answer):
    """The logged-in user; also how the console keeps it for an offline login, hence the defaults (the
    server always sends every field)."""

    username: str
    display_name: str = ""
    role: Role
    unit_id: str | None = None
    # what the console's own views are cut to (its sensors, the map): the server's feed already is
    jurisdictions: tuple[str, ...] = Field(default=(), description="the city, district or street codes the user "
                                                                   "works in; none: everything")


class LoginResult(Answer):
    token: str
    expires_at: datetime
    user: UserInfo
    server_time: datetime


class Health(Answer):
    status: str = Field(description="'ok' or 'unavailable'")
    database: str = Field(description="'ok' or 'unreachable: <why>'")


class UnlockAnswer(Answer):
    """The account's throttling state as it was before the unlock."""

    username: str
    was_locked: bool
    locked_until: datetime | None
    failures: int


class ErrorBody(BaseModel):
    """Every refusal and failure: `{"error": code, "message": text, "details": [...]}`."""

    model_config = ConfigDict(extra="forbid")

    error: str = Field(description="machine-readable code, e.g. not_found, forbidden, invalid_request")
    message: str = Field(description="what was wrong, for a person")
    details: list[dict[str, Any]] = Field(description="e.g. [{loc, msg}] for invalid_request; often empty")
