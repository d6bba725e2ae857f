"""The console process that the kill -9 test kills at random moments.

It logs in, then issues commands through `LocalCache.issue` in a loop and prints each command_id as soon
as `issue` has returned, i.e. once the operator would have been told "queued"; the sync engine sends
them meanwhile. With --drain it issues nothing, sends everything queued, prints DRAINED and exits.

    python -m tests.support.kill9_console --cache DIR --server URL --user operator1 --password ... [--drain]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from app.cache import LocalCache
from app.platform.enums import Action
from app.sync.client import ServerClient, ServerUnreachable
from app.sync.engine import SyncEngine
from app.sync.session import login_online
from tests.support.sync_helpers import create_payload


def _login(client: ServerClient, cache: LocalCache, user: str, password: str):
    deadline = time.monotonic() + 20
    while True:
        try:
            return login_online(client, cache, user, password)
        except ServerUnreachable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


async def issue_forever(cache: LocalCache, engine: SyncEngine, actor, seed: int) -> None:
    if cache.refdata() is None:
        await engine.sync_once()
    refdata = cache.refdata()
    engine.start()
    rng = random.Random(seed)
    mine = [s.id for s in cache.summaries()]
    n = 0
    while True:
        n += 1
        now = datetime.now(timezone.utc)
        if not mine or rng.random() < 0.5:
            command = await asyncio.to_thread(cache.issue, actor, Action.CREATE, None,
                                              create_payload(refdata, seed * 10_000 + n), now, offline=False)
            mine.append(command.case_id)
        else:
            command = await asyncio.to_thread(cache.issue, actor, Action.NOTE, rng.choice(mine),
                                              {"text": f"note {seed}/{n}"}, now, offline=False)
        print(command.command_id, flush=True)  # acknowledged: committed to the outbox
        await asyncio.sleep(rng.uniform(0, 0.01))


async def drain(cache: LocalCache, engine: SyncEngine) -> None:
    while True:
        try:
            await engine.sync_once()
        except ServerUnreachable:
            await asyncio.sleep(0.2)
            continue
        if cache.outbox_size() == 0:
            print("DRAINED", flush=True)
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--drain", action="store_true")
    args = parser.parse_args(argv)

    cache = LocalCache(args.cache)
    client = ServerClient(args.server, timeout=(1.0, 5.0), long_poll_grace_s=2.0)
    session = _login(client, cache, args.user, args.password)
    engine = SyncEngine(cache, client, wait_s=1, backoff_base_s=0.05, backoff_cap_s=0.5,
                        rng=random.Random(args.seed))
    if args.drain:
        asyncio.run(drain(cache, engine))
    else:
        asyncio.run(issue_forever(cache, engine, session.actor, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
