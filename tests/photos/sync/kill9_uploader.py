"""A console process that sends its queued photos in small chunks, printing each offset the server
acknowledged; the kill -9 test kills it mid-upload (tests/photos/sync/test_kill9_upload.py)."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from app.cache import LocalCache
from app.photos import PhotoStore
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine
from app.sync.session import login_online


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--chunk", type=int, default=8192)
    args = parser.parse_args()
    cache = LocalCache(args.cache)
    client = ServerClient(args.server)
    login_online(client, cache, args.user, args.password)
    store = PhotoStore(args.cache)
    engine = SyncEngine(cache, client)
    engine.use_photos(store)
    engine.photos.chunk_bytes = args.chunk
    real = store.note_progress

    def progress(photo, offset):
        real(photo, offset)
        print(f"progress {offset}", flush=True)

    store.note_progress = progress
    asyncio.run(engine.sync_once())
    print("done", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
