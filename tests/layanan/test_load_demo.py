"""`flask load-demo` creates accounts with a published password: on PostgreSQL only when forced."""

from __future__ import annotations

from sqlmodel import select

from layanan.cli import load_demo_command
from tickets.staff import StaffUser


def test_load_demo_refuses_a_database_other_than_the_embedded_sqlite(app, session) -> None:  # type: ignore[no-untyped-def]
    real = app.config["DATABASE_URL"]
    app.config["DATABASE_URL"] = "postgresql://layanan@db.example:5432/layanan"  # the engine stays the test's
    refused = app.test_cli_runner().invoke(load_demo_command)
    assert refused.exit_code != 0
    assert "bukan SQLite tertanam" in refused.output and "--paksa" in refused.output
    assert session.exec(select(StaffUser)).first() is None

    for flag in ("--paksa", "--force"):
        forced = app.test_cli_runner().invoke(load_demo_command, [flag])
        assert forced.exit_code == 0, forced.output
    assert len(session.exec(select(StaffUser)).all()) > 5
    app.config["DATABASE_URL"] = real


def test_load_demo_runs_on_the_embedded_sqlite(app, session) -> None:  # type: ignore[no-untyped-def]
    app.config["DATABASE_URL"] = "sqlite:///instance/layanan.db"  # what scripts/start uses
    result = app.test_cli_runner().invoke(load_demo_command)
    assert result.exit_code == 0, result.output
    assert len(session.exec(select(StaffUser)).all()) > 5
