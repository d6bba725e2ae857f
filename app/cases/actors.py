"""Who acts on a case, and the refusal of the rules: the names every part of the state machine shares
(`app.cases.workflow` and the steps it hands actions to: joint handling, on-site checks, …)."""
from __future__ import annotations

from dataclasses import dataclass

from app.platform.enums import Role


class WorkflowError(Exception):
    """A command the rules refuse. `code` is machine-readable (it travels in rejections)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    unit_id: str | None = None
    # the jurisdictions it works in (`app.refdata.jurisdictions`); none: everything
    jurisdictions: tuple[str, ...] = ()


SYSTEM_ACTOR = Actor("system", Role.SYSTEM)
