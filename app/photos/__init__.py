"""Photos as evidence on the steps of a case (Qt-free): `PhotoStore` (the console's offline-first store
and upload queue), `Photo`, `Step`, `UploadState`, the image checks (`images`) and the limits."""
from app.photos.images import PhotoRefused
from app.photos.limits import PhotoLimits
from app.photos.model import (
           STEP_OF_ACTION,
           Photo,
           Step,
           UploadState,
           step_label,
           upload_label,
)
from app.photos.store import PhotoFetcher, PhotoStore

__all__ = ["Photo", "PhotoFetcher", "PhotoLimits", "PhotoRefused", "PhotoStore", "STEP_OF_ACTION", "Step",
           "UploadState", "step_label", "upload_label"]
