"""A first sync's bigger pages (`bulk`, `app.wire.feed.BULK_PAGE_MAX`): asked beside `limit`, which a server
older than them reads instead; only for a read that does not wait."""
from __future__ import annotations

from app.sync.client import ServerClient
from app.wire.feed import BULK_PAGE_MAX, PAGE_MAX


def test_a_bulk_page_holds_more_than_limit_and_continues_gap_free(srv):
    for _ in range(7):
        srv.new_case()
    everything = srv.changes("operator1", limit=PAGE_MAX)["changes"]
    assert len(everything) >= 7
    first = srv.changes("operator1", limit=2, bulk=5)
    assert len(first["changes"]) == 5 and first["more"] is True
    rest = srv.changes("operator1", after=first["cursor"], limit=2, bulk=BULK_PAGE_MAX)
    assert rest["more"] is False
    assert [c["position"] for c in first["changes"] + rest["changes"]] == [c["position"] for c in everything]


def test_bulk_out_of_range_or_with_a_wait_is_refused_by_name(srv):
    headers = srv.login("operator1")
    for query in (f"bulk={BULK_PAGE_MAX + 1}", "bulk=0", "bulk=x", f"limit={PAGE_MAX + 1}"):
        r = srv.client.get(f"/api/changes?{query}", headers=headers)
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", (query, r.text)
    r = srv.client.get("/api/changes?limit=10&bulk=100&wait=1", headers=headers)
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    assert "bulk" in r.json()["message"] and "wait" in r.json()["message"]


def test_the_client_asks_a_big_page_as_bulk_beside_a_limit_every_server_takes(monkeypatch):
    client = ServerClient("http://127.0.0.1:9")
    asked: list[dict] = []
    monkeypatch.setattr(client, "_request", lambda method, path, params, timeout: asked.append(params))
    client.fetch_changes(0, 3000, 0)
    client.fetch_changes(0, 50_000, 0)
    client.fetch_changes(0, 3000, 5)  # a long-poll never asks a bulk page
    client.fetch_changes(0, 500, 0)
    assert [(p["limit"], p.get("bulk")) for p in asked] == [
        (PAGE_MAX, 3000), (PAGE_MAX, BULK_PAGE_MAX), (PAGE_MAX, None), (500, None)]
    client.close()
