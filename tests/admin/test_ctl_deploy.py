"""`onegrid-ctl` as packaging/README.md uses it on a new or upgraded server: `migrate`, and the first
admin user with `--password-stdin` (a weak password is refused, saying why, and nothing is stored)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import create_engine, text

from server.admin import ctl
from server.admin.password_policy import password_problem


def run(capsys, monkeypatch, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = ctl.main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def users(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT username, role FROM users ORDER BY username"))]
    finally:
        engine.dispose()


def test_migrate_says_what_it_did(sqlite_url, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--database-url", sqlite_url, "migrate")
    assert code == 0 and out.startswith("schema upgraded from an empty database to ")
    code, out, _ = run(capsys, monkeypatch, "--database-url", sqlite_url, "migrate")
    assert code == 0 and "nothing to do" in out


def test_migrate_without_a_database_is_a_clear_error(capsys, monkeypatch):
    monkeypatch.delenv("ONEGRID_DATABASE_URL", raising=False)
    code, _, err = run(capsys, monkeypatch, "migrate")
    assert code == 1 and "--database-url" in err


def test_first_admin_on_a_migrated_database(pg_url, capsys, monkeypatch):
    assert run(capsys, monkeypatch, "--database-url", pg_url, "init-db")[0] == 0
    code, out, err = run(capsys, monkeypatch, "--database-url", pg_url, "users", "add", "admin", "--role", "admin",
                         "--password-stdin", stdin="Tram-Depot-7-Lantern\n")
    assert code == 0, err
    assert "user admin (admin) created" in out
    assert ("admin", "admin") in users(pg_url)


@pytest.mark.parametrize("password, reason", [
    ("short1!", "an admin password needs at least 12 characters"),
    ("Depot-7-ok", "an admin password needs at least 12 characters"),
    ("password123", "password-guessing list"),
    ("admin-of-the-grid-7", "contains the username 'admin'"),
    ("onlyletterslonger", "mix letters with digits or symbols"),
    ("123456789012", "run of consecutive"),
    ("ababababababab", "repeats one or two characters"),
    ("", "at least"),
])
def test_a_weak_admin_password_is_refused_and_nothing_stored(sqlite_url, capsys, monkeypatch, password, reason):
    assert run(capsys, monkeypatch, "--database-url", sqlite_url, "init-db")[0] == 0
    before = users(sqlite_url)
    code, out, err = run(capsys, monkeypatch, "--database-url", sqlite_url, "users", "add", "admin", "--role",
                         "admin", "--password-stdin", stdin=password + "\n")
    assert code == 1 and out == ""
    assert "weak password refused" in err and reason in err and "nothing was changed" in err
    assert users(sqlite_url) == before


def test_policy_accepts_ordinary_strong_passwords():
    assert password_problem("long-enough-pw", "ops9", "operator") is None
    assert password_problem("Tram-Depot-7-Lantern", "admin", "admin") is None
    assert password_problem(" padded-pass-1 ", "x", "operator") is not None  # a paste slip, said so
