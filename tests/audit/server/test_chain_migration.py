"""Migration 0026 on a populated database (`server.audit.chain`, "Chains"): the single chain of a server from
before chains — written as that server wrote it, a command on a case included — becomes the platform chain
unchanged and still verifies against the head recorded before the upgrade; new entries continue it, and a
case's entries start its city's chain."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone

from alembic import command
from sqlalchemy import inspect, text

from server.audit import chain as audit
from server.audit import verify as audit_verify
from server.platform.database import Database, alembic_config, make_engine, upgrade


def _downgrade(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def _old_append(url: str, **entry) -> str:
    """An entry appended the way a server before chains did: one head row (id 1), the hash without a chain."""
    fields = audit.entry_fields(**entry)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            seq, prev = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
            hash_ = hashlib.sha256(f"onegrid-audit-1:{seq + 1}:{prev}:{audit.canonical_body(fields)}"
                                   .encode()).hexdigest()
            conn.execute(text("UPDATE audit_head SET seq = :s, prev_hash = hash, hash = :h WHERE id = 1"),
                         {"s": seq + 1, "h": hash_})
            conn.execute(text("INSERT INTO audit_log (seq, at, client_time, actor, role, console_id, offline, action, "
                              "entity_kind, entity_id, result, reason, detail, prev_hash, hash) VALUES (:seq, :at, "
                              ":client_time, :actor, :role, :console_id, :offline, :action, :entity_kind, :entity_id, "
                              ":result, :reason, NULL, :prev, :hash)"),
                         {**fields, "seq": seq + 1, "prev": prev, "hash": hash_})
    finally:
        engine.dispose()
    return f"{seq + 1}:{hash_}"


def _reports(url: str, **kw) -> list[audit_verify.VerifyReport]:
    db = Database(url)
    try:
        return audit_verify.verify_all(db.reader, **kw)
    finally:
        db.dispose()


def test_an_existing_chain_becomes_the_platform_chain_and_still_verifies(make_harness, server_db_url):
    # an existing database at schema 0025, its trail written by the server of then: logins, a setting…
    srv = make_harness(server_db_url)
    assert srv.client.put("/api/settings/emergency_mode", json={"on": True, "reason": "flood"},
                          headers=srv.login("lead1")).status_code == 200
    srv.__exit__(None, None, None)
    _downgrade(server_db_url, "0025")
    engine = make_engine(server_db_url)
    try:
        with engine.connect() as conn:
            assert "chain" not in {c["name"] for c in inspect(conn).get_columns("audit_log")}
            old_rows = conn.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq")).all()
    finally:
        engine.dispose()
    # …and a command on a case, which went to the one chain then
    case_id = str(uuid.uuid4())
    recorded = _old_append(server_db_url, at=datetime(2026, 12, 1, 8, tzinfo=timezone.utc), actor="operator1",
                           role="operator", action="note", entity_kind="case", entity_id=case_id, result="accepted")
    old_seq = int(recorded.split(":")[0])
    assert old_seq == len(old_rows) + 1

    upgrade(server_db_url)  # what `onegrid-server` runs at start
    [platform] = _reports(server_db_url, expect_heads=[audit_verify.parse_head(recorded)])
    assert platform.ok and platform.chain == "" and platform.entries == old_seq and str(platform.last) == recorded
    engine = make_engine(server_db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, chain, seq, hash FROM audit_log ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [(r.id, r.chain, r.seq) for r in rows] == [(n, "", n) for n in range(1, old_seq + 1)]  # id = seq
    assert [(r.seq, r.hash) for r in rows[:-1]] == [tuple(r) for r in old_rows]

    # the upgraded server: the platform chain continues, a case starts its city's chain
    new = make_harness(server_db_url, prepare=False)
    case = new.new_case()
    reports = _reports(server_db_url, expect_heads=[audit_verify.parse_head(recorded)])
    assert all(r.ok for r in reports), [r.summary() for r in reports]
    city, platform = reports
    assert len(city.chain) == 4 and city.entries == 1
    assert platform.chain == "" and platform.entries > old_seq  # operator1's login
    db = Database(server_db_url)
    try:
        with db.reader() as session:
            after = session.execute(text("SELECT chain, seq, prev_hash, id, entity_id FROM audit_log "
                                         "WHERE id > :n ORDER BY id"), {"n": old_seq}).all()
    finally:
        db.dispose()
    login = next(r for r in after if r.chain == "")
    assert (login.seq, login.prev_hash) == (old_seq + 1, recorded.split(":")[1])
    created = next(r for r in after if r.entity_id == case["id"])
    assert (created.chain, created.seq) == (city.chain, 1) and created.id > old_seq


def test_a_trail_with_city_chains_is_not_downgraded(make_harness, server_db_url):
    srv = make_harness(server_db_url)
    srv.new_case()
    srv.__exit__(None, None, None)
    try:
        _downgrade(server_db_url, "0025")
    except RuntimeError as exc:
        assert "audit chains of their own" in str(exc)
    else:
        raise AssertionError("the downgrade went through")
