"""Subscriptions and dead letters in the database (used by `onegrid-ctl webhooks` and the dispatcher),
and the stream itself: the feed's case entries after a subscription's cursor, in feed order."""
from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.cases import CaseRow
from db.feed import FeedRow
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


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise WebhookError(f"not an http(s) URL: {url[:100]!r}")
    return url


def add_subscription(session: Session, name: str, url: str, now: datetime, *, secret: str | None = None,
                     from_start: bool = False) -> tuple[WebhookSubscriptionRow, str]:
    """A new subscription (and its secret, generated unless given). It starts at the feed's head (only
    changes from now on) unless `from_start`, which sends every case's current state first."""
    if session.execute(select(WebhookSubscriptionRow.id).where(WebhookSubscriptionRow.name == name)).first():
        raise WebhookError(f"a subscription named {name!r} exists already")
    secret = secret or secrets.token_urlsafe(32)
    head = 0 if from_start else session.execute(select(func.coalesce(func.max(FeedRow.position), 0))).scalar_one()
    row = WebhookSubscriptionRow(id=uuid.uuid4(), name=name, url=check_url(url), secret=secret, active=True,
                                 position=head, attempts=0, next_attempt_at=None, last_error="", delivered=0,
                                 created_at=now)
    session.add(row)
    session.flush()
    log.info("webhook subscription %s added (%s), from position %d", name, row.url, head)
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


def dead_letters(session: Session, name: str, *, state: str | None = "dead") -> list[WebhookDeadLetterRow]:
    query = select(WebhookDeadLetterRow).where(WebhookDeadLetterRow.subscription_id == subscription(session, name).id)
    if state is not None:
        query = query.where(WebhookDeadLetterRow.state == state)
    return list(session.execute(query.order_by(WebhookDeadLetterRow.position)).scalars())


def replay(session: Session, name: str, ids: list[uuid.UUID] | None = None) -> int:
    """Mark dead letters (all of the subscription's, or `ids`) for delivery again, before the stream goes on."""
    sub = subscription(session, name)
    query = (update(WebhookDeadLetterRow)
             .where(WebhookDeadLetterRow.subscription_id == sub.id, WebhookDeadLetterRow.state == "dead"))
    if ids:
        query = query.where(WebhookDeadLetterRow.id.in_(ids))
    count = session.execute(query.values(state="replay")).rowcount
    sub.next_attempt_at = None  # try at once
    log.info("webhook subscription %s: %d dead letters to replay", name, count)
    return count


def event_body(position: int, case: dict[str, Any]) -> StreamEvent:
    event_id = f"case:{case['id']}:v{case['version']}"
    body = {"event_id": event_id, "type": "case.changed", "position": position, "case_id": case["id"],
            "number": case.get("number"), "status": case["status"], "version": case["version"],
            "occurred_at": case["updated_at"], "case": case}
    return StreamEvent(position, event_id, body)


def read_stream(session: Session, after: int, limit: int) -> list[StreamEvent]:
    """The case changes after feed position `after`, oldest first (each case's latest state: the feed keeps
    one entry per case, so a case changed twice while a subscriber lagged arrives once, at its latest version,
    with its whole event history in `case.events`)."""
    rows = session.execute(select(FeedRow.position, CaseRow.data).join(CaseRow, CaseRow.id == FeedRow.case_id)
                           .where(FeedRow.kind == CASE_KIND, FeedRow.position > after)
                           .order_by(FeedRow.position).limit(limit))
    return [event_body(position, data) for position, data in rows]
