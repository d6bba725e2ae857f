"""The base map on the server: `onegrid-ctl basemap import` checks a package and stores it; consoles read
its description and its tiles over HTTP, as any role, with the package's version as ETag. Bad packages
are refused naming the check, and leave the base map in force as it was."""
from __future__ import annotations

import io
import sqlite3

import pytest
from PIL import Image

from app.map.mbtiles import lonlat_to_tile, tile_range, write_package
from server.admin import ctl

CITY = (120.1454, 30.2417, 120.1743, 30.2587)
ROLES = ("operator1", "lead1", "admin", "inspector1")


def tile_png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (shade, 200, 100)).save(out, "PNG")
    return out.getvalue()


def package(path, z: int = 16, shade: int = 10, **meta) -> list[tuple[int, int, int, bytes]]:
    x0, y0, x1, y1 = tile_range(CITY, z)
    tiles = [(z, x, y, tile_png((shade + x + y) % 256)) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    write_package(path, {"name": "Qingyuan test map", "format": "png", **meta}, tiles)
    return tiles


def run(capsys, *argv) -> tuple[int, str, str]:
    code = ctl.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_an_imported_package_is_served_to_every_role_with_an_etag(srv, tmp_path, capsys):
    tiles = package(tmp_path / "city.mbtiles")
    code, out, err = run(capsys, "--database-url", srv.url, "basemap", "import", str(tmp_path / "city.mbtiles"))
    assert code == 0, err
    assert f"{len(tiles)} tiles (png), zooms 16-16" in out and "datum wgs84" in out

    z, x, y, data = tiles[5]
    for user in ROLES:
        head = srv.login(user)
        info = srv.client.get("/api/basemap", headers=head)
        assert info.status_code == 200, info.text
        body = info.json()
        assert (body["name"], body["format"], body["datum"], body["tile_count"]) == \
            ("Qingyuan test map", "png", "wgs84", len(tiles))
        r = srv.client.get(f"/api/basemap/tiles/{z}/{x}/{y}", headers=head)
        assert r.status_code == 200 and r.content == data
        assert r.headers["content-type"] == "image/png"
        assert r.headers["etag"] == f'"{body["version"]}"'
        again = srv.client.get(f"/api/basemap/tiles/{z}/{x}/{y}", headers={**head, "If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and again.content == b""

    # a unit handler sees the same city
    handler = srv.login(next(u.username for u in srv.refdata.users if u.role == "unit_handler"))
    assert srv.client.get(f"/api/basemap/tiles/{z}/{x}/{y}", headers=handler).status_code == 200

    code, out, _ = run(capsys, "--database-url", srv.url, "basemap", "show")
    assert code == 0 and "Qingyuan test map" in out


def test_a_new_package_replaces_the_old_and_changes_the_etag(srv, tmp_path, capsys):
    package(tmp_path / "a.mbtiles", shade=1)
    assert run(capsys, "--database-url", srv.url, "basemap", "import", str(tmp_path / "a.mbtiles"))[0] == 0
    head = srv.login("operator1")
    first = srv.client.get("/api/basemap", headers=head).json()["version"]
    tiles = package(tmp_path / "b.mbtiles", shade=99, **{"onegrid:datum": "gcj02"})
    assert run(capsys, "--database-url", srv.url, "basemap", "import", str(tmp_path / "b.mbtiles"))[0] == 0
    body = srv.client.get("/api/basemap", headers=head).json()
    assert body["version"] != first and body["datum"] == "gcj02"
    z, x, y, data = tiles[0]
    r = srv.client.get(f"/api/basemap/tiles/{z}/{x}/{y}", headers={**head, "If-None-Match": f'"{first}"'})
    assert r.status_code == 200 and r.content == data


@pytest.mark.parametrize("kind", ["not_sqlite", "wrong_schema", "outside_city", "unsupported_format"])
def test_bad_packages_are_refused_naming_the_check_and_change_nothing(srv, tmp_path, capsys, kind):
    good = package(tmp_path / "good.mbtiles")
    assert run(capsys, "--database-url", srv.url, "basemap", "import", str(tmp_path / "good.mbtiles"))[0] == 0
    bad = tmp_path / "bad.mbtiles"
    if kind == "not_sqlite":
        bad.write_bytes(b"%PDF-1.7 not a tile package")
    elif kind == "wrong_schema":
        con = sqlite3.connect(bad)
        con.execute("CREATE TABLE images (z, x, y, data)")
        con.close()
    elif kind == "outside_city":
        x, y = lonlat_to_tile(116.39, 39.91, 16)
        write_package(bad, {"format": "png"}, [(16, x, y, tile_png(3))])
    else:
        write_package(bad, {"format": "pbf"}, [(16, 1, 1, b"\x1a\x02")])
    code, out, err = run(capsys, "--database-url", srv.url, "basemap", "import", str(bad))
    assert code == 2 and f"({kind})" in err and "bad.mbtiles" in err
    z, x, y, data = good[0]
    r = srv.client.get(f"/api/basemap/tiles/{z}/{x}/{y}", headers=srv.login("operator1"))
    assert r.status_code == 200 and r.content == data


def test_without_a_base_map_or_a_login_or_a_tile_the_answers_say_so(lite, tmp_path, capsys):
    head = lite.login("operator1")
    r = lite.client.get("/api/basemap", headers=head)
    assert r.status_code == 404 and r.json()["error"] == "no_basemap"
    assert lite.client.get("/api/basemap/tiles/16/1/1", headers=head).json()["error"] == "no_basemap"
    assert lite.client.get("/api/basemap/tiles/16/1/1").status_code == 401
    package(tmp_path / "city.mbtiles")
    assert run(capsys, "--database-url", lite.url, "basemap", "import", str(tmp_path / "city.mbtiles"))[0] == 0
    r = lite.client.get("/api/basemap/tiles/16/1/1", headers=head)
    assert r.status_code == 404 and r.json()["error"] == "no_tile"
    r = lite.client.get("/api/basemap/tiles/3/8/1", headers=head)
    assert r.status_code == 422 and r.json()["details"][0]["loc"] == ["path", "x"]
    r = lite.client.get("/api/basemap/tiles/99/1/1", headers=head)
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    r = lite.client.get("/api/basemap/tiles/16/1/abc.png", headers=head)
    assert r.status_code == 422


def test_the_import_is_audited(lite, tmp_path, capsys):
    package(tmp_path / "city.mbtiles")
    assert run(capsys, "--database-url", lite.url, "basemap", "import", str(tmp_path / "city.mbtiles"))[0] == 0
    entries = lite.client.get("/api/audit?action=basemap_import", headers=lite.login("lead1")).json()["entries"]
    assert len(entries) == 1 and entries[0]["detail"]["name"] == "Qingyuan test map"
