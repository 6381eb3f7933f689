"""Alembic environment: migrates the database named in the config, using the models' metadata."""

from alembic import context
from sqlmodel import SQLModel

import layanan.models  # noqa: F401  (registers every table on the metadata)
from layanan.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = make_engine(config.get_main_option("sqlalchemy.url"))
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild a SQLite table (copy, drop, rename); with foreign keys enforced the
            # drop of a referenced table fails. The pragma only takes effect outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
