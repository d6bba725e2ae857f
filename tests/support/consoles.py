"""A console as the tests drive it: cache + client + engine + session, without any UI."""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from app.cache import LocalCache
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine
from app.sync.session import Session, login_online
from tests.support.sync_helpers import PASSWORDS

# Short timeouts so that faults are noticed within a test's time budget.
TEST_TIMEOUT = (0.5, 2.0)


@dataclass
class Console:
    cache: LocalCache
    client: ServerClient
    engine: SyncEngine
    session: Session

    @property
    def actor(self):
        return self.session.actor

    def close(self) -> None:
        self.client.close()
        self.cache.close()


def online_console(directory: Path, url: str, username: str, *, seed: int = 0, wait_s: float = 1.0,
                   backoff_cap_s: float = 0.5) -> Console:
    cache = LocalCache(directory)
    client = ServerClient(url, timeout=TEST_TIMEOUT, retries=1, long_poll_grace_s=2.0)
    session = login_online(client, cache, username, PASSWORDS[username])
    engine = SyncEngine(cache, client, wait_s=wait_s, backoff_base_s=0.05, backoff_cap_s=backoff_cap_s,
                        rng=random.Random(seed))
    return Console(cache, client, engine, session)
