"""The sync engine's second queue: commands on other entities (the handover) and this console's offline
periods, both in the entity outbox (`app.cache.entity_outbox`). A part of `app.sync.engine.SyncEngine`
(which it is mixed into: it uses the engine's client, cache calls, state and kick), kept apart because
it is one idea: what is sent after the case outbox, through the same `push` call."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from app.platform.entity_commands import MAX_BATCH as ENTITY_BATCH
from app.platform.entity_commands import EntityCommandResult
from app.sync.client import ServerRefused, ServerUnreachable
from app.sync.net_calls import off_loop
from app.sync.state import Connection, SyncState

log = logging.getLogger(__name__)


class EntityPush:
    """Mixed into SyncEngine; expects its `client`, `kick`, `_in_cache`, `_connected`, `_entity_outbox`,
    `_last_connection` and `_answered`."""

    def _on_entity_outbox_changed(self, pending: int) -> None:
        if pending:
            self.kick()

    def _note_connectivity(self, state: SyncState) -> None:
        """Record offline periods in the entity outbox: one opens when the server stops answering and
        closes when it answers again (or the engine stops); closed ones are reported by the push loop.
        A period still open when the process ended (a CLI run that could not reach the server; a console
        killed while offline) is closed by `_server_answered` at the first answer of a later run."""
        previous, self._last_connection = self._last_connection, state.connection
        now = datetime.now(timezone.utc)
        try:
            if state.connection == Connection.OFFLINE and previous != Connection.OFFLINE:
                self._entity_outbox.outage_started(now, state.last_error)
            elif state.connection != Connection.OFFLINE and previous == Connection.OFFLINE:
                if self._entity_outbox.outage_ended(now):
                    self.kick()
        except Exception:  # the record is informative: never let it break a state change
            log.exception("recording an offline period failed")

    def _server_answered(self) -> None:
        """The first answer since this engine started or went offline closes an offline period still open
        in the outbox: then the client was cut off until now. Each run of `onegrid-ctl` has an engine of
        its own, which starts `stopped` and never sees an offline → online change; a console killed
        offline leaves its period open too. The push loop (or `sync_once`) reports it."""
        if self._answered:
            return
        self._answered = True
        try:
            if self._entity_outbox.outage_ended(datetime.now(timezone.utc)):
                log.info("offline period closed: the server answers again")
                self.kick()
        except Exception:  # the record is informative: never let it break a sync
            log.exception("closing an offline period failed")

    async def _push_entities(self) -> None:
        """Send queued entity commands (oldest first) through the same call as case commands and store the
        answers, then report closed offline periods. Each entity command is applied once by the server (by
        command_id), so a resend is harmless."""
        outbox = self._entity_outbox
        while queued := await self._in_cache(outbox.pending, ENTITY_BATCH):
            commands = [q.command for q in queued]
            try:
                answer = await off_loop(self.client.push, commands)
            except ServerUnreachable as exc:
                await self._in_cache(outbox.note_failure, [c.command_id for c in commands], str(exc))
                raise
            except ServerRefused as exc:  # the whole request refused (e.g. an older server that does not know the kind)
                log.error("server refused entity commands outright: %s", exc)
                results = [EntityCommandResult(command_id=c.command_id, status="rejected", reason=exc.error,
                                               message=exc.message) for c in commands]
            else:
                results = answer.results
            await self._in_cache(outbox.apply_results, results, datetime.now(timezone.utc))
            self._connected()
        await self._report_outages()

    async def _report_outages(self) -> None:
        """Report this client's closed offline periods (idempotent by id), then forget them."""
        outbox = self._entity_outbox
        closed = await self._in_cache(outbox.closed_outages)
        if closed:
            try:
                await off_loop(self.client.report_outages, outbox.console_id, closed)
            except ServerRefused as exc:
                if exc.error in ("console_mismatch", "console_unbound"):
                    # this login may not speak for this console (e.g. made before the cache was rebuilt
                    # under a new console id): kept for a login that can
                    log.warning("offline periods kept for the next login on this console: %s", exc)
                    return
                # e.g. a console clock gone wrong: resending cannot help
                log.error("server refused this console's offline periods, dropping them: %s", exc)
            await self._in_cache(outbox.outages_reported, [o["id"] for o in closed])
