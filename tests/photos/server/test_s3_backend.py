"""The S3 backend against a local S3-compatible server (moto's, started by the test): the same uploads,
reads and hash check as the folder backend."""
from __future__ import annotations

import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer

from server.photos.storage import CorruptBlob, DirectoryStorage, blob_key
from server.photos.storage_s3 import S3Storage
from tests.photos.pictures import jpeg_bytes, png_bytes
from tests.photos.server.uploading import upload
from tests.support.server import HANDLER, OTHER_HANDLER

KEYS = {"photo_s3_access_key": "testing", "photo_s3_secret_key": "testing", "photo_s3_region": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket="evidence")
    yield endpoint
    server.stop()


@pytest.mark.parametrize("backend", ["directory", "s3"])
def test_storage_put_get_exists_delete_and_hash_check(backend, s3_endpoint, tmp_path):
    import hashlib
    store = (DirectoryStorage(tmp_path / "d") if backend == "directory" else
             S3Storage("evidence", "centre-a", endpoint_url=s3_endpoint, region="us-east-1",
                       access_key="testing", secret_key="testing"))
    data = png_bytes()
    sha = hashlib.sha256(data).hexdigest()
    src = tmp_path / "f"
    src.write_bytes(data)
    assert not store.exists(blob_key(sha))
    with pytest.raises(KeyError):
        store.get(blob_key(sha))
    store.put(blob_key(sha), src)
    assert store.exists(blob_key(sha)) and store.get(blob_key(sha)) == data
    # content that does not match its name is never handed out
    src.write_bytes(data + b"!")
    store.put(blob_key(sha), src)
    with pytest.raises(CorruptBlob):
        store.get(blob_key(sha))
    store.delete(blob_key(sha))
    assert not store.exists(blob_key(sha))


def test_uploads_and_reads_through_s3(make_harness, pg_url, s3_endpoint):
    h = make_harness(pg_url, photo_storage="s3://evidence/centre-a", photo_s3_endpoint=s3_endpoint, **KEYS)
    case = h.case_at("in_progress")
    data = jpeg_bytes(1000, 700, noise=True)
    r = upload(h, HANDLER, case["id"], data, chunk_size=100_000)
    assert r.status_code == 200 and r.json()["complete"], r.text
    photo = r.json()["photo"]
    full = h.client.get(f"/api/photos/{photo['photo_id']}/full", headers=h.login("lead1"))
    assert full.status_code == 200 and full.content == data
    assert h.client.get(f"/api/photos/{photo['photo_id']}/thumbnail", headers=h.login(HANDLER)).status_code == 200
    assert h.client.get(f"/api/photos/{photo['photo_id']}/full", headers=h.login(OTHER_HANDLER)).status_code == 403
    objects = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing").list_objects_v2(Bucket="evidence")["Contents"]
    assert sorted(o["Key"] for o in objects) == sorted([f"centre-a/blobs/{photo['sha256'][:2]}/{photo['sha256']}",
                                                         f"centre-a/thumbs/{photo['sha256'][:2]}/{photo['sha256']}.jpg"])


def test_an_object_store_that_does_not_answer_is_a_503(make_harness, sqlite_url, s3_endpoint):
    h = make_harness(sqlite_url, photo_storage="s3://evidence", photo_s3_endpoint=s3_endpoint, **KEYS)
    case = h.case_at("in_progress")
    photo = upload(h, HANDLER, case["id"], png_bytes()).json()["photo"]
    h.ctx.photo_backend.bucket = "no-such-bucket"
    r = h.client.get(f"/api/photos/{photo['photo_id']}/full", headers=h.login("lead1"))
    assert r.status_code == 503 and r.json()["error"] == "storage_unavailable"


def test_the_default_folder_is_beside_an_sqlite_database(tmp_path):
    from server.photos.backends import open_storage
    from server.photos.storage import default_folder
    from server.platform.settings import ServerSettings

    assert default_folder(f"sqlite:///{tmp_path}/demo.sqlite") == tmp_path.resolve() / "photos"
    assert str(default_folder("postgresql+psycopg://x/y")) == "onegrid-photos"
    store = open_storage(ServerSettings(database_url=f"sqlite:///{tmp_path}/demo.sqlite"))
    assert isinstance(store, DirectoryStorage) and store.root == tmp_path.resolve() / "photos"
