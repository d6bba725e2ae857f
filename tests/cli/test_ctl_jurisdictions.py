"""`onegrid-ctl users add --jurisdiction`: an administrator assigns a user the districts it works in; a code
that is no city, district or street code is refused naming it, and nothing is stored."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.cli.test_ctl import run


def _jurisdictions(url: str, username: str):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT jurisdictions FROM users WHERE username = :u"), {"u": username}).first()
    finally:
        engine.dispose()


def test_users_add_assigns_jurisdictions(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert run(capsys, "--database-url", url, "init-db")[0] == 0
    code, out, _ = run(capsys, "--database-url", url, "users", "add", "ops_d", "--role", "operator",
                       "--jurisdiction", "330108", "330106001",
                       "--password-stdin", stdin="long-enough-pw\n", monkeypatch=monkeypatch)
    assert code == 0 and "created" in out
    assert _jurisdictions(url, "ops_d") == ("330108,330106001",)
    # replaced without one: the whole reference data again
    code, _, _ = run(capsys, "--database-url", url, "users", "add", "ops_d", "--role", "operator", "--replace",
                     "--password-stdin", stdin="long-enough-pw\n", monkeypatch=monkeypatch)
    assert code == 0 and _jurisdictions(url, "ops_d") == (None,)
    code, _, err = run(capsys, "--database-url", url, "users", "add", "ops_x", "--role", "operator",
                       "--jurisdiction", "33010", "--password-stdin", stdin="long-enough-pw\n",
                       monkeypatch=monkeypatch)
    assert code == 1 and "'33010'" in err and "district" in err
    assert _jurisdictions(url, "ops_x") is None
