"""MBTiles packages: a good one is described and served tile by tile (XYZ rows flipped from TMS); a bad
one is refused with the reason that names which check failed."""
from __future__ import annotations

import io
import sqlite3

import pytest
from PIL import Image

from app.map.mbtiles import (
    MBTiles,
    MBTilesError,
    check_package,
    lonlat_to_tile,
    tile_range,
    write_package,
)

CITY = (120.1454, 30.2417, 120.1743, 30.2587)  # the demo city's grids (west, south, east, north)


def image_bytes(colour: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, fmt)
    return out.getvalue()


def city_tiles(z: int, fmt: str = "PNG"):
    x0, y0, x1, y1 = tile_range(CITY, z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            yield z, x, y, image_bytes((x % 256, y % 256, z), fmt)


def test_tile_numbers_match_the_slippy_map_formula():
    # hand-worked: n = 2^16 = 65536; x = (120.16 + 180) / 360 * n = 54642.4 → 54642;
    # y = (1 - asinh(tan(30.25°)) / π) / 2 * n = (1 - asinh(0.58318) / π) / 2 * 65536
    #   = (1 - 0.55435 / π) / 2 * 65536 = 26985.9 → 26985
    assert lonlat_to_tile(120.16, 30.25, 16) == (54642, 26985)
    assert lonlat_to_tile(0.0, 0.0, 1) == (1, 1)
    assert lonlat_to_tile(-180.0, 85.0, 3) == (0, 0)


def test_a_good_package_is_described_and_served_with_rows_flipped(tmp_path):
    path = tmp_path / "city.mbtiles"
    tiles = list(city_tiles(15)) + list(city_tiles(16))
    write_package(path, {"name": "Qingyuan", "format": "png", "bounds": ",".join(map(str, CITY))}, tiles)
    info = check_package(path, CITY)
    assert (info.name, info.format, info.min_zoom, info.max_zoom) == ("Qingyuan", "png", 15, 16)
    assert info.tile_count == len(tiles) and info.tiles_in_city == len(list(city_tiles(16)))
    assert info.datum == "wgs84" and info.bounds == CITY

    package = MBTiles(path, city_bounds=CITY)
    z, x, y, data = tiles[3]
    # the row stored is TMS: 2^z - 1 - y
    con = sqlite3.connect(path)
    assert con.execute("SELECT tile_row FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_data=?",
                       (z, x, data)).fetchone()[0] == (1 << z) - 1 - y
    con.close()
    assert package.get(z, x, y) == data
    assert package.get(z, x, 0) is None
    assert (package.stats.hits, package.stats.misses) == (1, 1)
    package.close()


def test_jpeg_and_webp_tiles_are_accepted(tmp_path):
    for fmt, name in (("JPEG", "jpg"), ("WEBP", "webp")):
        path = tmp_path / f"{name}.mbtiles"
        write_package(path, {"name": name, "format": name}, city_tiles(16, fmt))
        assert check_package(path, CITY).format == name


def test_the_datum_comes_from_the_metadata_or_the_caller(tmp_path):
    path = tmp_path / "gcj.mbtiles"
    write_package(path, {"format": "png", "onegrid:datum": "gcj02"}, city_tiles(16))
    assert check_package(path).datum == "gcj02"
    assert check_package(path, datum="wgs84").datum == "wgs84"
    with pytest.raises(MBTilesError) as err:
        check_package(path, datum="bd09")
    assert err.value.code == "bad_datum"


def refused(path, bounds=CITY) -> MBTilesError:
    with pytest.raises(MBTilesError) as err:
        check_package(path, bounds)
    return err.value


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "tiles.mbtiles"
    path.write_bytes(b"PK\x03\x04 a zip file, not a database")
    err = refused(path)
    assert err.code == "not_sqlite" and "not an SQLite file" in err.message
    assert refused(tmp_path / "missing.mbtiles").code == "not_found"


def test_sqlite_without_the_mbtiles_tables_is_refused_naming_them(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE images (z INTEGER, x INTEGER, y INTEGER, data BLOB)")
    con.commit()
    con.close()
    err = refused(path)
    assert err.code == "wrong_schema" and "tiles(zoom_level, tile_column, tile_row, tile_data)" in err.message


def test_vector_tiles_and_non_images_are_refused(tmp_path):
    path = tmp_path / "vector.mbtiles"
    write_package(path, {"format": "pbf"}, [(16, 1, 1, b"\x1a\x00")])
    assert refused(path).code == "unsupported_format"
    path = tmp_path / "junk.mbtiles"
    write_package(path, {"format": "png"}, [(16, 1, 1, b"<html>")])
    assert refused(path).code == "unsupported_format"
    path = tmp_path / "liar.mbtiles"
    write_package(path, {"format": "jpg"}, city_tiles(16))
    assert refused(path).code == "bad_tile"
    path = tmp_path / "empty.mbtiles"
    write_package(path, {"format": "png"}, [])
    assert refused(path).code == "empty"


def test_a_package_of_another_city_is_refused(tmp_path):
    path = tmp_path / "beijing.mbtiles"
    x, y = lonlat_to_tile(116.39, 39.91, 16)
    write_package(path, {"format": "png"}, [(16, x, y, image_bytes((1, 2, 3)))])
    err = refused(path)
    assert err.code == "outside_city" and "inside the city's bounds" in err.message
    assert check_package(path).tiles_in_city == 0  # no city given: not checked
