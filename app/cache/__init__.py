"""The console's local cache (SQLite) and durable outbox; see `local_cache` for the design."""
from app.cache.credentials import OfflineLoginError
from app.cache.feed_apply import ReadPage, read_page
from app.cache.local_cache import CACHE_FILE, LocalCache
from app.cache.models import ChangeSet, Conflict, QueuedCommand
from app.cache.outbox_store import OUTBOX_FILE
from app.cases.summary import CaseSummary

__all__ = ["CACHE_FILE", "OUTBOX_FILE", "CaseSummary", "ChangeSet", "Conflict", "LocalCache", "OfflineLoginError",
           "QueuedCommand", "ReadPage", "read_page"]
