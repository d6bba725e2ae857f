"""Fixtures of the sync tests: caches with the demo reference data, and a real server on loopback."""
from __future__ import annotations

import pytest

from app.cache import LocalCache


@pytest.fixture
def cache(tmp_path, refdata):
    """An empty cache with the demo reference data, as after a first online login."""
    local = LocalCache(tmp_path / "console")
    local.store_refdata(refdata.to_dict())
    yield local
    local.close()


@pytest.fixture
def live_server(tmp_path, refdata):
    """A real server (create_app under uvicorn) on 127.0.0.1, on an SQLite file of its own."""
    from tests.support.live_server import LiveServer

    directory = tmp_path / "server"
    directory.mkdir()
    server = LiveServer(directory, refdata).start()
    yield server
    server.stop()
