"""The outbound event stream with a real local HTTP subscriber that fails and recovers, hangs, and
dead letters an admin replays with onegrid-ctl; on SQLite and PostgreSQL."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from db.webhooks import WebhookSubscriptionRow
from server.admin.ctl import main as ctl
from server.webhooks import store
from server.webhooks.delivery import WebhookDispatcher
from server.webhooks.settings import WebhookSettings
from tests.webhooks.server.subscriber import Subscriber


@pytest.fixture
def subscriber():
    sub = Subscriber().start()
    yield sub
    sub.stop()


@pytest.fixture
def quiet_srv(monkeypatch, make_harness, server_db_url):
    """A server whose own dispatcher is off: the test drives one by hand, step by step."""
    monkeypatch.setenv("ONEGRID_WEBHOOKS", "0")
    return make_harness(server_db_url)


def _subscribe(srv, subscriber, name="city-hub") -> WebhookSubscriptionRow:
    with srv.ctx.db.writer() as session, session.begin():
        row, _secret = store.add_subscription(session, name, subscriber.url, srv.clock(), secret=subscriber.secret)
        return row.id


def _sub(srv, sub_id) -> WebhookSubscriptionRow:
    with srv.ctx.db.reader() as session:
        return session.get(WebhookSubscriptionRow, sub_id)


def _dispatcher(srv, **settings) -> WebhookDispatcher:
    return WebhookDispatcher(srv.ctx, WebhookSettings(**{"timeout_s": 2, "backoff_base_s": 10, **settings}))


def test_signed_events_in_feed_order_each_with_its_idempotency_key(quiet_srv, subscriber):
    srv = quiet_srv
    srv.new_case()  # before the subscription: not sent (it starts at the feed's head)
    sub_id = _subscribe(srv, subscriber)
    hooks = _dispatcher(srv)
    a = srv.new_case()
    assert hooks.deliver(sub_id) == 1
    srv.do("operator1", "register", a["id"])
    b = srv.new_case()
    assert hooks.deliver(sub_id) == 2
    assert hooks.deliver(sub_id) == 0  # nothing new
    assert subscriber.taken() == [f"case:{a['id']}:v1", f"case:{a['id']}:v2", f"case:{b['id']}:v1"]
    assert all(r.signed and r.idempotency_key == r.event_id for r in subscriber.received)
    second = subscriber.received[1].body
    assert (second["type"], second["status"], second["case"]["status"], second["number"]) == \
        ("case.changed", "registered", "registered", a["number"])
    positions = [r.body["position"] for r in subscriber.received]
    assert positions == sorted(positions)
    assert _sub(srv, sub_id).delivered == 3


def test_a_failing_subscriber_is_retried_with_backoff_and_catches_up_in_order(quiet_srv, subscriber):
    srv = quiet_srv
    sub_id = _subscribe(srv, subscriber)
    hooks = _dispatcher(srv)
    subscriber.fail_next = 2
    first, second = srv.new_case(), srv.new_case()
    assert hooks.deliver(sub_id) == 0
    row = _sub(srv, sub_id)
    assert (row.attempts, row.last_error, row.next_attempt_at) == (1, "HTTP 500", srv.clock() + _s(10))
    assert hooks.due_ids() == []  # waits for its backoff
    srv.clock.advance(seconds=10)
    assert hooks.due_ids() == [sub_id]
    assert hooks.deliver(sub_id) == 0
    row = _sub(srv, sub_id)
    assert (row.attempts, row.next_attempt_at) == (2, srv.clock() + _s(20))  # the wait doubles
    srv.clock.advance(seconds=20)
    assert hooks.deliver(sub_id) == 2  # back: the stream goes on from where it stopped, in order
    ids = [f"case:{first['id']}:v1", f"case:{second['id']}:v1"]
    assert [r.event_id for r in subscriber.received] == [ids[0], ids[0], ids[0], ids[1]]
    assert subscriber.taken() == ids
    row = _sub(srv, sub_id)
    assert (row.attempts, row.next_attempt_at, row.last_error) == (0, None, "")


def test_dead_letters_and_their_replay_by_an_admin(quiet_srv, subscriber, capsys):
    srv = quiet_srv
    assert ctl(["--database-url", srv.url, "webhooks", "add", "city-hub", subscriber.url,
                "--secret", subscriber.secret]) == 0
    assert "secret: s3cret" in capsys.readouterr().out
    with srv.ctx.db.reader() as session:
        sub_id = store.subscription(session, "city-hub").id
    hooks = _dispatcher(srv, max_attempts=3, backoff_base_s=0)
    subscriber.fail_always = True
    lost = srv.new_case()
    for _ in range(3):
        hooks.deliver(sub_id)
    assert ctl(["--database-url", srv.url, "webhooks", "dead", "city-hub"]) == 0
    out = capsys.readouterr().out
    assert f"case:{lost['id']}:v1" in out and "3 tries\tHTTP 500" in out
    assert _sub(srv, sub_id).attempts == 0  # the stream went on past it
    subscriber.fail_always = False
    later = srv.new_case()
    assert ctl(["--database-url", srv.url, "webhooks", "replay", "city-hub"]) == 0
    assert "1 dead letters will be delivered again" in capsys.readouterr().out
    assert hooks.deliver(sub_id) == 2  # the replayed one first, then the stream
    assert subscriber.taken() == [f"case:{lost['id']}:v1", f"case:{later['id']}:v1"]
    with srv.ctx.db.reader() as session:
        assert store.dead_letters(session, "city-hub") == []
        assert [d.state for d in store.dead_letters(session, "city-hub", state=None)] == ["replayed"]
    assert ctl(["--database-url", srv.url, "webhooks", "list"]) == 0
    assert "delivered 1" in capsys.readouterr().out


def test_a_hanging_subscriber_never_blocks_the_server_or_the_others(monkeypatch, make_harness, sqlite_url, subscriber):
    for name, value in {"ONEGRID_WEBHOOK_TICK_S": "0.05", "ONEGRID_WEBHOOK_TIMEOUT_S": "0.5",
                        "ONEGRID_WEBHOOK_BACKOFF_BASE_S": "0"}.items():
        monkeypatch.setenv(name, value)
    srv = make_harness(sqlite_url)
    hanging = Subscriber(hang_s=5).start()
    try:
        healthy_id, hanging_id = _subscribe(srv, subscriber, "healthy"), _subscribe(srv, hanging, "hanging")
        case = srv.new_case()  # the server answers while the hanging subscriber holds a delivery
        assert srv.client.get("/healthz").status_code == 200
        deadline = time.monotonic() + 30
        while subscriber.taken() != [f"case:{case['id']}:v1"] or _sub(srv, hanging_id).attempts < 1:
            assert time.monotonic() < deadline, (subscriber.received, _sub(srv, hanging_id).last_error)
            time.sleep(0.05)
        assert "Timeout" in _sub(srv, hanging_id).last_error
        assert _sub(srv, healthy_id).delivered == 1
        assert srv.new_case()["status"] == "reported"
    finally:
        hanging.stop()


def test_bad_subscriptions_are_refused_by_name(quiet_srv, capsys):
    srv = quiet_srv
    assert ctl(["--database-url", srv.url, "webhooks", "add", "x", "ftp://hub/events"]) != 0
    assert "not an http(s) URL" in capsys.readouterr().err
    assert ctl(["--database-url", srv.url, "webhooks", "replay", "nobody"]) != 0
    assert "no subscription named 'nobody'" in capsys.readouterr().err


def _s(seconds):
    from datetime import timedelta

    return timedelta(seconds=seconds)


def test_two_cities_writing_interleaved_each_reach_the_subscriber_once_in_order(monkeypatch, make_harness,
                                                                                  server_db_url, subscriber):
    """A position orders its city's partition only: city 3301's run ahead of 3302's. The stream reads each
    partition after its own position, so 3302's changes are not skipped once 3301's higher ones went out."""
    from tests.feed.test_partitions import _to_other_city

    monkeypatch.setenv("ONEGRID_WEBHOOKS", "0")
    srv = make_harness(server_db_url, feed_partitions=True)
    here, there = srv.new_case(), srv.new_case()
    _to_other_city(srv, there["id"])
    sub_id = _subscribe(srv, subscriber)
    hooks = _dispatcher(srv)
    expected = []
    for round_ in range(4):
        for case, notes in ((here, 3), (there, 1)):  # 3301 moves three positions for each of 3302's
            for i in range(notes):
                answer = srv.do("operator1", "note", case["id"], {"text": f"{round_}/{i}"})
                assert answer["status"] == "accepted"
                expected.append((case["id"], answer["case"]["version"]))
        if round_ % 2:  # delivered now and then, both cities' changes waiting
            hooks.deliver(sub_id)
    while hooks.deliver(sub_id):
        pass
    got = [(r.body["case_id"], r.body["version"]) for r in subscriber.received]
    latest = {case_id: max(v for c, v in expected if c == case_id) for case_id, _ in expected}
    assert {c: max(v for c2, v in got if c2 == c) for c, _ in got} == latest  # every city's last change arrived
    assert len(got) == len(set(got))  # each once
    for case_id in latest:  # each case's versions in order
        versions = [v for c, v in got if c == case_id]
        assert versions == sorted(versions)
    assert {r.body["partition"] for r in subscriber.received} == {"3301", "3302"}
    row = _sub(srv, sub_id)
    assert row.cursor and "3302." in row.cursor and "3301." in row.cursor


def test_a_subscription_from_before_partitions_goes_on_from_its_position(quiet_srv, subscriber):
    """Its `position` alone (no `cursor`) stands for every partition."""
    from sqlalchemy import update

    srv = quiet_srv
    sub_id = _subscribe(srv, subscriber)
    old = srv.new_case()
    with srv.ctx.db.writer() as session, session.begin():
        position = session.execute(text("SELECT max(position) FROM feed")).scalar()
        session.execute(update(WebhookSubscriptionRow).where(WebhookSubscriptionRow.id == sub_id)
                        .values(cursor=None, position=position))
    new = srv.new_case()
    assert _dispatcher(srv).deliver(sub_id) == 1
    assert subscriber.taken() == [f"case:{new['id']}:v1"] and old["id"] != new["id"]
    assert _sub(srv, sub_id).cursor is not None


def test_dead_letters_of_two_cities_name_their_partition_and_replay_by_it(monkeypatch, make_harness, server_db_url,
                                                                         subscriber, capsys):
    """A position orders its city's partition only: a dead letter says which partition it is of (`webhooks
    dead`), and an admin replays one city's (`replay --partition`) while the other city's stay dead."""
    from tests.feed.test_partitions import _to_other_city

    monkeypatch.setenv("ONEGRID_WEBHOOKS", "0")
    srv = make_harness(server_db_url, feed_partitions=True)
    here, there = srv.new_case(), srv.new_case()
    _to_other_city(srv, there["id"])
    sub_id = _subscribe(srv, subscriber)
    hooks = _dispatcher(srv, max_attempts=1, backoff_base_s=0)
    subscriber.fail_always = True
    for case in (here, there, here):  # each change given up at its first failure: three dead letters
        assert srv.do("operator1", "note", case["id"], {"text": "井盖"})["status"] == "accepted"
        assert hooks.deliver(sub_id) == 0
        srv.clock.advance(seconds=1)
    with srv.ctx.db.reader() as session:
        dead = store.dead_letters(session, "city-hub")
        assert [(d.partition, d.body["case_id"]) for d in dead] == [("3301", here["id"]), ("3302", there["id"]),
                                                                     ("3301", here["id"])]
        assert all(d.body["partition"] == d.partition and d.body["position"] == d.position for d in dead)
    assert ctl(["--database-url", srv.url, "webhooks", "dead", "city-hub", "--partition", "3302"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert f"case:{there['id']}:" in line and f"partition 3302 position {dead[1].position}\t" in line
    assert ctl(["--database-url", srv.url, "webhooks", "dead", "city-hub"]) == 0
    assert capsys.readouterr().out.count("partition 3301 position") == 2

    subscriber.fail_always = False
    assert ctl(["--database-url", srv.url, "webhooks", "replay", "city-hub", "--partition", "3302"]) == 0
    assert "1 dead letters will be delivered again" in capsys.readouterr().out
    assert hooks.deliver(sub_id) == 1
    assert subscriber.taken() == [dead[1].event_id]
    with srv.ctx.db.reader() as session:
        assert [d.id for d in store.dead_letters(session, "city-hub", partition="3301")] == [dead[0].id, dead[2].id]
        assert [d.state for d in store.dead_letters(session, "city-hub", state=None, partition="3302")] == ["replayed"]
    assert ctl(["--database-url", srv.url, "webhooks", "replay", "city-hub", "--partition", "33"]) != 0
    assert "a partition is a city's 4 digits or `global`" in capsys.readouterr().err
