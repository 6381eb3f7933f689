"""The migrations build exactly the schema the models describe, with the kecamatan reference data."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, select

import layanan.models  # noqa: F401
from tickets.kecamatan import KECAMATAN
from tickets.models import KecamatanRow


def test_models_and_migrations_agree(app) -> None:  # type: ignore[no-untyped-def]
    with app.extensions["db_engine"].connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models differ from the migrations: {diff}"


def test_twenty_kecamatan_are_loaded(session) -> None:  # type: ignore[no-untyped-def]
    rows = {r.code: r.name for r in session.exec(select(KecamatanRow))}
    assert rows == {k.code: k.name for k in KECAMATAN}
    assert len(rows) == 20


def test_renamed_role_and_stage_keys_carry_stored_work_over(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A database written before migration 0002 keeps its tickets, history and staff under the new keys."""
    from sqlalchemy import create_engine, text

    from layanan.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'lama.db'}"
    upgrade(url, "0001")
    engine = create_engine(url)
    now = "2026-11-02 03:00:00.000000"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO applicant (id, phone, created_at) VALUES (1, '+6281234567890', :now)"),
                      {"now": now})
        conn.execute(text(
            "INSERT INTO ticket (id, number, year, seq, service, channel, workflow, stage, return_stage, applicant_id,"
            " outputs, stage_entered_at, sla_paused_seconds, overdue, created_at, updated_at, version) VALUES"
            " (1, 'PGD-2026-000001', 2026, 1, 'kk', 'whatsapp', 'pengaduan_online_tanggamus', 'waiting_citizen',"
            " 'registration', 1, '{}', :now, 0, 0, :now, :now, 1),"
            " (2, 'PGD-2026-000002', 2026, 2, 'kk', 'whatsapp', 'pengaduan_online_tanggamus', 'upt', NULL, 1, '{}',"
            " :now, 0, 0, :now, :now, 1)"), {"now": now})
        conn.execute(text(
            "INSERT INTO stage_event (ticket_id, action, from_stage, to_stage, actor_role, data, created_at) VALUES"
            " (2, 'advance', 'courier', 'upt', 'courier', '{}', :now)"), {"now": now})
        conn.execute(text(
            "INSERT INTO staffuser (username, full_name, password_hash, roles, active, created_at) VALUES"
            " ('budi', 'Budi', 'x', '[\"courier\", \"operator\", \"sorter\"]', 1, :now)"), {"now": now})
    upgrade(url)
    with engine.connect() as conn:
        tickets = conn.execute(text("SELECT stage, return_stage FROM ticket ORDER BY id")).all()
        event = conn.execute(text("SELECT from_stage, to_stage, actor_role FROM stage_event")).one()
        roles = conn.execute(text("SELECT roles FROM staffuser")).scalar_one()
    engine.dispose()
    assert [tuple(t) for t in tickets] == [("waiting_citizen", "counter_registration"), ("upt_receipt", None)]
    assert tuple(event) == ("courier_delivery", "upt_receipt", "courier_officer")
    assert "courier_officer" in roles and "data_entry_operator" in roles and "sorter" in roles


def test_jobs_recorded_under_a_moved_function_run_under_its_new_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, text

    from layanan.migrate import upgrade
    from layanan.outbox import _dotted
    from bot.milestones import notify_milestone

    url = f"sqlite:///{tmp_path / 'lama.db'}"
    upgrade(url, "0007")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO deferred_job (job_id, func, args, queue_name, retry_intervals, created_at) VALUES"
            " ('milestone-7', 'tickets.notify.notify_milestone', '[7]', 'default', '[]', '2026-11-30 01:00:00')"))
    upgrade(url)
    with engine.connect() as conn:
        func = conn.execute(text("SELECT func FROM deferred_job")).scalar_one()
    engine.dispose()
    assert func == _dotted(notify_milestone)
