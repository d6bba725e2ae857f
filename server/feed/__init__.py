"""The changes feed: writing, reading, the in-memory ring, the long-poll fast path and wake-ups."""
