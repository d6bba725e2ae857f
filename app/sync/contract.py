"""What the sync engine needs of a server: `app.sync.client.ServerClient` over HTTP, or a test's stand-in
(`tests/support/fake_server.py`). Written down so the engine calls it without probing for methods."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from app.cases.commands import BatchResult, Command
from app.platform.entity_commands import EntityCommand
from app.platform.feed_partition import Cursor
from app.wire.cases import CommandsAnswer
from app.wire.feed import ChangesPage
from app.wire.feed_decode import DecodedPage
from app.wire.platform import Health
from app.wire.shifts import OutagesAnswer


class SyncServer(Protocol):
    token: str | None
    clock_offset_s: float | None  # server clock minus ours, when known

    def set_token(self, token: str | None) -> None: ...

    def refdata(self, etag: str | None = None) -> dict[str, Any] | None: ...

    def push(self, commands: Sequence[Command | EntityCommand]) -> BatchResult | CommandsAnswer: ...

    def fetch_changes(self, after: int | Cursor, limit: int = 1000, wait: float = 0) -> Any: ...

    def parse_changes(self, response: Any) -> ChangesPage | DecodedPage: ...

    def open_changes_stream(self, after: Cursor, limit: int = 1000) -> Any: ...  # PushUnavailable: not offered

    def report_outages(self, console_id: str, outages: Sequence[dict[str, Any]]) -> OutagesAnswer: ...

    def healthz(self) -> Health: ...
