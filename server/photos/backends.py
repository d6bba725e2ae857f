"""Which blob storage a server uses (``ONEGRID_PHOTO_STORAGE``): a folder (the default, `photos/` beside an
SQLite database, else ./onegrid-photos) or an ``s3://bucket/prefix`` of any S3-compatible store. Apart from
both backends, which it is the one module to know."""
from __future__ import annotations

import logging

from server.photos.storage import BlobStorage, DirectoryStorage, default_folder

log = logging.getLogger(__name__)


def open_storage(settings) -> BlobStorage:
    target = settings.photo_storage or str(default_folder(settings.database_url))
    if target.startswith("s3://"):
        # boto3 only where a center stores in S3 (the server extra has it, the console's demo does not)
        from server.photos.storage_s3 import S3Storage

        return S3Storage.from_settings(settings)
    return DirectoryStorage(target)
