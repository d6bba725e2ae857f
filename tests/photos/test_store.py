"""The console's PhotoStore: content-addressed copies, thumbnails upright, EXIF facts, the upload
queue, refusals with reasons, and the cache size limit."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from PIL import Image

from app.photos import PhotoLimits, PhotoRefused, PhotoStore, Step, UploadState
from app.photos.images import sha256_of
from tests.photos.pictures import bomb_png, jpeg_bytes, png_bytes, write


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    s = PhotoStore(tmp_path / "cache")
    yield s
    s.close()


def test_add_copies_by_hash_and_queues_the_upload(store: PhotoStore, tmp_path: Path):
    case = uuid.uuid4()
    src = write(tmp_path, "pothole.jpg", jpeg_bytes(taken="2026:12:06 08:15:00"))
    seen = []
    store.events.changed.connect(seen.append)
    photo = store.add(case, "handled", src, added_by="wang")
    assert photo.sha256 == sha256_of(src)
    assert photo.mime == "image/jpeg" and (photo.width, photo.height) == (400, 200)
    assert photo.taken_at.isoformat() == "2026-12-06T08:15:00"
    assert photo.upload is UploadState.QUEUED and not photo.uploaded
    assert store.full_path(photo).read_bytes() == src.read_bytes()
    assert store.pending_uploads() == [photo]
    assert seen == [[case]]
    # the same content on the same step is the same photo; on another case a second photo, one file
    assert store.add(case, Step.HANDLED, src) == photo
    other = store.add(uuid.uuid4(), Step.REPORT, src)
    assert other.sha256 == photo.sha256 and store.pending_count() == 2
    assert len(list((store.root / "blobs").rglob("*"))) == 2  # one folder, one file


def test_photos_for_case_in_step_order(store: PhotoStore, tmp_path: Path):
    case = uuid.uuid4()
    handled = store.add(case, Step.HANDLED, write(tmp_path, "a.jpg", jpeg_bytes(color=(1, 2, 3))))
    report = store.add(case, Step.REPORT, write(tmp_path, "b.png", png_bytes()))
    verify = store.add(case, Step.VERIFY_PASS, write(tmp_path, "c.jpg", jpeg_bytes(color=(9, 9, 9))))
    assert [p.step for p in store.photos_for_case(case)] == [Step.REPORT, Step.HANDLED, Step.VERIFY_PASS]
    assert store.photos_for_case(case) == [report, handled, verify]
    assert store.photos_for_case(uuid.uuid4()) == []


def test_thumbnail_applies_exif_orientation(store: PhotoStore, tmp_path: Path):
    # stored 400×200 landscape with orientation 6 (rotate 90° clockwise to view): upright it is portrait
    photo = store.add(uuid.uuid4(), Step.REPORT, write(tmp_path, "r.jpg", jpeg_bytes(orientation=6)))
    assert (photo.width, photo.height) == (200, 400)
    with Image.open(store.thumbnail_path(photo)) as thumb:
        assert thumb.size == (160, 320)
        assert thumb.getexif().get(0x0112) is None  # no metadata in a thumbnail
        # the blue corner, top-left when stored, is top-right once turned clockwise
        r, g, b = thumb.convert("RGB").getpixel((thumb.width - 5, 5))
        assert b > 200 and r < 60


def test_exif_location(store: PhotoStore, tmp_path: Path):
    src = write(tmp_path, "gps.jpg", jpeg_bytes(gps=(31.2304, 121.4737)))
    lat, lon = PhotoStore.exif_location(src)
    assert lat == pytest.approx(31.2304, abs=1e-4) and lon == pytest.approx(121.4737, abs=1e-4)
    photo = store.add(uuid.uuid4(), Step.REPORT, src)
    assert photo.has_location and photo.lat == pytest.approx(31.2304, abs=1e-4)
    south_west = write(tmp_path, "sw.jpg", jpeg_bytes(gps=(-33.8688, -70.6693)))
    assert PhotoStore.exif_location(south_west) == pytest.approx((-33.8688, -70.6693), abs=1e-4)
    assert PhotoStore.exif_location(write(tmp_path, "none.jpg", jpeg_bytes())) is None


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("report.jpg", b"MZ\x90\x00 this is an executable with a photo's name" * 10, "unsupported_type"),
    ("cut.jpg", jpeg_bytes(noise=True)[:3000], "corrupt_image"),
    ("bomb.png", bomb_png(), "decompression_bomb"),
    ("empty.jpg", b"", "empty_file"),
])
def test_bad_files_are_refused_with_a_reason_and_nothing_kept(store: PhotoStore, tmp_path: Path, name, data,
                                                              reason):
    case = uuid.uuid4()
    with pytest.raises(PhotoRefused) as refused:
        store.add(case, Step.REPORT, write(tmp_path, name, data))
    assert refused.value.reason == reason and refused.value.message
    assert store.photos_for_case(case) == [] and store.pending_count() == 0
    assert not any(p.is_file() for p in (store.root / "blobs").rglob("*")) if (store.root / "blobs").exists() else True
    assert not any((store.root / "tmp").iterdir()) if (store.root / "tmp").exists() else True


def test_a_png_with_a_jpg_name_is_taken_for_what_it_is(store: PhotoStore, tmp_path: Path):
    photo = store.add(uuid.uuid4(), Step.REPORT, write(tmp_path, "lying.jpg", png_bytes()))
    assert photo.mime == "image/png" and photo.filename == "lying.jpg"


def test_limits_size_and_count(tmp_path: Path):
    store = PhotoStore(tmp_path / "c", limits=PhotoLimits(max_bytes=5000, max_per_step=2))
    case = uuid.uuid4()
    with pytest.raises(PhotoRefused) as big:
        store.add(case, Step.REPORT, write(tmp_path, "big.jpg", jpeg_bytes(noise=True)))
    assert big.value.reason == "too_large"
    for i in range(2):
        store.add(case, Step.REPORT, write(tmp_path, f"{i}.png", png_bytes(10 + i, 10)))
    with pytest.raises(PhotoRefused) as many:
        store.add(case, Step.REPORT, write(tmp_path, "3.png", png_bytes(20, 20)))
    assert many.value.reason == "too_many"
    store.add(case, Step.HANDLED, write(tmp_path, "3.png", png_bytes(20, 20)))  # another step: its own count
    store.close()


def test_upload_queue_states_and_ready(store: PhotoStore, tmp_path: Path):
    case = uuid.uuid4()
    a = store.add(case, Step.HANDLED, write(tmp_path, "a.png", png_bytes(10, 10)))
    b = store.add(case, Step.HANDLED, write(tmp_path, "b.png", png_bytes(11, 10)))
    assert not store.ready(case, [a.sha256, b.sha256])
    assert store.ready(case, ["not-a-hash", "f" * 64])  # unknown to this console: nothing to wait for
    store.note_progress(a, 100)
    assert store.photo(case, Step.HANDLED, a.sha256).upload is UploadState.UPLOADING
    store.note_uploaded(a, "id-a")
    store.note_refused(b, "corrupt_image: damaged")
    assert store.ready(case, [a.sha256, b.sha256])
    assert [p.sha256 for p in store.failed_uploads()] == [b.sha256]
    assert store.pending_uploads() == []
    store.retry(store.failed_uploads()[0])
    assert [p.sha256 for p in store.pending_uploads()] == [b.sha256]


def test_an_upload_cut_by_a_crash_is_queued_again(tmp_path: Path):
    store = PhotoStore(tmp_path / "c")
    photo = store.add(uuid.uuid4(), Step.REPORT, write(tmp_path, "a.png", png_bytes()))
    store.note_progress(photo, 10)
    store.close()
    again = PhotoStore(tmp_path / "c")
    assert [p.upload for p in again.pending_uploads()] == [UploadState.QUEUED]
    again.close()


def test_cache_limit_evicts_oldest_uploaded_full_images_first(tmp_path: Path):
    store = PhotoStore(tmp_path / "c", cache_limit_bytes=60_000)
    case = uuid.uuid4()
    photos = []
    for i in range(6):
        p = store.add(case, Step.REPORT, write(tmp_path, f"{i}.jpg", jpeg_bytes(120, 80, noise=True)))
        photos.append(p)
    # nothing is on the server yet: nothing may go, even over the limit
    assert all(store.full_path(p) for p in photos)
    for p in photos:
        store.note_uploaded(p, f"id-{p.sha256[:6]}")
    store.full_path(photos[0])  # opened recently: kept
    freed = store.enforce_limit()
    assert freed > 0 and store.usage_bytes() <= 60_000
    kept = [p for p in photos if store.full_path(store.photo(case, p.step, p.sha256))]
    assert photos[0] in kept and photos[1] not in kept
    assert all(store.thumbnail_path(p) for p in photos)  # thumbnails stay while full images can go
    store.close()


class FakeFetcher:
    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.calls = []

    def fetch_photo(self, photo_id: str, kind: str, dest: Path) -> None:
        self.calls.append((photo_id, kind))
        dest.write_bytes(self.files[(photo_id, kind)])


def test_remote_photos_are_fetched_on_demand(store: PhotoStore, tmp_path: Path):
    from io import BytesIO
    data = jpeg_bytes()
    src = write(tmp_path, "x.jpg", data)
    thumb = BytesIO()
    Image.new("RGB", (32, 16)).save(thumb, "JPEG")
    case = uuid.uuid4()
    store.merge_remote([{"case_id": str(case), "step": "handled", "sha256": sha256_of(src), "mime": "image/jpeg",
                         "size": len(data), "width": 400, "height": 200, "photo_id": "p1"}])
    [photo] = store.photos_for_case(case)
    assert photo.upload is UploadState.REMOTE and photo.uploaded
    assert store.full_path(photo) is None and store.thumbnail_path(photo) is None  # no fetcher: offline
    store.fetcher = FakeFetcher({("p1", "full"): data, ("p1", "thumbnail"): thumb.getvalue()})
    assert store.thumbnail_path(photo).read_bytes() == thumb.getvalue()
    assert store.full_path(photo).read_bytes() == data
    assert store.fetcher.calls == [("p1", "thumbnail"), ("p1", "full")]
    store.fetcher.files[("p2", "full")] = b"tampered"
    store.merge_remote([{"case_id": str(case), "step": "report", "sha256": "a" * 64, "mime": "image/jpeg",
                         "size": 8, "photo_id": "p2"}])
    tampered = [p for p in store.photos_for_case(case) if p.photo_id == "p2"][0]
    assert store.full_path(tampered) is None  # a file that does not match its hash is not kept


def test_the_console_settings_size_the_cache(tmp_path: Path):
    from app.platform.settings import ConsoleSettings

    assert ConsoleSettings().photo_cache_mb == 2048
    store = PhotoStore.for_console(tmp_path / "c", ConsoleSettings(photo_cache_mb="100"))
    assert store.cache_limit_bytes == 100 * 1024 * 1024
    store.close()


def test_a_heic_photo_from_a_phone_is_read_and_thumbnailed(store: PhotoStore, tmp_path: Path):
    """HEIC (iPhones' format) through pillow-heif: recognised by its bytes, measured, given a JPEG thumbnail."""
    import io

    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(buffer, format="HEIF")
    src = write(tmp_path, "IMG_0042.HEIC", buffer.getvalue())
    photo = store.add(uuid.uuid4(), Step.REPORT, src)
    assert photo.mime == "image/heic" and (photo.width, photo.height) == (320, 240)
    with Image.open(store.thumbnail_path(photo)) as thumb:
        assert thumb.format == "JPEG" and thumb.size[0] <= 320


def test_the_heif_reader_loads_only_when_a_heif_file_is_opened(tmp_path: Path):
    """A fresh console process: the module loads without pillow-heif (4 MB kept out of every console), and the
    first HEIC file opened registers it, so the photo is read all the same."""
    import io
    import subprocess
    import sys

    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 40, 180)).save(buffer, format="HEIF")
    heic = write(tmp_path, "IMG_0043.HEIC", buffer.getvalue())
    jpeg = tmp_path / "plain.jpg"
    Image.new("RGB", (32, 24)).save(jpeg, format="JPEG")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.photos import images\n"
        "assert 'pillow_heif' not in sys.modules\n"
        f"assert images.inspect(Path({str(jpeg)!r})).mime == 'image/jpeg'\n"
        "assert 'pillow_heif' not in sys.modules\n"
        f"info = images.inspect(Path({str(heic)!r}))\n"
        "assert (info.mime, info.width, info.height) == ('image/heic', 64, 48), info\n"
        "assert 'pillow_heif' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
