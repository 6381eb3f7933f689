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
