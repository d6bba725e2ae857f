"""Talking to the OneGrid server: the HTTP client, the asyncio sync engine, its state and backoff.

Import the submodules directly (`from app.sync.engine import SyncEngine`); this package imports nothing
so that the cache can use the wire types in `app.wire` without pulling in the engine.
"""
