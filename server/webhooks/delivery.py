"""The webhook dispatcher: one thread per server process that looks at the stream every `tick_s` and hands
each subscription with something due to a small pool of delivery threads (`workers`), so a subscriber
that answers 500 forever or hangs holds one delivery thread for at most `timeout_s` per try and never the
server: requests are served by other threads, other subscribers by the rest of the pool.

Per subscription, in order: dead letters an admin asked to replay, then the stream after its cursor. An
event is posted (signed, `X-OneGrid-Event-Id` = its idempotency key) until a 2xx answer moves the cursor
past it. A failure leaves the cursor and waits `backoff_s(attempts)`; after `max_attempts` failures the
event becomes a dead letter and the cursor moves on. So delivery is at least once (a 2xx lost on the way
back is sent again; the subscriber drops an event id it has seen), in feed order per partition (a city's
changes in their order; `server.webhooks.store.read_stream` interleaves the cities by change time) per
subscriber, and a subscriber that was down catches up in order when it answers again.

With several server processes on PostgreSQL only the one holding the advisory lock `onegrid:webhooks`
delivers (a connection of its own), so two processes never post the same stream at once.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from sqlalchemy import select

from app.platform.feed_partition import Cursor
from app.webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, signature
from db.webhooks import WebhookDeadLetterRow, WebhookSubscriptionRow
from server.platform.advisory import SessionLocks
from server.webhooks.settings import WebhookSettings
from server.webhooks.store import (
    DEAD_LETTER_ORDER,
    StreamEvent,
    read_stream,
    set_cursor,
    subscription_cursor,
)

log = logging.getLogger(__name__)

DISPATCH_LOCK = "onegrid:webhooks"


def post_event(url: str, secret: str, event_id: str, body: dict, timeout_s: float) -> str | None:
    """Post one event; None when the subscriber took it (2xx), else what went wrong."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", EVENT_ID_HEADER: event_id, "Idempotency-Key": event_id,
               SIGNATURE_HEADER: signature(secret, int(time.time()), data), "User-Agent": "OneGrid-Webhooks/1"}
    try:
        answer = requests.post(url, data=data, headers=headers, timeout=(min(timeout_s, 3.0), timeout_s),
                               allow_redirects=False)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {str(exc)[:300]}"
    if 200 <= answer.status_code < 300:
        return None
    return f"HTTP {answer.status_code}"


class WebhookDispatcher:
    def __init__(self, ctx, settings: WebhookSettings | None = None):
        self.ctx = ctx
        self.settings = settings or WebhookSettings.from_env()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: set[uuid.UUID] = set()
        self._lock = threading.Lock()
        self._locks = None
        if ctx.db.is_postgres:
            self._locks = SessionLocks(ctx.settings.direct_database_url or ctx.db.url)

    # ---- life ----
    def start(self) -> None:
        self._pool = ThreadPoolExecutor(self.settings.workers, thread_name_prefix="onegrid-webhook")
        self._thread = threading.Thread(target=self._run, name="onegrid-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._pool is not None:
            # a delivery in flight ends within its timeout; its cursor is in the database, so a later
            # process goes on from there (the event may be sent again: at least once)
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._locks is not None:
            self._locks.close()

    def _run(self) -> None:
        while not self._stop.wait(self.settings.tick_s):
            try:
                self.schedule()
            except Exception:
                log.exception("webhook round failed; the next round tries again")

    # ---- a round ----
    def schedule(self) -> int:
        """Hand every due subscription not in flight to the pool; how many were handed."""
        if self._locks is not None and not self._locks.try_lock(DISPATCH_LOCK):
            return 0
        handed = 0
        for sub_id in self.due_ids():
            with self._lock:
                if sub_id in self._in_flight:
                    continue
                self._in_flight.add(sub_id)
            self._pool.submit(self._deliver_guarded, sub_id)
            handed += 1
        return handed

    def due_ids(self) -> list[uuid.UUID]:
        """The active subscriptions whose backoff, if any, has passed."""
        now = self.ctx.now()
        with self.ctx.db.reader() as session:
            return [row.id for row in session.execute(
                select(WebhookSubscriptionRow.id, WebhookSubscriptionRow.next_attempt_at)
                .where(WebhookSubscriptionRow.active.is_(True)).order_by(WebhookSubscriptionRow.created_at))
                if row.next_attempt_at is None or row.next_attempt_at <= now]

    def _deliver_guarded(self, sub_id: uuid.UUID) -> None:
        try:
            self.deliver(sub_id)
        except Exception:
            log.exception("webhook delivery for subscription %s failed; it is tried again", sub_id)
        finally:
            with self._lock:
                self._in_flight.discard(sub_id)

    def deliver(self, sub_id: uuid.UUID) -> int:
        """Deliver what is due to one subscription (blocking); how many events it took."""
        with self.ctx.db.reader() as session:
            sub = session.get(WebhookSubscriptionRow, sub_id)
            if sub is None or not sub.active:
                return 0
            url, secret, cursor = sub.url, sub.secret, subscription_cursor(sub)
            replays = [(d.id, d.event_id, d.body) for d in session.execute(
                select(WebhookDeadLetterRow).where(WebhookDeadLetterRow.subscription_id == sub_id,
                                                   WebhookDeadLetterRow.state == "replay")
                .order_by(*DEAD_LETTER_ORDER)).scalars()]
        taken = 0
        for dead_id, event_id, body in replays:
            error = post_event(url, secret, event_id, body, self.settings.timeout_s)
            with self.ctx.db.writer() as session, session.begin():
                dead = session.get(WebhookDeadLetterRow, dead_id)
                dead.attempts += 1
                if error is None:
                    dead.state, dead.replayed_at = "replayed", self.ctx.now()
                else:
                    dead.state, dead.last_error = "dead", error
            if error is not None:
                log.info("webhook %s: replay of %s failed again (%s)", sub_id, event_id, error)
                return taken
            taken += 1
        with self.ctx.db.reader() as session:
            events = read_stream(session, cursor, self.settings.batch)
        for event in events:
            error = post_event(url, secret, event.event_id, event.body, self.settings.timeout_s)
            if not self._record(sub_id, cursor, event, error):
                return taken
            if error is not None:
                return taken
            cursor = cursor.moved(event.partition, event.position)
            taken += 1
        return taken

    def _record(self, sub_id: uuid.UUID, expected: Cursor, event: StreamEvent, error: str | None) -> bool:
        """Move the cursor past `event` (taken, or dead after its last try) or count the failure; False
        when the subscription changed meanwhile (removed, or its cursor moved by someone else)."""
        now = self.ctx.now()
        with self.ctx.db.writer() as session, session.begin():
            sub = session.execute(select(WebhookSubscriptionRow).where(WebhookSubscriptionRow.id == sub_id)
                                  .with_for_update()).scalar_one_or_none()
            if sub is None or subscription_cursor(sub) != expected:
                return False
            past = expected.moved(event.partition, event.position)
            if error is None:
                set_cursor(sub, past)
                sub.attempts, sub.next_attempt_at, sub.last_error = 0, None, ""
                sub.delivered += 1
                return True
            sub.attempts += 1
            sub.last_error = error[:500]
            if sub.attempts >= self.settings.max_attempts:
                session.add(WebhookDeadLetterRow(id=uuid.uuid4(), subscription_id=sub_id, event_id=event.event_id,
                                                 partition=event.partition, position=event.position,
                                                 body=event.body, attempts=sub.attempts,
                                                 last_error=error, state="dead", failed_at=now, replayed_at=None))
                log.warning("webhook %s: event %s is a dead letter after %d tries (%s)", sub.name, event.event_id,
                            sub.attempts, error)
                set_cursor(sub, past)
                sub.attempts, sub.next_attempt_at = 0, None
            else:
                sub.next_attempt_at = now + timedelta(seconds=self.settings.backoff_s(sub.attempts))
                log.info("webhook %s: event %s failed (%s), try %d, next at %s", sub.name, event.event_id, error,
                         sub.attempts, sub.next_attempt_at.isoformat())
            return True


def start_webhooks(ctx) -> WebhookDispatcher | None:
    settings = WebhookSettings.from_env()
    if not settings.enabled:
        return None
    dispatcher = WebhookDispatcher(ctx, settings)
    dispatcher.start()
    return dispatcher


def stop_webhooks(dispatcher: WebhookDispatcher | None) -> None:
    if dispatcher is not None:
        dispatcher.stop()
