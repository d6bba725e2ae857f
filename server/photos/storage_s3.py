"""Photo files in an S3-compatible object store (MinIO, Ceph, a cloud bucket), through boto3.

``ONEGRID_PHOTO_STORAGE=s3://bucket[/prefix]``; ``ONEGRID_PHOTO_S3_ENDPOINT`` for a store other than
AWS (e.g. ``http://minio.local:9000``), ``ONEGRID_PHOTO_S3_REGION``; credentials from
``ONEGRID_PHOTO_S3_ACCESS_KEY`` / ``…_SECRET_KEY`` or boto3's usual chain (environment, instance role).
A PUT of one object is atomic in S3: a reader sees the whole object or none.
"""
from __future__ import annotations

import logging
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from server.photos.storage import check_blob

log = logging.getLogger(__name__)


class S3Storage:
    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30))

    @classmethod
    def from_settings(cls, settings) -> S3Storage:
        rest = settings.photo_storage[len("s3://"):]
        bucket, _, prefix = rest.partition("/")
        return cls(bucket, prefix, endpoint_url=settings.photo_s3_endpoint, region=settings.photo_s3_region,
                   access_key=settings.photo_s3_access_key, secret_key=settings.photo_s3_secret_key)

    def put(self, key: str, source: Path) -> None:
        with open(source, "rb") as body:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=body)

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise KeyError(key) from None
            raise
        return check_blob(key, answer["Body"].read())

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)
