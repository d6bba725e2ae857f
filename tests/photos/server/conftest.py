"""A server whose photo files go to a folder of the test's own (or an S3 bucket: test_s3_backend)."""
from __future__ import annotations

import pytest


@pytest.fixture
def photo_srv(make_harness, server_db_url, tmp_path):
    """The server on SQLite and on PostgreSQL, photos in a folder."""
    return make_harness(server_db_url, photo_storage=str(tmp_path / "photo-store"))
