"""An in-memory stand-in for the OneGrid server, speaking ServerClient's Python API.

It applies commands with the same `workflow.apply` the real server uses, deduplicates by command_id and
keeps a changes feed with one (latest) position per entity, which is enough to unit-test the cache and
the engine without HTTP. The real server is exercised by the integration tests.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence
from uuid import UUID

from app.cases import workflow
from app.cases.case import Case
from app.cases.commands import BatchResult, Command, CommandResult
from app.cases.workflow import Actor
from app.platform.entity_commands import EntityCommand, EntityCommandResult
from app.platform.feed_partition import GLOBAL, Cursor
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable
from app.wire.cases import CommandsAnswer
from app.wire.feed import Change, ChangesPage
from app.wire.platform import Health, LoginResult, UserInfo
from app.wire.shifts import OutagesAnswer


class FakeServer:
    def __init__(self, refdata, now: datetime):
        self.refdata = refdata
        self.now = now
        self.cases: dict[UUID, Case] = {}
        self.results: dict[UUID, CommandResult] = {}
        self.applied_count: dict[UUID, int] = {}
        self._feed: dict[tuple[str, str], Change] = {}
        self._position = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def _publish(self, kind: str, entity_id: str, data: dict[str, Any]) -> int:
        self._position += 1
        self._feed[(kind, entity_id)] = Change(position=self._position, kind=kind, id=entity_id, data=data)
        self._changed.notify_all()
        return self._position

    def submit(self, command: Command, actor: Actor) -> CommandResult:
        with self._lock:
            if command.command_id in self.results:
                return self.results[command.command_id]
            current = self.cases.get(command.case_id)
            try:
                case = workflow.apply(current, command, actor, self.refdata, self.tick())
            except workflow.WorkflowError as exc:
                result = CommandResult(command_id=command.command_id, case_id=command.case_id, status="rejected",
                                       reason=exc.code, message=exc.message, case=current)
            else:
                self.cases[case.id] = case
                self.applied_count[command.command_id] = self.applied_count.get(command.command_id, 0) + 1
                position = self._publish("case", str(case.id), case.model_dump(mode="json"))
                result = CommandResult(command_id=command.command_id, case_id=case.id, status="accepted",
                                       version=case.version, position=position, case=case)
            self.results[command.command_id] = result
            return result

    def set_setting(self, key: str, value: Any) -> None:
        with self._lock:
            self._publish("setting", key, {"key": key, "value": value})

    def changes(self, after: int | Cursor, limit: int, wait: float) -> ChangesPage:
        if isinstance(after, Cursor):  # a server older than partitions: one position space, the global one
            after = after.after(GLOBAL)
        with self._lock:
            if wait and self._position <= after:
                self._changed.wait(timeout=wait)
            entries = sorted((c for c in self._feed.values() if c.position > after), key=lambda c: c.position)
            page = entries[:limit]
            cursor = page[-1].position if page else after
            return ChangesPage(changes=page, cursor=cursor, more=len(entries) > limit, server_time=self.now)


class FakeClient:
    """ServerClient's interface on a FakeServer, with switches for the failures the engine must survive."""

    def __init__(self, server: FakeServer, actor: Actor):
        self.server = server
        self.actor = actor
        self.base_url = "fake://server"
        self.token: str | None = "token"
        self.clock_offset_s: float | None = 0.0
        self.down = False            # every call raises ServerUnreachable
        self.lose_answers = 0        # this many pushes are applied but their answer is lost
        self.refuse_command: UUID | None = None  # a batch containing it gets a 422
        self.pushes: list[list[UUID]] = []
        self.entity_commands: list[EntityCommand] = []  # applied as they come: no entity of any kind here
        self.outages: list[dict] = []

    def set_token(self, token: str | None) -> None:
        self.token = token

    def _check(self) -> None:
        if self.down:
            raise ServerUnreachable("fake server is down")
        if self.token is None:
            raise AuthExpired("not_logged_in", "no token")
        if self.token == "expired":
            raise AuthExpired("token_expired", "token expired")

    def login(self, username: str, password: str, console_id: str | None = None) -> LoginResult:
        if self.down:
            raise ServerUnreachable("fake server is down")
        if password != f"demo-{username}":
            raise ServerRefused(401, "bad_credentials", "wrong username or password")
        self.token = "token"
        return LoginResult(token="token", expires_at=self.server.now + timedelta(hours=12),
                           user=UserInfo(username=self.actor.username, display_name="Test",
                                         role=self.actor.role, unit_id=self.actor.unit_id),
                           server_time=self.server.now)

    def refdata(self, etag: str | None = None) -> dict | None:
        self._check()
        return None if etag == self.server.refdata.version else self.server.refdata.to_dict()

    def push(self, commands: Sequence[Command | EntityCommand]) -> BatchResult | CommandsAnswer:
        self._check()
        if any(isinstance(c, EntityCommand) for c in commands):
            self.entity_commands.extend(commands)
            return CommandsAnswer(results=[EntityCommandResult(command_id=c.command_id, status="accepted")
                                           for c in commands], server_time=datetime.now(timezone.utc))
        ids = [c.command_id for c in commands]
        self.pushes.append(ids)
        if self.refuse_command in ids:
            raise ServerRefused(422, "invalid_command", "the server cannot read this command")
        results = [self.server.submit(c, self.actor) for c in commands]
        if self.lose_answers:
            self.lose_answers -= 1
            raise ServerUnreachable("connection reset while reading the answer")
        return BatchResult(results=results, server_time=datetime.now(timezone.utc))

    def changes(self, after: int, limit: int = 1000, wait: float = 0) -> ChangesPage:
        return self.parse_changes(self.fetch_changes(after, limit, wait))

    def fetch_changes(self, after: int, limit: int = 1000, wait: float = 0) -> ChangesPage:
        self._check()
        return self.server.changes(after, limit, wait)

    @staticmethod
    def parse_changes(page: ChangesPage) -> ChangesPage:
        return page

    def report_outages(self, console_id: str, outages) -> OutagesAnswer:
        self._check()
        self.outages.extend(outages)
        return OutagesAnswer(stored=len(outages), duplicates=0)

    def healthz(self) -> Health:
        if self.down:
            raise ServerUnreachable("fake server is down")
        return Health(status="ok", database="ok")
