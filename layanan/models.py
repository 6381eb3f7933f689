"""Imports every table module so the metadata is complete (for Alembic and tests)."""

import bot.models  # noqa: F401
import layanan.outbox  # noqa: F401
import tickets.models  # noqa: F401
import tickets.staff  # noqa: F401
