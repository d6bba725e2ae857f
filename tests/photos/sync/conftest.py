from __future__ import annotations

import pytest

from tests.photos.sync.helpers import USERS


@pytest.fixture
def photo_server(tmp_path, refdata):
    """A live server with the handlers' accounts; photos in its own folder; PDFs not accepted (so a console
    can queue a file the server will refuse)."""
    from tests.support.live_server import LiveServer

    directory = tmp_path / "server"
    directory.mkdir()
    server = LiveServer(directory, refdata, users=USERS, photo_types="image/jpeg,image/png").start()
    yield server
    server.stop()
