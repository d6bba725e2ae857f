"""Webhook subscriptions (the outbound event stream of case changes) and their dead letters.

A subscription walks the changes feed with its own cursor (`cursor`, a position per feed partition): every
case change after it is delivered, in feed order per partition, before the cursor moves. `attempts`/`next_attempt_at`/`last_error` describe
the event at the head that has not been accepted yet. An event that failed `max_attempts` times is moved
to `webhook_dead_letters` (with the body it would have sent) and the stream goes on; an admin can replay it.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class WebhookSubscriptionRow(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))  # the HMAC key: it must be known to sign
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)  # last feed position delivered (or dead)
    # …in every partition (`app.platform.feed_partition.Cursor` wire text; NULL: `position` in all, as before
    # partitions); `position` then mirrors the global partition's
    cursor: Mapped[str | None] = mapped_column(String(2100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed tries of the event after `position`
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    delivered: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime]


class WebhookDeadLetterRow(Base):
    __tablename__ = "webhook_dead_letters"
    __table_args__ = (Index("ix_webhook_dead_letters_subscription_state", "subscription_id", "state"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(200))  # the idempotency key the subscriber was sent
    # where in the feed: a position of its partition (a city's code, '' the global one; positions of two
    # partitions may be equal)
    partition: Mapped[str] = mapped_column(String(8), default="", server_default="")
    position: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[dict[str, Any]]
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="dead")  # dead | replay | replayed
    failed_at: Mapped[datetime]
    replayed_at: Mapped[datetime | None]
