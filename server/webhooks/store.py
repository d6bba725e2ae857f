"""Subscriptions and dead letters in the database (used by `onegrid-ctl webhooks` and the dispatcher),
and the stream itself: the feed's case entries after a subscription's cursor, in feed order per partition.

The feed is partitioned per city (`app.platform.feed_partition`): a position orders its partition only, so a
subscription keeps a position per partition (`cursor`, a `Cursor` in its wire text, like a console's) and
the stream reads each partition after its own position — correct while several cities write at once, where
one position across partitions would skip a city's change committed after another city's higher one. A
subscription made before partitions has only `position`: it is the default of every partition (exact, as
for a console's old cursor)."""
from __future__ import annotations

import heapq
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.platform.feed_partition import (
    COUNTER_PREFIX,
    FEED_COUNTER,
    GLOBAL,
    GLOBAL_NAME,
    Cursor,
    counter_partition,
)
from db.cases import CaseRow
from db.feed import FeedRow
from db.platform import CounterRow
from db.webhooks import WebhookDeadLetterRow, WebhookSubscriptionRow

log = logging.getLogger(__name__)

CASE_KIND = "case"


class WebhookError(ValueError):
    """An admin's request that cannot be done (named in the message)."""


@dataclass(frozen=True)
class StreamEvent:
    position: int
    event_id: str
    body: dict[str, Any]
    partition: str = GLOBAL


def subscription_cursor(row: WebhookSubscriptionRow) -> Cursor:
    """Where a subscription stands in every partition (`cursor`; before partitions, `position` for all)."""
    if row.cursor:
        cursor = Cursor.from_wire(row.cursor)
        if cursor is not None:
            return cursor
        log.error("webhook subscription %s: its stored cursor %r is unreadable; using position %d", row.name,
                  row.cursor, row.position)
    return Cursor(default=row.position)


def set_cursor(row: WebhookSubscriptionRow, cursor: Cursor) -> None:
    row.cursor = cursor.to_wire()
    row.position = cursor.after(GLOBAL)  # what `webhooks list` showed before partitions


def feed_heads(session: Session) -> Cursor:
    """Every partition's last committed position (its counter: a feed row is written with its counter's
    row lock held, so a committed counter value is never ahead of a committed row)."""
    counters = CounterRow.__table__
    rows = session.execute(select(counters.c.name, counters.c.value).where(
        or_(counters.c.name == FEED_COUNTER, counters.c.name.startswith(COUNTER_PREFIX))))
    return Cursor({p: value for name, value in rows if (p := counter_partition(name)) is not None})


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise WebhookError(f"not an http(s) URL: {url[:100]!r}")
    return url


def add_subscription(session: Session, name: str, url: str, now: datetime, *, secret: str | None = None,
                     from_start: bool = False) -> tuple[WebhookSubscriptionRow, str]:
    """A new subscription (and its secret, generated unless given). It starts at the feed's head in every
    partition (only changes from now on) unless `from_start`, which sends every case's current state first."""
    if session.execute(select(WebhookSubscriptionRow.id).where(WebhookSubscriptionRow.name == name)).first():
        raise WebhookError(f"a subscription named {name!r} exists already")
    secret = secret or secrets.token_urlsafe(32)
    head = Cursor() if from_start else feed_heads(session)
    row = WebhookSubscriptionRow(id=uuid.uuid4(), name=name, url=check_url(url), secret=secret, active=True,
                                 position=0, attempts=0, next_attempt_at=None, last_error="", delivered=0,
                                 created_at=now)
    set_cursor(row, head)
    session.add(row)
    session.flush()
    log.info("webhook subscription %s added (%s), from %s", name, row.url, row.cursor)
    return row, secret


def subscription(session: Session, name: str) -> WebhookSubscriptionRow:
    row = session.execute(select(WebhookSubscriptionRow).where(WebhookSubscriptionRow.name == name)).scalar_one_or_none()
    if row is None:
        raise WebhookError(f"no subscription named {name!r}")
    return row


def remove_subscription(session: Session, name: str) -> None:
    session.delete(subscription(session, name))
    log.info("webhook subscription %s removed", name)


def list_subscriptions(session: Session) -> list[WebhookSubscriptionRow]:
    return list(session.execute(select(WebhookSubscriptionRow).order_by(WebhookSubscriptionRow.name)).scalars())


# Dead letters in the order they died (the stream's order: each partition's by position, the partitions
# interleaved as they were sent); a position alone orders one partition only
DEAD_LETTER_ORDER = (WebhookDeadLetterRow.failed_at, WebhookDeadLetterRow.partition, WebhookDeadLetterRow.position)


def partition_arg(text: str) -> str:
    """A partition as an admin names it: a city's 4 digits, or `global` (also the wire's `g`) for the global one."""
    if text in ("global", GLOBAL_NAME):
        return GLOBAL
    if len(text) == 4 and text.isdigit():
        return text
    raise WebhookError(f"a partition is a city's 4 digits or `global`, not {text[:20]!r}")


def dead_letters(session: Session, name: str, *, state: str | None = "dead",
                 partition: str | None = None) -> list[WebhookDeadLetterRow]:
    query = select(WebhookDeadLetterRow).where(WebhookDeadLetterRow.subscription_id == subscription(session, name).id)
    if state is not None:
        query = query.where(WebhookDeadLetterRow.state == state)
    if partition is not None:
        query = query.where(WebhookDeadLetterRow.partition == partition)
    return list(session.execute(query.order_by(*DEAD_LETTER_ORDER)).scalars())


def replay(session: Session, name: str, ids: list[uuid.UUID] | None = None, *, partition: str | None = None) -> int:
    """Mark dead letters (all of the subscription's, or `ids`, or those of one feed `partition`) for delivery
    again, before the stream goes on."""
    sub = subscription(session, name)
    query = (update(WebhookDeadLetterRow)
             .where(WebhookDeadLetterRow.subscription_id == sub.id, WebhookDeadLetterRow.state == "dead"))
    if ids:
        query = query.where(WebhookDeadLetterRow.id.in_(ids))
    if partition is not None:
        query = query.where(WebhookDeadLetterRow.partition == partition)
    count = session.execute(query.values(state="replay")).rowcount
    sub.next_attempt_at = None  # try at once
    log.info("webhook subscription %s: %d dead letters to replay", name, count)
    return count


def event_body(position: int, case: dict[str, Any], partition: str = GLOBAL) -> StreamEvent:
    event_id = f"case:{case['id']}:v{case['version']}"
    body = {"event_id": event_id, "type": "case.changed", "position": position, "partition": partition,
            "case_id": case["id"], "number": case.get("number"), "status": case["status"],
            "version": case["version"], "occurred_at": case["updated_at"], "case": case}
    return StreamEvent(position, event_id, body, partition)


def read_stream(session: Session, after: Cursor | int, limit: int) -> list[StreamEvent]:
    """Up to `limit` case changes after `after` (a subscription's cursor; a number: that position in every
    partition): each partition's in its feed order, the partitions merged by the cases' change times (each
    case's latest state: the feed keeps one entry per case, so a case changed twice while a subscriber lagged
    arrives once, at its latest version, with its whole event history in `case.events`)."""
    cursor = after if isinstance(after, Cursor) else Cursor(default=after)
    per_partition = []
    for partition in cursor.order(feed_heads(session).positions.keys() | {GLOBAL}):
        rows = session.execute(select(FeedRow.position, CaseRow.data).join(CaseRow, CaseRow.id == FeedRow.case_id)
                               .where(FeedRow.partition == partition, FeedRow.kind == CASE_KIND,
                                      FeedRow.position > cursor.after(partition))
                               .order_by(FeedRow.position).limit(limit))
        per_partition.append([event_body(position, data, partition) for position, data in rows])
    # heapq.merge takes each list's events in their order: a partition's feed order is kept whatever the times
    merged = heapq.merge(*per_partition, key=lambda e: str(e.body["occurred_at"] or ""))
    return [event for _, event in zip(range(limit), merged)]
